# Doorstep: the two commands a new machine needs are `make demo` and `make test`.
# Everything installs into the project: a venv in .venv and the PWA's packages in pwa/node_modules.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PWA_SOURCES := $(shell find pwa/src pwa/public -type f 2>/dev/null) pwa/index.html pwa/vite.config.ts

.PHONY: demo test install lint typecheck test-python test-pwa bench clean

demo: install
	$(BIN)/doorstep demo

test: install lint typecheck test-pwa test-python

install: $(VENV)/.installed pwa/dist/index.html

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

pwa/node_modules/.installed: pwa/package.json pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund --loglevel=error
	touch $@

pwa/dist/index.html: pwa/node_modules/.installed $(PWA_SOURCES)
	cd pwa && npm run build --silent

lint: $(VENV)/.installed
	$(BIN)/ruff check backend tests bench alembic/env.py
	$(BIN)/ruff format --check backend tests bench alembic/env.py

typecheck: $(VENV)/.installed
	$(BIN)/mypy

test-pwa: pwa/node_modules/.installed
	cd pwa && npm test --silent

# The API tests in parallel (each worker has its own SQLite files, PostgreSQL database and Redis namespace),
# then the browser tests on their own: Chromium and the demo server need the machine's CPUs to themselves.
PYTEST_WORKERS ?= auto
test-python: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --maxprocesses=4 -m "not e2e" --durations=10
	$(BIN)/pytest -m e2e --durations=5

bench: install
	$(BIN)/python bench/import_orders.py

clean:
	rm -rf $(VENV) pwa/node_modules pwa/dist instance
