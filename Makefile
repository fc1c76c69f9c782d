# The two commands of the README's Quick start are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-test lint typecheck messages browser bench clean

# Compiled translations (.mo) are built from the .po files when these are newer (needs gettext's
# msgfmt; without it the committed .mo files are used as they are).
PO_FILES := $(wildcard src/kaisai/locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## Run the demo: SQLite in var/, demo data, web server and worker at http://127.0.0.1:8000
demo: install $(MO_FILES)
	$(BIN)/python -m kaisai.envfile "$${KAISAI_DATA_DIR:-var}" >/dev/null
	KAISAI_DEBUG=1 $(BIN)/kaisai migrate --noinput
	KAISAI_DEBUG=1 $(BIN)/kaisai demo
	KAISAI_DEBUG=1 $(BIN)/kaisai serve

## Run the whole test suite (DATABASE_URL picks PostgreSQL; default SQLite)
test: install-test browser $(MO_FILES)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Debian's Chromium for the Playwright tests (never a downloaded browser)
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi; \
	fi

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install-test
	KAISAI_TESTING=1 $(BIN)/mypy src

## Recompile translations after editing src/kaisai/locale/*/LC_MESSAGES/django.po
messages: install
	cd src/kaisai && KAISAI_DEBUG=1 ../../$(BIN)/kaisai makemessages -l ja -l en --no-obsolete
	cd src/kaisai && KAISAI_DEBUG=1 ../../$(BIN)/kaisai compilemessages

%.mo: %.po
	@if command -v msgfmt >/dev/null; then msgfmt --check-format -o $@ $<; \
	else echo "msgfmt not found (apt-get install gettext): using $@ as committed"; fi

## Every benchmark of bench/README.md with its baselines; writes bench/RESULTS.md's latest block
## (options: make bench BENCH_ARGS="--parts page,search --quick")
bench: install-test
	bench/run.sh $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
