# Ocrotire: `make demo` runs the whole system on SQLite; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: demo test venv install install-dev messages compilemessages migrate serve lint typecheck \
        migrations-check imports test-deps fuzz bench bench-registry bench-cases bench-analytics ci vendor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

venv: $(BIN)/python

# Installs are skipped when the lock file has not changed since the last install.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.lock
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Translations are compiled with Babel (pure Python), so no system gettext is needed to run.
compilemessages: $(VENV)/.installed
	@for po in locale/*/LC_MESSAGES/django.po; do \
	  $(BIN)/pybabel compile -D django -i $$po -o $${po%.po}.mo >/dev/null || exit 1; \
	done

migrate: $(VENV)/.installed
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

demo: install compilemessages migrate
	$(BIN)/python manage.py demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Ocrotire is on http://$(HOST):$(PORT)/ — sign in as admin, specialist, supervisor, … with password ocrotire-demo"
	@# The background-job worker and the deadline watcher run beside the web server and stop with it.
	@$(BIN)/python manage.py db_worker --no-reload --verbosity 0 & worker=$$!; \
	$(BIN)/python manage.py deadlines_watch --loop & watcher=$$!; \
	trap 'kill $$worker $$watcher 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn config.wsgi:application -c config/gunicorn.conf.py --bind $(HOST):$(PORT) \
	  --access-logfile -

# Debian's chromium drives the browser tests (Playwright's own browser download is not used);
# GNU gettext lets the tests check that every UI string is in the catalogues.
test-deps:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v xgettext >/dev/null 2>&1 || missing="$$missing gettext"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "warning: could not install$$missing"; \
	  else echo "warning: missing$$missing (sudo apt-get install$$missing)"; fi; \
	fi

# The tests run in one process per core (pytest-xdist, each with its own test database);
# TEST_WORKERS=0 runs them in this process. A module goes whole to one process (--dist loadfile),
# so the data a module builds once (conftest.py `module_world`) is built once; the modules go out
# heaviest first (conftest.py `HEAVY_FIRST`), so that no process is left working alone at the end.
TEST_WORKERS ?= auto
test: install-dev compilemessages test-deps
	mkdir -p var/staticfiles
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

# Schemathesis against the demo on a fresh SQLite database (.ci/schemathesis.sh; CI runs it).
fuzz: install-dev compilemessages
	bash .ci/schemathesis.sh

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The order of imports between apps (pyproject.toml [tool.importlinter]) and the names that cross.
imports: install-dev
	$(BIN)/lint-imports --no-cache
	$(BIN)/python .ci/check_names.py

typecheck: install-dev
	$(BIN)/mypy .

migrations-check: install-dev
	$(BIN)/python manage.py makemigrations --check --dry-run

# Needs GNU gettext (xgettext): regenerates the catalogues and fails if a string is missing from them.
messages:
	$(BIN)/python manage.py makemessages --no-obsolete --no-location -l ro -l uk -l ru -l en \
	  --ignore=.venv --ignore=var --ignore=static
vendor:
	cd /tmp && rm -rf ocrotire-vendor && mkdir ocrotire-vendor && cp $(CURDIR)/package.json ocrotire-vendor/ \
	  && cd ocrotire-vendor && npm install --silent --no-audit --no-fund
	cp /tmp/ocrotire-vendor/node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	mkdir -p static/vendor/chartjs
	cp /tmp/ocrotire-vendor/node_modules/chart.js/dist/chart.umd.min.js static/vendor/chartjs/
	cp /tmp/ocrotire-vendor/node_modules/chart.js/LICENSE.md static/vendor/chartjs/
	mkdir -p static/vendor/idb
	cp /tmp/ocrotire-vendor/node_modules/idb/build/umd.js static/vendor/idb/idb.umd.js
	cp /tmp/ocrotire-vendor/node_modules/idb/LICENSE static/vendor/idb/
	cp /tmp/ocrotire-vendor/node_modules/axe-core/axe.min.js ocrotire/core/tests/assets/

# Benchmarks (not tests): PostgreSQL, figures appended to docs/PERFORMANCE.md.
SCALE ?= 100000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ocrotire_bench
BENCH_CASES_DATABASE_URL ?= $(BENCH_DATABASE_URL)_cases
BENCH_ARGS ?=
bench: bench-registry bench-cases bench-analytics

bench-registry: install-dev
	$(BIN)/python bench/registry_bench.py --scale $(SCALE) --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)

# Case list and search, report creation under load (gunicorn + locust), web worker memory.
bench-cases: install-dev
	$(BIN)/python bench/cases_bench.py --scale $(SCALE) --database-url $(BENCH_CASES_DATABASE_URL) $(BENCH_ARGS)

# Dashboards, the HG 270 report and the DHIS2 export on the cases bench database (generated
# by bench-cases, which runs first in `make bench`).
bench-analytics: install-dev
	$(BIN)/python bench/analytics_bench.py --database-url $(BENCH_CASES_DATABASE_URL) $(BENCH_ARGS_ANALYTICS)

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) var
