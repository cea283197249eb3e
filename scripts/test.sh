#!/usr/bin/env bash
# The whole suite twice: the embedded stack (SQLite, in-process tasks), then PostgreSQL with
# Redis and a real Celery worker process. Under CI=true the second pass is required.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export GOVERNANCE_ENV=test
# The single-sign-on tests sign in at a real OpenID provider on Node.js (npm ci, lock file).
make --no-print-directory oidc-provider

echo "=== pass 1: SQLite, tasks in-process ==="
env -u DATABASE_URL -u REDIS_URL GOVERNANCE_VAR_DIR="$PWD/var/test-embedded" \
    $PY -m pytest "$@"

PG_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/governance_ci_$$}"
REDIS="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
if $PY scripts/services_ready.py "$PG_URL" "$REDIS"; then
    echo "=== pass 2: PostgreSQL, Redis, real Celery worker ==="
    DATABASE_URL="$PG_URL" REDIS_URL="$REDIS" CELERY_QUEUE_PREFIX="test$$-" \
        GOVERNANCE_VAR_DIR="$PWD/var/test-production" \
        $PY -m pytest "$@"
else
    if [ "${CI:-}" = "true" ]; then
        echo "pass 2 is required under CI but PostgreSQL or Redis is unreachable" >&2
        exit 1
    fi
    echo "=== pass 2 SKIPPED: PostgreSQL ($PG_URL) or Redis ($REDIS) unreachable ==="
fi
