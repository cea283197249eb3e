#!/usr/bin/env bash
# The whole suite twice: the embedded stack (SQLite, in-process tasks), then PostgreSQL with
# Redis and a real Celery worker process. Under CI=true the second pass is required.
#
# When both stacks are available the two passes run at the same time (they share nothing: each
# has its own var/ folder, database and ports), which roughly halves the wall time on a
# two-core machine; the first pass's output is printed when both have ended.
# TEST_PASSES=sequential runs them one after the other instead.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export GOVERNANCE_ENV=test
# The single-sign-on tests sign in at a real OpenID provider on Node.js (npm ci, lock file).
make --no-print-directory oidc-provider axe

PG_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/governance_ci_$$}"
REDIS="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"

pass1() {
    env -u DATABASE_URL -u REDIS_URL GOVERNANCE_VAR_DIR="$PWD/var/test-embedded" \
        $PY -m pytest --durations=15 "$@"
}

# Pass 2 keeps its blobs in a bucket on moto's S3 server (over HTTP, a free loopback port):
# web and worker share only PostgreSQL, Redis and the bucket.
pass2() {
    local endpoint_file="$PWD/var/test-s3-endpoint" rc=0 s3_pid
    mkdir -p var
    rm -f "$endpoint_file"
    $PY -m tests.object_store "$endpoint_file" governance-test &
    s3_pid=$!
    for _ in $(seq 600); do [ -s "$endpoint_file" ] && break; sleep 0.1; done
    if [ ! -s "$endpoint_file" ]; then
        echo "the S3 test server did not start" >&2
        kill "$s3_pid" 2>/dev/null || true
        return 1
    fi
    DATABASE_URL="$PG_URL" REDIS_URL="$REDIS" CELERY_QUEUE_PREFIX="test$$-" \
        GOVERNANCE_VAR_DIR="$PWD/var/test-production" \
        OBJECT_STORE_BUCKET=governance-test OBJECT_STORE_PREFIX="run$$" \
        OBJECT_STORE_ENDPOINT_URL="$(cat "$endpoint_file")" \
        OBJECT_STORE_ACCESS_KEY_ID=testing-access-key \
        OBJECT_STORE_SECRET_ACCESS_KEY=testing-secret-key \
        $PY -m pytest --durations=15 "$@" || rc=$?
    kill "$s3_pid" 2>/dev/null || true
    wait "$s3_pid" 2>/dev/null || true
    return "$rc"
}

if ! $PY scripts/services_ready.py "$PG_URL" "$REDIS"; then
    if [ "${CI:-}" = "true" ]; then
        echo "pass 2 is required under CI but PostgreSQL or Redis is unreachable" >&2
        exit 1
    fi
    echo "=== pass 1: SQLite, tasks in-process ==="
    pass1 "$@"
    echo "=== pass 2 SKIPPED: PostgreSQL ($PG_URL) or Redis ($REDIS) unreachable ==="
    exit 0
fi

if [ "${TEST_PASSES:-parallel}" = "sequential" ]; then
    echo "=== pass 1: SQLite, tasks in-process ==="
    pass1 "$@"
    echo "=== pass 2: PostgreSQL, Redis, real Celery worker, blobs in an S3 bucket ==="
    pass2 "$@"
    exit 0
fi

mkdir -p var
LOG1="var/test-pass1.log"
echo "=== pass 1 (SQLite, tasks in-process) and pass 2 (PostgreSQL, Redis, real Celery worker) run together ==="
echo "=== pass 1 writes to $LOG1; it is printed below when both passes have ended ==="
start=$SECONDS
pass1 "$@" >"$LOG1" 2>&1 &
pid1=$!
trap 'kill "$pid1" 2>/dev/null || true' EXIT INT TERM
echo "=== pass 2: PostgreSQL, Redis, real Celery worker, blobs in an S3 bucket ==="
rc2=0
pass2 "$@" || rc2=$?
rc1=0
wait "$pid1" || rc1=$?
trap - EXIT INT TERM
echo "=== pass 1: SQLite, tasks in-process (output of $LOG1) ==="
cat "$LOG1"
echo "=== both passes ended after $((SECONDS - start)) s: pass 1 exit $rc1, pass 2 exit $rc2 ==="
[ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ]
