# Everything runs from the project's own virtual environment in .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup sysdeps run test lint unit audit bench bench-workshop bench-rollout bench-postgres postgres-start \
	postgres-stop translations clean bench-downloads bench-tags bench-profile

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
	$(BIN)/lint-imports
	$(BIN)/bandit -q -r assessment -x assessment/migrations

unit: setup sysdeps
	$(BIN)/pytest

test: lint unit

# Security: bandit over the package, pip-audit over the dependencies (scripts/audit.sh).
audit: setup
	BIN=$(BIN) bash scripts/audit.sh

# Performance targets; figures land in bench/results/*.json.
bench: setup sysdeps
	$(BIN)/python bench/bench_scoring.py
	$(BIN)/python bench/bench_report.py
	$(BIN)/python bench/bench_limits.py
	$(MAKE) bench-tags
	$(MAKE) bench-rollout
	$(MAKE) bench-downloads
	$(MAKE) bench-workshop
	$(MAKE) bench-profile

# What a tagged PDF costs: the demo's report (assessment 1) in both languages rendered
# without and with WeasyPrint's pdf_tags, least of several runs each, and the ratio.
bench-tags: setup sysdeps
	$(BIN)/python bench/bench_tags.py

# `crm-maturity data profile` on a generated file of 1,000,000 transaction rows of 200,000
# customers (written to a temporary folder, deleted after): seconds and peak memory
# against 5 s and 1 GiB, the same profile in plain pandas as a ratio, and an XLSX of
# 100,000 rows.
bench-profile: setup
	$(BIN)/python bench/bench_profile.py

# Rollout tracking on the demo client: proposing a roadmap, its pages, the status report
# in both languages, client export/import (and that it round-trips) and a backup.
bench-rollout: setup sysdeps
	$(BIN)/python bench/bench_rollout.py

# Report downloads against `crm-maturity serve --demo`: /login latency while four clients
# download PDFs in a loop (report cache off), and a cached download's latency.
bench-downloads: setup sysdeps
	$(BIN)/python bench/bench_downloads.py

# A 200-person workshop answering 100 questions against `crm-maturity serve` on SQLite:
# as fast as the machine lets them (capacity), at a person's fastest pace (one answer
# every 0.6 s each: latency), then with the server killed (SIGKILL) mid-run and restarted.
bench-workshop: setup
	status=0; \
	$(BIN)/python bench/bench_workshop.py --participants 200 --database sqlite || status=1; \
	$(BIN)/python bench/bench_workshop.py --participants 200 --database sqlite \
	  --pace 0.6 || status=1; \
	$(BIN)/python bench/bench_workshop.py --participants 200 --database sqlite --kill || status=1; \
	exit $$status

# The same on a throw-away local PostgreSQL server (installed if missing), stopped and
# deleted afterwards even when a run fails or is interrupted.
bench-postgres: setup
	trap 'bash scripts/postgres.sh stop' EXIT; trap 'exit 130' INT TERM; \
	bash scripts/postgres.sh start || exit 1; \
	url=$$(bash scripts/postgres.sh url); status=0; \
	DATABASE_URL=$$url $(BIN)/python bench/bench_workshop.py --participants 200 \
	  --database postgres || status=1; \
	DATABASE_URL=$$url $(BIN)/python bench/bench_workshop.py --participants 200 \
	  --database postgres --pace 0.6 || status=1; \
	DATABASE_URL=$$url $(BIN)/python bench/bench_workshop.py --participants 200 \
	  --database postgres --kill || status=1; \
	exit $$status

# A local PostgreSQL server in build/pg to try the app on; `bash scripts/postgres.sh url`
# prints its DATABASE_URL.
postgres-start:
	bash scripts/postgres.sh start

postgres-stop:
	bash scripts/postgres.sh stop

# After changing interface text: refresh the catalogue, translate new entries, recompile.
translations: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project crm-maturity -o assessment/translations/messages.pot .
	$(BIN)/pybabel update -i assessment/translations/messages.pot -d assessment/translations \
		--no-fuzzy-matching
	$(BIN)/pybabel compile -d assessment/translations --statistics

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache .hypothesis
