# Two commands matter: `make run` and `make test`. Everything else is a helper of theirs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test install migrate demo serve lint format bench bench-mlflow bench-cpu bench-pii bench-lineage worker beat clean oidc-provider messages axe

$(STAMP): pyproject.toml client/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	$(BIN)/python -m pip install --quiet -e "./client[cli]"
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

run: demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ (log in with a demo user printed above)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: lint oidc-provider axe
	bash scripts/test.sh

# The OpenID provider the single-sign-on tests sign in at (Node.js, from the lock file only).
OIDC_PROVIDER := tests/oidc_provider
$(OIDC_PROVIDER)/node_modules/.package-lock.json: $(OIDC_PROVIDER)/package-lock.json
	cd $(OIDC_PROVIDER) && npm ci --no-audit --no-fund --prefer-offline

oidc-provider:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(OIDC_PROVIDER)/node_modules/.package-lock.json; \
	else echo "npm not found: the single-sign-on tests will be skipped"; fi

# axe-core, which the accessibility test injects into every page (npm, from the lock file only).
AXE := tests/e2e/axe
$(AXE)/node_modules/.package-lock.json: $(AXE)/package-lock.json
	cd $(AXE) && npm ci --no-audit --no-fund --prefer-offline

axe:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(AXE)/node_modules/.package-lock.json; \
	else echo "npm not found: the accessibility test will be skipped"; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# Collect the translatable text into locale/*/django.po, then compile the .mo files that are
# committed next to them (needs GNU gettext: msgfmt, xgettext). docs/LANGUAGES.md
messages: install
	$(BIN)/python manage.py makemessages -l fr -l de --no-obsolete --no-location \
		-i ".venv/*" -i "tests/*" -i "static/*" -i "bench/*" -i "client/*" -i "docs/*" -i "scripts/*" -i "var/*"
	$(BIN)/python manage.py compilemessages -l fr -l de --ignore ".venv/*"

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	bash scripts/peer_venv.sh
	BENCH_PYTHON=$(BIN)/python bash scripts/bench.sh

# Only the side-by-side comparison with MLflow's registry (installs MLflow into
# var/mlflow-venv on first use); BENCH_MLFLOW_SECONDS per call per side.
bench-mlflow: install
	$(BIN)/python bench/bench_vs_mlflow.py

# CPU per request of reading a version, listing 25 and registering one, in-process on
# PostgreSQL and Redis (queries and cache calls counted; BENCH_CPU_DATABASE_URL reuses a
# seeded database, --profile read|list|register prints cProfile's top functions).
bench-cpu: install
	$(BIN)/python bench/bench_cpu.py

# PII detection on the labelled corpus, beside Presidio, and 1M x 50 profiling speed.
bench-pii: install
	bash scripts/peer_venv.sh
	$(BIN)/python bench/bench_pii.py

# Lineage walks on a 100,000-node graph in PostgreSQL (BENCH_LINEAGE_NODES, BENCH_KEEP_DB=1).
bench-lineage: install
	$(BIN)/python bench/bench_lineage.py

worker: install
	$(BIN)/celery -A governance worker -Q light,analysis --loglevel INFO

beat: install
	$(BIN)/celery -A governance beat --loglevel INFO

clean:
	rm -rf var/ .pytest_cache
