# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
# Everything they need is installed from the lock files; nothing is fetched at run time.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SG := $(BIN)/safeguarding
DEMO_ENV := SAFEGUARDING_DEBUG=1 SAFEGUARDING_DEMO=1 DATABASE_URL=sqlite:///$(CURDIR)/demo.sqlite3
SEED ?= 1
SCALE ?= 1
# pytest-xdist workers: one per core by default; PYTEST_WORKERS=0 runs the suite serially
# in one process, PYTEST_WORKERS=2 on two (docs/decisions/0060-parallel-test-suite.md).
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist loadgroup

.PHONY: install assets demo demo-data serve test lint typecheck migrations-check pytest browser bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade "pip>=24"

$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

build/static/.built: node_modules/.installed $(wildcard frontend/*)
	node frontend/build.mjs
	touch $@

install: $(VENV)/.installed build/static/.built

assets: build/static/.built

demo: install demo-data serve

demo-data: install
	$(DEMO_ENV) $(SG) migrate --noinput -v 0
	$(DEMO_ENV) $(SG) createcachetable
	$(DEMO_ENV) $(SG) demo --seed $(SEED) --scale $(SCALE) --reset

serve:
	$(DEMO_ENV) $(SG) demo_signin_help
	$(DEMO_ENV) $(SG) runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy safeguarding bench

migrations-check: install
	$(SG) makemigrations --check --dry-run

browser:
	bash scripts/ensure-chromium

# The suite runs on SQLite always, and again on PostgreSQL when DATABASE_URL is set; each
# run on every core, each worker with its own test database.
pytest: install browser
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_PARALLEL)
	if [ -n "$$DATABASE_URL" ]; then $(BIN)/pytest $(PYTEST_PARALLEL); fi

test: lint typecheck migrations-check pytest

bench: install
	$(BIN)/python bench/run.py $(BENCH)

clean:
	rm -rf $(VENV) node_modules build demo.sqlite3 db.sqlite3
