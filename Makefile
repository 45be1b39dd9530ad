# The two commands of the README. Both work on a bare machine with Python >= 3.11:
# without DATABASE_URL / REDIS_URL they start an embedded PostgreSQL and Redis under .local/.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint bench stop clean-local

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[local,dev]"
	touch $@

run: $(VENV)/.installed
	$(PY) -m assett.devstack run

test: $(VENV)/.installed
	$(PY) -m assett.devstack test $(ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

bench: $(VENV)/.installed
	$(PY) -m assett.devstack bench

stop:
	test ! -x $(PY) || $(PY) -m assett.devstack stop

# Stops the embedded servers first: a Redis left running on a deleted folder can no longer save.
clean-local: stop
	rm -rf .local
