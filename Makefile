# Developer entry points. `make run` starts the whole app on a laptop with nothing installed
# but Python 3.11: SQLite and kombu's filesystem broker unless DATABASE_URL / REDIS_URL are set.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements.stamp
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-k healthz -x"`. Serial by default:
# `-n 2` measured slower than serial on this 2-core machine, on SQLite and on PostgreSQL.
PYTEST_ARGS ?=
# `make run WEB_PORT=8001` when 8000 is taken.
WEB_PORT ?= 8000

.PHONY: help venv install frontend api run test lint bench migrations-check

help:
	@echo "make run               install, migrate, seed demo data, start web + Celery worker + beat"
	@echo "make test              install, then pytest (PYTEST_ARGS=... for more)"
	@echo "make lint              ruff check and ruff format --check"
	@echo "make migrations-check  fail if a model change has no migration"
	@echo "make bench             python bench/run.py (BENCH_ARGS=bench.trends for one)"
	@echo "make frontend          npm ci, check:api, test, build in frontend/ (no-op without frontend/package.json)"
	@echo "make api               after an API change: write docs/openapi.json and domain.gen.json, regenerate the PWA's types"
	@echo "make venv / install    create .venv and install requirements-dev.txt when it changed"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(None if sys.version_info[:2] == (3, 11) else "Python 3.11 is needed, $(PYTHON) is " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file is newer than the stamp.
$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install -r requirements-dev.txt
	touch $@

venv: $(STAMP)
install: venv

frontend:
	@if [ -f frontend/package.json ]; then \
		cd frontend && npm ci && npm run check:api && npm test && npm run build; \
	else \
		echo "frontend/package.json is absent: no PWA to build"; \
	fi

# The API contract the PWA is typed from: the schema and unit tables (committed, and a test
# fails when they are stale), then src/api/schema.gen.ts from the schema. Review the diff.
api: install
	$(BIN)/python manage.py export_api
	cd frontend && { [ -d node_modules ] || npm ci; } && npm run gen:api

# .env holds docker compose's production values, so honcho is told not to read it:
# local processes take their environment from the shell.
run: install frontend
	$(BIN)/python manage.py migrate --noinput
	@mkdir -p var; test -s var/vapid.env || $(BIN)/python manage.py generate_vapid_keys > var/vapid.env
	$(BIN)/python manage.py seed_demo
	PATH="$(CURDIR)/$(BIN):$$PATH" WEB_PORT=$(WEB_PORT) DJANGO_PUBLIC_URL="$${DJANGO_PUBLIC_URL:-http://localhost:$(WEB_PORT)}" \
		$(BIN)/honcho --env /dev/null -f Procfile.dev start

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	@if [ -f bench/run.py ]; then \
		$(BIN)/python bench/run.py $(BENCH_ARGS); \
	else \
		echo "No benchmark exists (bench/run.py is missing)." >&2; \
		exit 1; \
	fi

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
