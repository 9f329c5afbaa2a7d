# Everything runs from the project's own virtual environment in .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup sysdeps run test lint unit bench translations clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian packages: Chromium for browser tests, fonts covering Persian, poppler-utils.
sysdeps:
	bash scripts/sysdeps.sh

run: setup
	$(BIN)/crm-maturity serve --host 127.0.0.1 --port 5000 --demo

lint: setup
	$(BIN)/ruff check assessment tests bench
	$(BIN)/mypy assessment

unit: setup sysdeps
	$(BIN)/pytest

test: lint unit

# Performance targets; figures land in bench/results/*.json.
bench: setup sysdeps
	$(BIN)/python bench/bench_scoring.py
	$(BIN)/python bench/bench_report.py

# After changing interface text: refresh the catalogue, translate new entries, recompile.
translations: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project crm-maturity -o assessment/translations/messages.pot .
	$(BIN)/pybabel update -i assessment/translations/messages.pot -d assessment/translations \
		--no-fuzzy-matching
	$(BIN)/pybabel compile -d assessment/translations --statistics

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache .hypothesis
