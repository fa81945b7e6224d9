# Two commands for a newcomer: `make run` and `make test` (README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The install stamp changes whenever a requirements file does.
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)

# The embedded default: SQLite under var/, tasks in-process.
RUN_ENV := DEBUG=true
# The test suite: real PostgreSQL and Redis on localhost.
TEST_ENV := DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/homecoming} \
	REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/0} \
	CACHE_URL=$${TEST_CACHE_URL:-redis://127.0.0.1:6379/1} \
	SECRET_KEY=test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz \
	ALLOWED_HOSTS=testserver,127.0.0.1,localhost \
	SECURE_SSL_REDIRECT=false

.PHONY: browser help install system-packages messages messages-update run test lint stack services clean bench-pages bench-match bench-notify bench-exchange

help:
	@echo "make run    serve the app with demo data at http://127.0.0.1:8000 (SQLite, tasks in-process)"
	@echo "make test   run the whole suite against PostgreSQL and Redis on localhost"
	@echo "make stack  gunicorn + celery worker + celery beat against PostgreSQL and Redis"
	@echo "make lint   ruff"
	@echo "make bench-pages  throughput and p95 of the signed-in status page beside a bare view (gunicorn, PostgreSQL, wrk)"
	@echo "make bench-match  name matching on 1,000,000 fictional records: latency, import rate, memory, quality"
	@echo "make bench-notify an exchange returning 1,000 prisoners: 2,000 e-mails by real Celery workers, messages/s"
	@echo "make bench-exchange  100,000 prisoners: assemble 1,000 by priority, reconcile 1,000 rows, export XLSX and PDF"

system-packages:
	@scripts/apt-ensure.sh msgfmt:gettext pg_isready:postgresql-client redis-cli:redis-tools

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

install: system-packages $(STAMP)

messages: install
	@$(RUN_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv --verbosity 0

# Re-extract the strings to translate after changing user-facing text.
messages-update: install
	$(RUN_ENV) $(BIN)/python manage.py makemessages -l ru -l uk --ignore=.venv --ignore=var --ignore=tests --no-obsolete

run: install messages
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# Chromium for the browser tests: Debian's package, not Playwright's download.
browser:
	@scripts/apt-ensure.sh chromium:chromium

services: system-packages
	@scripts/ensure-services.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install messages services browser lint
	$(RUN_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

stack: install messages services
	@scripts/stack.sh

# The signed-in request status page under load beside a bare view, on
# gunicorn and PostgreSQL with the production settings (README, "Benchmarks").
bench-pages: install messages system-packages
	$(BIN)/python scripts/bench_pages.py

# Name matching on 1,000,000 fictional records in PostgreSQL: search latency,
# import rate, match_person's memory, and quality on 200,000 (README, "Benchmarks").
bench-match: install messages system-packages
	$(BIN)/python scripts/bench_match.py

# An exchange returning 1,000 prisoners, told to 2,000 relatives by e-mail:
# messages per second with one Celery worker and with two (README, "Benchmarks").
bench-notify: install messages services
	$(BIN)/python scripts/bench_notify.py

# The list builder with 100,000 registered prisoners: assembling 1,000,
# reconciling the other side's 1,000 rows, exporting (README, "Benchmarks").
bench-exchange: install messages services
	$(BIN)/python scripts/bench_exchange.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
