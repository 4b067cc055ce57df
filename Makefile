# Koperasi: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO ?= 1
PIP_INSTALL := $(BIN)/pip install -q --disable-pip-version-check -c requirements/constraints.txt

.PHONY: install install-dev run serve test lint typecheck pytest test-postgres bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.base-installed: $(BIN)/python requirements/base.txt requirements/constraints.txt
	$(PIP_INSTALL) -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.base-installed requirements/dev.txt
	$(PIP_INSTALL) -r requirements/dev.txt
	touch $@

install: $(VENV)/.base-installed
install-dev: $(VENV)/.dev-installed

## run: install, migrate, load the Balikpapan demo (DEMO=0: only reference data + admin), serve
run: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
ifeq ($(DEMO),0)
	$(BIN)/python manage.py bootstrap_admin
else
	$(BIN)/python manage.py load_demo
endif
	$(MAKE) --no-print-directory serve

serve:
	@echo "Koperasi berjalan di http://127.0.0.1:$(PORT)  (Ctrl+C untuk berhenti)"
	$(BIN)/gunicorn koperasi.config.wsgi --pythonpath src --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile -

## test: ruff, mypy and pytest on SQLite (browser tests run when Debian's chromium is installed)
test: lint typecheck pytest

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install-dev
	$(BIN)/mypy

pytest: install-dev
	$(BIN)/pytest

## test-postgres: the pytest suite against PostgreSQL (DATABASE_URL, default local server)
test-postgres: install-dev
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/koperasi} $(BIN)/pytest -m "not browser"

bench: install-dev
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var
