# The README's two commands: `make run` and `make test`. Both set everything up first and
# skip what is already done.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP_STAMP := $(VENV)/.requirements-installed
NODE_STAMP := node_modules/.package-lock.json
SYSTEM_STAMP := var/.system-packages
PREPARED := var/.prepared

.PHONY: run test setup migrate lint bench clean

run: setup
	$(PY) manage.py serve

test: setup
	$(PY) -m ruff check .
	$(PY) -m pytest

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
