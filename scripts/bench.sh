#!/usr/bin/env bash
# Benchmarks that print figures (not pass/fail tests). Each script says what it measures.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
for script in bench/bench_upload.py bench/bench_checks.py bench/bench_reports.py bench/bench_api.py; do
    if [ -f "$script" ]; then
        echo "=== $script ==="
        $PY "$script"
        echo
    fi
done
