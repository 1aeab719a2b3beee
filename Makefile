# HMS developer tasks (GNU make).
#
#   make setup      virtualenv with runtime deps + vendored front-end assets
#   make setup-dev  setup + test/lint deps
#   make db         create or migrate the schema (flask db upgrade)
#   make run        setup, migrate, seed demo data if empty, serve on 127.0.0.1:5000
#   make test       run the test suite (PYTEST_ARGS="-k foo" to narrow it;
#                   TEST_DATABASE_URL=postgresql+psycopg://... for PostgreSQL)
#   make bench      load and speed figures into bench/results.md (wrk, PostgreSQL)
#   make lint       ruff check + ruff format --check
#   make format     apply ruff fixes and formatting
#   make clean      remove .venv, node_modules and hms/static/vendor

SHELL := /bin/bash
.DEFAULT_GOAL := setup

PYTHON      ?= python3
VENV        := .venv
PY          := $(VENV)/bin/python
PIP         := $(PY) -m pip
FLASK       := $(VENV)/bin/flask --app wsgi
RUFF        := $(VENV)/bin/ruff
LINT_PATHS  := hms tests config.py wsgi.py
PYTEST_ARGS ?=

NODE_MODULES := node_modules
VENDOR       := hms/static/vendor

.PHONY: setup setup-dev venv venv-dev assets db run test lint format clean bench

# ---------------------------------------------------------------- python venv

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.stamp-runtime: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.stamp-dev: requirements-dev.txt $(VENV)/.stamp-runtime
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.stamp-runtime

venv-dev: $(VENV)/.stamp-dev

# ---------------------------------------------------------- front-end assets

$(NODE_MODULES)/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# hms/static/vendor is generated (and gitignored): copied from node_modules.
$(VENDOR)/.stamp: $(NODE_MODULES)/.stamp Makefile
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/bootstrap/css $(VENDOR)/bootstrap/js $(VENDOR)/chart.js $(VENDOR)/axe-core
	cp $(NODE_MODULES)/bootstrap/dist/css/bootstrap.min.css $(VENDOR)/bootstrap/css/
	cp $(NODE_MODULES)/bootstrap/dist/js/bootstrap.bundle.min.js $(VENDOR)/bootstrap/js/
	cp $(NODE_MODULES)/chart.js/dist/chart.umd.min.js $(VENDOR)/chart.js/
	cp $(NODE_MODULES)/axe-core/axe.min.js $(VENDOR)/axe-core/
	for f in bootstrap/dist/css/bootstrap.min.css:bootstrap/css \
	         bootstrap/dist/js/bootstrap.bundle.min.js:bootstrap/js \
	         chart.js/dist/chart.umd.min.js:chart.js; do \
	  src="$(NODE_MODULES)/$${f%%:*}.map"; \
	  if [ -f "$$src" ]; then cp "$$src" "$(VENDOR)/$${f##*:}/"; fi; \
	done
	touch $@

assets: $(VENDOR)/.stamp

# ------------------------------------------------------------------- targets

setup: venv assets

setup-dev: setup venv-dev

db: setup
	$(FLASK) db upgrade

run: db
	$(FLASK) hms seed-demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

test: setup-dev
	$(PY) -m pytest $(PYTEST_ARGS)

# Load and speed figures: needs wrk (apt-get install wrk) and PostgreSQL for its half.
BENCH := $(PY) bench/run.py --seconds 10
bench: setup-dev
	$(BENCH) --database sqlite --patients 10000 --appointments 20000 --admissions 2000
	$(BENCH) --database sqlite --patients 1000000 --appointments 2000000 --admissions 200000
	$(BENCH) --database postgresql --patients 10000 --appointments 20000 --admissions 2000
	$(BENCH) --database postgresql --patients 1000000 --appointments 2000000 --admissions 200000

lint: setup-dev
	$(RUFF) check $(LINT_PATHS)
	$(RUFF) format --check $(LINT_PATHS)

format: setup-dev
	$(RUFF) check --fix $(LINT_PATHS)
	$(RUFF) format $(LINT_PATHS)

clean:
	rm -rf $(VENV) $(NODE_MODULES) $(VENDOR)
