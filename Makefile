# CareNav: `make run` serves the app with demo data; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# XStatic-Bootstrap builds from source with pkg_resources, gone from setuptools 81.
export PIP_CONSTRAINT := $(CURDIR)/.ci/build-constraints.txt
export PIP_DISABLE_PIP_VERSION_CHECK := 1
TEST_WORKERS ?= 2
# `make run PORT=8001` when 8000 is taken; links in e-mails follow (SITE_URL).
PORT ?= 8000

.PHONY: run test install postgres migrate lint format browser-test clean bench messages

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)."; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

postgres: install
	@.ci/ensure-postgres
	@# Only creates the database: development settings spare a fresh clone a secret key.
	@DJANGO_DEBUG=1 $(PY) manage.py ensure_database

migrate: postgres
	$(PY) manage.py migrate --no-input

run: export DJANGO_DEBUG = 1
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: migrate
	$(PY) manage.py seed_demo
	@# Mail left waiting when the last session stopped goes out with this one.
	$(PY) manage.py send_queued_mail
	@echo "CareNav is at http://127.0.0.1:$(PORT) (demo accounts: see README.md)"
	@# The task worker (it sends every e-mail) runs beside the web server; stopping
	@# one (Ctrl-C) stops the other. A background job ignores Ctrl-C, hence the trap.
	@$(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: postgres
	@.ci/ensure-browser-tools
	$(VENV)/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

browser-test: postgres
	@.ci/ensure-browser-tools
	$(VENV)/bin/pytest -m browser $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# For translators (needs GNU gettext): gathers every marked string into the Spanish
# catalogues (locale/, apps/referrals/locale/), then compiles them. The compiled .mo
# files are committed, so running the site or the tests needs no gettext.
messages: install
	DJANGO_DEBUG=1 $(PY) manage.py makemessages --locale es --no-obsolete
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --locale es \
		--ignore '.venv' --ignore 'node_modules' --ignore '.ci'

clean:
	rm -rf $(VENV) staticfiles node_modules test-artifacts

# Load test under gunicorn (needs wrk: apt-get install -y wrk); see bench/run.py.
bench: postgres
	$(PY) bench/run.py $(BENCH_ARGS)
