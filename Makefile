# The two commands a new user needs: `make up` and `make test`. Everything installs itself.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)

.PHONY: install browser up down status logs test lint format bench screenshots clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)  ## create .venv and install the platform (idempotent)

up: install  ## start the local platform and print its URLs
	@$(BIN)/crypto-platform up

down:  ## stop everything `up` started (data stays in .local/)
	@if [ -x $(BIN)/crypto-platform ]; then $(BIN)/crypto-platform down; else echo "nothing installed"; fi

status: install  ## health and address of every service
	@$(BIN)/crypto-platform status

logs:  ## follow the services' logs
	@tail -n 40 -F .local/run/*.log

lint: install  ## ruff, as CI runs it
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .

format: install
	@$(BIN)/ruff check --fix .
	@$(BIN)/ruff format .

browser:  ## headless Chromium and its driver (Debian packages) for the dashboard's end-to-end test
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null)

test: lint browser  ## the whole suite; starts and stops the services it needs
	@$(BIN)/pytest

screenshots: install browser  ## the README's pictures (docs/images/), taken by the end-to-end browser tests
	@CRYPTO_PLATFORM_SCREENSHOTS=docs/images $(BIN)/pytest -q crypto_platform_tests/streamlit_app/test_browser.py

bench: install  ## benchmarks: print figures and ratios against a reference measured in the same run
	@command -v kcat >/dev/null || (apt-get update -qq && apt-get install -y -qq kcat >/dev/null)
	@$(BIN)/python -m bench.producer
	@$(BIN)/python -m bench.loader
	@$(BIN)/python -m bench.dashboard --trades 1000000
	@$(BIN)/python -m bench.dashboard --trades 50000000
	@$(BIN)/python -m bench.news
	@$(BIN)/python -m bench.footprint
	@$(BIN)/python -m bench.footprint --rate 1000

clean: down  ## remove local data and the virtualenv
	rm -rf .local $(VENV)
