# Two commands on a fresh machine: `make demo` and `make test`.
# `make check` is the quick loop while working: lint, types and every test not marked `slow`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-postgres check lint typecheck pytest pytest-quick bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,web]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/matchkit demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

# The whole suite, slow tests included. With COVERAGE=1 (as CI runs it, .ci/run) it also
# holds the branch-coverage floor of pyproject.toml ([tool.coverage.report] fail_under);
# tracing makes the run slower, so a plain `make test` leaves it out.
COV_ARGS := $(if $(COVERAGE),--cov=matchkit --cov-report=term-missing:skip-covered)

# Tests run on every core (pytest-xdist, `-n auto`); PYTEST_WORKERS=0 runs them in one process.
PYTEST_WORKERS ?= auto

# With MATCHKIT_TEST_POSTGRES set (.ci/with-postgres sets it), the web tests run a second time
# against that PostgreSQL server (--reuse-db: the throwaway cluster is removed whole at exit, so
# the test database is not dropped while the browser test's server threads may still hold it).
pytest: $(STAMP)
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) $(COV_ARGS)
	$(if $(MATCHKIT_TEST_POSTGRES),MATCHKIT_DB=$(MATCHKIT_TEST_POSTGRES) $(BIN)/python -m pytest -q -p no:cacheprovider --reuse-db tests/web)

pytest-quick: $(STAMP)
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) -m "not slow"

test: lint typecheck pytest

check: lint typecheck pytest-quick

# The web tests alone against a throwaway local PostgreSQL server.
test-postgres: $(STAMP)
	.ci/with-postgres sh -c 'MATCHKIT_DB=$$MATCHKIT_TEST_POSTGRES $(BIN)/python -m pytest -q -p no:cacheprovider --reuse-db tests/web'

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage
