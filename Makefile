# citygate: `make up` runs the whole job on the embedded AWS; `make test` runs the test suite.
# Both install what they need first (idempotent: each step re-runs only when its inputs change).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
# apt needs root: use sudo where we are not root (hosted CI runners).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
NODE := $(CURDIR)/.tools/node/node_modules/node/bin/node

export CHECKOV_BIN := $(CURDIR)/.venv-checkov/bin/checkov

.PHONY: deps browser postgres up test lint typecheck bench lock clean

deps: $(VENV)/.installed .venv-checkov/.installed .venv-airflow/.installed .tools/node/.installed browser postgres

# Headless Chromium renders the living-documentation page in the report tests (Debian's package).
browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# The city API's tests start a throwaway PostgreSQL server from Debian's binaries (citygate/localcity/postgres.py).
postgres:
	@command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; }

$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(UV) || $(VENV)/bin/pip install -q uv==$(UV_VERSION)
	$(UV) pip install -q --python $(PY) -r requirements.lock
	touch $@

.venv-checkov/.installed: requirements-checkov.lock $(VENV)/.installed
	test -x .venv-checkov/bin/python || $(PYTHON) -m venv .venv-checkov
	$(UV) pip install -q --python .venv-checkov/bin/python -r requirements-checkov.lock
	touch $@

# Airflow and kfp pin much of their stacks: the data and training pipelines run from their own venv.
.venv-airflow/.installed: requirements-airflow.lock $(VENV)/.installed
	test -x .venv-airflow/bin/python || $(PYTHON) -m venv .venv-airflow
	$(UV) pip install -q --python .venv-airflow/bin/python -r requirements-airflow.lock
	touch $@

.tools/node/.installed: package.json package-lock.json
	mkdir -p .tools/node
	cp package.json package-lock.json .tools/node/
	npm ci --silent --no-audit --no-fund --prefix .tools/node
	$(NODE) --version
	touch $@

up: deps
	$(PY) main.py up --env local

test: deps
	$(PY) -m pytest -q -ra

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: deps
	$(VENV)/bin/mypy

bench: deps
	for script in bench/bench_*.py; do $(PY) $$script || exit 2; done

lock: $(VENV)/.installed
	$(UV) pip compile -q --python-version 3.11 requirements.in -o requirements.lock
	$(UV) pip compile -q --python-version 3.11 requirements-checkov.in -o requirements-checkov.lock
	$(UV) pip compile -q --python-version 3.11 requirements-airflow.in -o requirements-airflow.lock

clean:
	rm -rf .work cdktf.out reports
