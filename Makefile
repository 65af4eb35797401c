# Veiviser — every target does its own set-up, so `make run` and `make test`
# work on a fresh machine. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Rasa 3.6 needs Python 3.10; find it even when a pyenv shim for it is not active.
PY310  := $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do \
            $$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null && { echo $$p; break; }; done)

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONDONTWRITEBYTECODE := 1
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

CATALOG_SOURCES := $(wildcard locales/*/LC_MESSAGES/messages.po)
CATALOGS := $(CATALOG_SOURCES:.po=.mo)

.PHONY: help setup run chat train test test-workers lint check eval bench lookups rollback po2csv csv2po i18n i18n-extract i18n-update i18n-compile clean

help:  ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s "$$(printf '\t')"

$(STAMP): pyproject.toml
	@test -n "$(PY310)" || { echo "Python 3.10 is required (Rasa 3.6). Install python3.10 and retry."; exit 1; }
	test -x $(PY) || $(PY310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<25" wheel
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m pip check
	touch $(STAMP)

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(STAMP)
	$(VENV)/bin/pybabel compile --statistics -D messages -i $< -o $@

setup: $(STAMP) $(CATALOGS)  ## create .venv, install, compile catalogs

train: setup  ## train the shipped configuration into models/ (skipped when nothing changed)
	$(PY) -m bot train

run: train  ## start Veiviser: Telegram with TELEGRAM_BOT_TOKEN, else a chat in this terminal
	$(PY) -m bot run $(if $(LANG_CODE),--language $(LANG_CODE)) $(ARGS)

chat: train  ## chat in the terminal (LANG_CODE=ar to pick a language)
	$(PY) -m bot chat $(if $(LANG_CODE),--language $(LANG_CODE))

check: setup  ## content check for editors (data, translations, facts); STALE_AFTER_DAYS=365
	$(PY) -m bot check $(if $(STALE_AFTER_DAYS),--stale-after-days $(STALE_AFTER_DAYS))

lint: setup  ## ruff and mypy
	$(VENV)/bin/ruff check bot tests
	$(VENV)/bin/mypy

test: setup  ## all tests, then the end-to-end ones with WORKERS=2 (trains the fast test model once, cached in .cache/)
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory check
	$(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS)
	$(if $(PYTEST_ARGS),,$(MAKE) --no-print-directory test-workers)

E2E := tests/test_telegram.py tests/test_handover.py tests/test_handover_dialogue.py

test-workers: setup  ## the end-to-end tests again, against the front and two workers (WORKERS=2)
	VEIVISER_TEST_WORKERS=2 $(PY) -m pytest -p no:cacheprovider $(E2E)

eval: setup  ## NLU quality per language on the held-out set, shipped configuration
	$(PY) -m bot eval

bench: train  ## latency, throughput and memory beside bare Rasa
	$(PY) -m tests.bench

lookups: setup  ## regenerate nlu/lookups.yml from content/places/ and the examples
	$(PY) -m bot.nlu.lookups

i18n-extract: setup
	$(VENV)/bin/pybabel extract -F babel.cfg --project Veiviser \
	  --copyright-holder Veiviser -o locales/messages.pot .

i18n-update: i18n-extract
	$(VENV)/bin/pybabel update -i locales/messages.pot -d locales -D messages --previous --no-wrap
	$(PY) -m bot i18n-sync-source

i18n: i18n-update  ## extract, update and compile the translation catalogs
	$(MAKE) --no-print-directory i18n-compile

i18n-compile: setup
	$(VENV)/bin/pybabel compile --statistics -d locales -D messages

rollback: setup  ## set the newest model aside; the previous one serves again
	$(PY) -m bot rollback

po2csv: setup  ## a language's catalog as a spreadsheet: LANG_CODE=so -> locales/so.csv
	@test -n "$(LANG_CODE)" || { echo "usage: make po2csv LANG_CODE=so"; exit 2; }
	$(VENV)/bin/po2csv --progress=none locales/$(LANG_CODE)/LC_MESSAGES/messages.po locales/$(LANG_CODE).csv

csv2po: setup  ## read locales/<LANG_CODE>.csv back into the catalog
	@test -n "$(LANG_CODE)" || { echo "usage: make csv2po LANG_CODE=so"; exit 2; }
	$(VENV)/bin/csv2po --progress=none -t locales/messages.pot locales/$(LANG_CODE).csv locales/$(LANG_CODE)/LC_MESSAGES/messages.po
	$(MAKE) --no-print-directory i18n-compile

clean:  ## remove models, caches and the virtualenv
	rm -rf $(VENV) models .cache var results
