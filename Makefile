# Two commands on a fresh machine: `make demo` and `make test`.
# `make check` is the quick loop while working: lint, types and every test not marked `slow`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test check lint typecheck pytest pytest-quick bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
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

pytest: $(STAMP)
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) $(COV_ARGS)

pytest-quick: $(STAMP)
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) -m "not slow"

test: lint typecheck pytest

check: lint typecheck pytest-quick

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage
