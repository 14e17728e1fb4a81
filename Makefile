# fairscreen: `make run` for the demo, `make test` for the whole suite,
# `make test-fast` for the unit and API tests on SQLite while working.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pytest-xdist workers: each has its own PostgreSQL cluster and temporary folders.
JOBS ?= 2
XDIST := -n $(JOBS) --dist loadgroup

.PHONY: run test test-fast lint format bench install clean messages

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test,lint]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/fairscreen init
	$(BIN)/fairscreen serve --demo --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

test: $(STAMP)
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest $(XDIST) --cov=fairscreen --cov-report=term:skip-covered

test-fast: $(STAMP)
	FAIRSCREEN_SKIP_POSTGRES=1 $(BIN)/python -m pytest $(XDIST) tests/unit tests/api

# The gettext catalogues: extract every marked text (babel.cfg), add new ones to the
# catalogues with an empty translation to write, check and compile them (scripts/messages.py).
messages: $(STAMP)
	$(BIN)/python scripts/messages.py

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .coverage
