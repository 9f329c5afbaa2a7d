# Everything goes through the project's own virtual environment in .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup run test lint unit bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: setup
	$(BIN)/crm-maturity models validate
	$(BIN)/crm-maturity serve --host 127.0.0.1 --port 5000

lint: setup
	$(BIN)/ruff check assessment tests bench
	$(BIN)/mypy assessment

unit: setup
	$(BIN)/pytest

test: lint unit

bench: setup
	$(BIN)/python bench/bench_scoring.py

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache .hypothesis
