# DST: `make run` serves the demo; `make test` runs the whole suite on SQLite and on PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DST_ENV ?= dev

.PHONY: run test install lint typecheck test-sqlite test-postgres clean

$(BIN)/dst: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/dst

run: install
	$(BIN)/dst db upgrade
	$(BIN)/dst demo seed
	DST_SCHEDULER_ENABLED=true $(BIN)/dst serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

test-sqlite: install
	$(BIN)/python -m pytest -q -p no:cacheprovider

# On PostgreSQL only the tests that touch the database run again; pure tests ran on SQLite already.
test-postgres: install
	@scripts/with-postgres.sh env DST_TEST_ONLY_DB=1 $(BIN)/python -m pytest -q -p no:cacheprovider; \
	  status=$$?; if [ $$status -eq 86 ]; then echo "PostgreSQL run SKIPPED (no binaries)"; exit 0; fi; exit $$status

test: lint typecheck test-sqlite test-postgres

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
