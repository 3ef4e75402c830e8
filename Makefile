# The README's two commands: `make run` and `make test`. Both set everything up first and
# skip what is already done.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP_STAMP := $(VENV)/.requirements-installed
NODE_STAMP := node_modules/.package-lock.json
SYSTEM_STAMP := var/.system-packages
PREPARED := var/.prepared

# The PostgreSQL pass runs the database-heavy tests again on a fresh database of this server.
POSTGRES_TEST_URL ?= postgres://postgres@127.0.0.1:5432/postgres
POSTGRES_TESTS := kulvex/tests/test_auth.py kulvex/tests/test_users.py chat/tests \
	terminal/tests/test_terminal.py voice/tests/test_pipeline.py

.PHONY: run test test-postgres setup migrate lint bench clean

run: setup
	$(PY) manage.py serve

test: setup
	$(PY) -m ruff check .
	$(PY) -m pytest
	$(MAKE) --no-print-directory test-postgres

test-postgres: setup
	@if $(PY) -c "import psycopg; psycopg.connect('$(POSTGRES_TEST_URL)', connect_timeout=3).close()" 2>/dev/null; \
	then TEST_POSTGRES_URL=$(POSTGRES_TEST_URL) $(PY) -m pytest $(POSTGRES_TESTS); \
	else echo "PostgreSQL is not reachable at $(POSTGRES_TEST_URL): skipping the PostgreSQL pass."; fi

setup: $(PIP_STAMP) $(NODE_STAMP) $(SYSTEM_STAMP) $(PREPARED)

$(PY):
	$(PYTHON) -m venv $(VENV)

$(PIP_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(SYSTEM_STAMP): scripts/system-packages.sh
	bash scripts/system-packages.sh
	mkdir -p var && touch $@

# Migrations run every time (fast when there is nothing to do); models are prepared once.
$(PREPARED): $(PIP_STAMP) $(SYSTEM_STAMP)
	$(PY) manage.py prepare
	touch $@

migrate: $(PIP_STAMP)
	$(PY) manage.py migrate --no-input

run test: migrate

lint: $(PIP_STAMP)
	$(PY) -m ruff check .

bench: setup migrate
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules var/.prepared var/.system-packages
