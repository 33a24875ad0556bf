# Every target installs what it needs by itself; a second run is a fast no-op.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
SUM    := $(shell cksum < pyproject.toml | cut -d' ' -f1)
# make run needs the runtime packages only; the test, lint and bench targets add the dev extra.
RUNTIME := $(VENV)/.installed-runtime-$(SUM)
STAMP  := $(VENV)/.installed-dev-$(SUM)
CHROMIUM := /usr/bin/chromium
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT   ?= 8501

# Not "FAKETIME": that is libfaketime's own variable, and make would pass this value to every child process.
FAKETIME_BIN := /usr/bin/faketime

.PHONY: run test test-future test-fast test-unit test-app test-integration test-browser bench screenshots lint typecheck chromium postgresql pdf-libs clean

$(RUNTIME): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	@rm -f $(VENV)/.installed-runtime-*
	@touch $@

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@ $(RUNTIME)

# Debian's chromium, never a downloaded browser build.
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

chromium: $(CHROMIUM)

# Debian's pango (and HarfBuzz's subsetter, fonts): WeasyPrint lays out the single text and the sponsor brief
# as PDF with them. Looked up by the library's name, so a machine that already has them installs nothing.
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
pdf-libs:
	@{ /sbin/ldconfig -p | grep -q 'libpangoft2-1.0.so.0' && /sbin/ldconfig -p | grep -q 'libharfbuzz-subset.so.0'; } || { \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(PDF_LIBS); }

# Debian's libfaketime: `make test-future` runs every process of the suite a year ahead.
$(FAKETIME_BIN):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq faketime

# Debian's nginx: the tests put the deployment kit's proxy configuration (docs/deploy/nginx) in front of two app
# servers, started on 127.0.0.1 by the test itself (never the system's nginx service).
NGINX_BIN := /usr/sbin/nginx
$(NGINX_BIN):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx

# Debian's PostgreSQL server binaries (>= 15): the tests start a throwaway cluster of their own with them
# (initdb into a temporary folder, 127.0.0.1, a free port) and never use a server that is already running.
PG_INITDB = $(lastword $(sort $(wildcard /usr/lib/postgresql/*/bin/initdb)))
postgresql:
	@test -n "$(PG_INITDB)" || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql; }

# Local mode: one person, this computer only (127.0.0.1); .streamlit/config.toml holds the rest.
run: $(RUNTIME) pdf-libs
	$(VENV)/bin/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT)

test: $(STAMP) $(CHROMIUM) $(NGINX_BIN) postgresql pdf-libs
	HYPOTHESIS_PROFILE=ci $(PY) -m pytest

# The whole suite with the machine's clock a year ahead (servers, browser and databases too): no test may
# depend on the day it runs. In-process tests run on their own fixed clock; the rest must read the real one.
# On the embedded DuckDB (the tests that need PostgreSQL are deselected): `make test` runs them on both
# engines, and CI runs both suites, which on both engines twice no longer fitted its 90 minutes.
test-future: $(STAMP) $(CHROMIUM) $(NGINX_BIN) postgresql pdf-libs $(FAKETIME_BIN)
	COCKPIT_TEST_ENGINES=duckdb HYPOTHESIS_PROFILE=dev $(FAKETIME_BIN) -f '+365d' $(PY) -m pytest -q

# The edit loop: core units and every screen through AppTest on the embedded DuckDB, both cores at once;
# no processes, servers, browser, fuzzing or PostgreSQL (`make test` runs all of them, on both engines).
test-fast: $(STAMP) pdf-libs
	COCKPIT_TEST_ENGINES=duckdb $(PY) -m pytest -q -n 2 -m "not slow and not browser" tests/unit tests/app

test-unit: $(STAMP) postgresql pdf-libs
	$(PY) -m pytest tests/unit

test-app: $(STAMP) postgresql pdf-libs
	$(PY) -m pytest tests/app

test-integration: $(STAMP) postgresql
	CI=1 $(PY) -m pytest tests/integration

test-browser: $(STAMP) $(CHROMIUM) $(NGINX_BIN) postgresql pdf-libs
	$(PY) -m pytest tests/browser

bench: $(STAMP) postgresql
	$(PY) bench/bench.py

# A full-page PNG of every screen (served on a scratch copy of the demo) into docs/screenshots, and the first
# page of each PDF (Debian's poppler-utils draws it).
PDFTOPPM := /usr/bin/pdftoppm
$(PDFTOPPM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq poppler-utils

screenshots: $(STAMP) $(CHROMIUM) pdf-libs $(PDFTOPPM)
	$(PY) docs/screenshots.py

lint: $(STAMP)
	$(VENV)/bin/ruff check core pages app.py tests bench docs
	$(VENV)/bin/ruff format --check core pages app.py tests bench docs
	$(VENV)/bin/lint-imports

# The rules, the store and the screens' helpers (core/) at zero type errors: settings in pyproject.toml.
typecheck: $(STAMP)
	$(VENV)/bin/mypy

# Build output only: the deal database (data/*.duckdb) is the user's work and is never removed here.
clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis .ruff_cache .mypy_cache
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
