# fairscreen: `make run` for the demo, `make test` for the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench install clean

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
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP)
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest --cov=fairscreen --cov-report=term:skip-covered

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .coverage
