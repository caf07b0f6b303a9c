# Every target bootstraps .venv itself: a fresh clone needs nothing but python3 and make.
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project -path dbt_project/target -prune -o \( -name '*.sql' -o -name '*.yml' \) -print)

export DAGSTER_HOME ?= $(CURDIR)/dagster_home

.PHONY: run test dev lint sample clean

run: $(INSTALLED) $(MANIFEST)
	$(BIN)/interreg run

test: $(INSTALLED) $(MANIFEST)
	$(BIN)/ruff check .
	$(BIN)/dg check defs
	$(BIN)/pytest

dev: $(INSTALLED) $(MANIFEST)
	$(BIN)/dagster dev -w workspace.yaml

lint: $(INSTALLED)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

# Regenerate the bundled sample (deterministic: the same bytes every time).
sample: $(INSTALLED)
	$(BIN)/python -m pipelines.samples.monitoring --out sample/monitoring

$(INSTALLED): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

# The manifest is built, never committed; Dagster reads it to build the asset graph.
$(MANIFEST): $(INSTALLED) $(DBT_SOURCES)
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir .
	touch $@

clean:
	rm -rf $(VENV) dbt_project/target dbt_project/logs warehouse
	git clean -fdX dagster_home
