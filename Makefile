# Two entry points: `make build` (install, then build the bundled corpus into exports/)
# and `make test` (install with the test tools, then lint, type-check and run the tests).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build test lint install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

build: install
	$(BIN)/kg build

lint: install
	$(BIN)/ruff check kg tests
	$(BIN)/mypy

test: install lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) exports/store exports/*.ttl exports/*.nq exports/*.json exports/*.jsonl
