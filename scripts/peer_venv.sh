#!/usr/bin/env bash
# The peer detector of bench/bench_pii.py in its own virtualenv: Presidio pins spaCy and
# friends, which must not leak into the project's environment.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
if [ ! -x var/peer-venv/bin/python ]; then
    mkdir -p var
    "$PYTHON" -m venv var/peer-venv
fi
var/peer-venv/bin/pip install --quiet "presidio-analyzer>=2.2,<3" "presidio-structured>=0.0.10" "pandas>=2.2,<3"
