# Every target bootstraps .venv itself: a fresh clone needs nothing but python3 and make.
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project -path dbt_project/target -prune -o \( -name '*.sql' -o -name '*.yml' \) -print)

# Dagster's instance: SQLite in dagster_home/, or PostgreSQL (dagster_home_team/,
# docs/operations.md, "Run it for a team") when DAGSTER_PG_HOST is set.
ifdef DAGSTER_PG_HOST
export DAGSTER_HOME ?= $(CURDIR)/dagster_home_team
else
export DAGSTER_HOME ?= $(CURDIR)/dagster_home
endif
# The suite runs on 4 workers (pytest-xdist) on any machine: most of its time is spent
# waiting, on a child process (interreg, dbt, Chromium) or on a server's timeout.
# `worksteal` lets an idle worker take tests queued on a busy one; a test must not count on
# what another test of its module did before it.
TEST_WORKERS ?= 4
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal
SERVE_HOST ?= 127.0.0.1
SERVE_PORT ?= 3000

.PHONY: run test test-fast test-deep dev serve lint sample docs clean chromium postgres bench nuts-layer screenshots

run: $(INSTALLED) $(MANIFEST)
	$(BIN)/interreg run

test: $(INSTALLED) $(MANIFEST) chromium postgres
	$(BIN)/ruff check .
	$(PYTEST)

# The fast lane: lint and every test that is neither `e2e` nor `slow` (tests/conftest.py
# marks them); `make test` runs everything, as CI does.
test-fast: $(INSTALLED) $(MANIFEST)
	$(BIN)/ruff check .
	$(PYTEST) -m "not e2e and not slow"

# The contract-wide exports through the marts on many fresh seeds (tests/integration/
# test_contract_seeds.py; `make test` runs 2), at every scale from 0.05 to 2, with the
# reference's own test. A failing seed reproduces with `SAMPLE_SEED=<n> make test`;
# SAMPLE_SEEDS=<k> make test-deep runs k seeds.
test-deep: $(INSTALLED) $(MANIFEST)
	SAMPLE_SEEDS=$${SAMPLE_SEEDS:-50} $(PYTEST) tests/integration/test_contract_seeds.py tests/unit/test_reference_as_of.py

dev: $(INSTALLED) $(MANIFEST)
	$(BIN)/dagster dev -w workspace.yaml

# The webserver and the daemon together, as a team runs them: the daemon fires the weekly
# schedule and the sensors, and starts the runs they queue. Ctrl-C stops both.
serve: $(INSTALLED) $(MANIFEST)
	$(BIN)/dagster-daemon run -w workspace.yaml & daemon=$$!; \
	trap 'kill $$daemon 2>/dev/null' EXIT INT TERM; \
	$(BIN)/dagster-webserver -w workspace.yaml -h $(SERVE_HOST) -p $(SERVE_PORT)

lint: $(INSTALLED)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

# The results page's browser tests drive headless Chromium: install Debian's package when
# it is missing (as root, else with sudo). Where that cannot be done they skip, with a
# reason; CI (INTERREG_REQUIRE_CHROMIUM) fails instead.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
	  || command -v google-chrome >/dev/null 2>&1 \
	  || { command -v apt-get >/dev/null 2>&1 \
	       && $$([ "$$(id -u)" -eq 0 ] || echo sudo) sh -c 'apt-get update -q && apt-get install -y -q chromium'; } \
	  || echo "make: no Chromium could be installed; the browser tests will be skipped" >&2

# The PostgreSQL tests start a throwaway cluster with Debian's initdb and pg_ctl: install
# the package when they are missing. Where that cannot be done they skip; CI
# (INTERREG_REQUIRE_POSTGRES) fails instead. The package's own cluster is not used.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 \
	  || { command -v apt-get >/dev/null 2>&1 \
	       && $$([ "$$(id -u)" -eq 0 ] || echo sudo) sh -c 'apt-get update -q && apt-get install -y -q postgresql'; } \
	  || echo "make: PostgreSQL could not be installed; its tests will be skipped" >&2

# docs/marts.md from the marts' dbt documentation, docs/monitoring-export.md from the export's
# contract (tests check both are current).
docs: $(INSTALLED) $(MANIFEST)
	$(BIN)/python -m pipelines.transform.docs > docs/marts.md
	$(BIN)/python -m schemas.docs > docs/monitoring-export.md

# The pipeline against plain DuckDB at scales 1, 10 and 100 (docs/performance.md): takes
# several minutes, prints the figures and writes bench/results/<time>.json. Never part of
# `make test`. e.g. make bench BENCH_ARGS="--scales 1,10 --repeat 3"
BENCH_ARGS ?=
bench: $(INSTALLED) $(MANIFEST)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Phone and desktop screenshots of the results page, for review (headless Chromium; dev
# tooling in tools/browser.py): $(SITE)/screenshots/. Build the page first (make run).
SITE ?= warehouse/site
screenshots: $(INSTALLED) chromium
	$(BIN)/python -m tools.browser $(SITE)

# The bundled map layer (sample/nuts/) from GISCO's file: the derived file is committed.
NUTS_SOURCE ?= ../shared/data/nuts/NUTS_RG_60M_2016_4326_LEVL_2.geojson
nuts-layer: $(INSTALLED)
	$(BIN)/python tools/simplify_nuts.py $(NUTS_SOURCE) sample/nuts/NUTS_RG_60M_2016_4326_LEVL_2.geojson

# Regenerate the bundled sample (deterministic: the same bytes every time).
sample: $(INSTALLED)
	$(BIN)/python -m tools.samples.monitoring --out sample/monitoring

# uv installs the pinned versions pip would, in a third of the time (about 20 s against 55
# here, bytecode compiled as pip does); it is installed by the venv's own pip.
$(INSTALLED): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -c constraints.txt -e ".[dev]"
	touch $@

# The manifest is built, never committed; Dagster reads it to build the asset graph.
$(MANIFEST): $(INSTALLED) $(DBT_SOURCES)
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir .
	touch $@

clean:
	rm -rf $(VENV) dbt_project/target dbt_project/logs warehouse
	git clean -fdX dagster_home
