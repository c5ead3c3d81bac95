# Two commands: `make run` (set up, build the warehouse from the offline sample, publish the
# analysts' copy, print a summary) and `make test`. Needs only python3 (3.11+), git and make.
# `make help` lists every target.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The versions installed are those of constraints.txt (make lock rewrites it), so a clone set up
# next month gets the versions the tests passed with.
EXTRAS := dev,postgres
PORT ?= 3000
HOST ?= 127.0.0.1
export DAGSTER_HOME := $(CURDIR)/dagster_home

.PHONY: help setup lock run run-full test test-slow test-all dev sql rate summary report screenshot dictionary lint bench clean
.DEFAULT_GOAL := help

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: $(STAMP) ## create .venv and install the project (once; again when pyproject.toml changes)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[$(EXTRAS)]'
	@touch $@

lock: ## rewrite constraints.txt with the newest versions pyproject.toml allows (then make test-all)
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[$(EXTRAS)]'
	{ echo "# The versions make setup installs (pip -c). Written by make lock; do not edit."; \
	  .lock-venv/bin/python -m pip freeze --all --exclude-editable | grep -iv '^tariff-audit'; } > constraints.txt
	rm -rf .lock-venv

run: setup ## build or update the warehouse from TARIFF_AUDIT_SOURCE (default: the synthetic sample; only what is new or revised), publish it, print a summary
	$(BIN)/python -m pipelines.cli run

run-full: setup ## reload every release and month of the source (make run loads only what is new or revised)
	$(BIN)/python -m pipelines.cli run --full

# One worker per core (at most 4: each runs real CLIs, `dg dev` and DuckDB), one test module per
# worker at a time: a module's fixtures (a built warehouse, a webserver) are built once.
# TEST_JOBS=0 runs in this process, one test after another. make test leaves out the tests
# marked slow (real CLIs killed mid-run, the Dagster webserver, Chromium, PostgreSQL);
# make test-all runs them after it, and CI runs make test-all.
TEST_JOBS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(TEST_JOBS) --maxprocesses=4 --dist loadfile
test: setup ## the tests but the slow ones, in minutes (real-data tests use ../shared/data when it is there)
	$(PYTEST) -m "not slow"

test-slow: setup ## only the slow tests: end-to-end runs, crashes, the UI, Chromium, PostgreSQL
	$(PYTEST) -m slow

test-all: test test-slow ## every test: make test, then the slow ones (what CI runs)

dev: setup ## the Dagster UI and daemon (dg dev) on http://127.0.0.1:3000; PORT=... HOST=... to change
	$(BIN)/dg dev -w workspace.yaml --host $(HOST) --port $(PORT)

# Q, FORMAT and OUT reach the script through the environment (make exports command-line
# variables), so quotes inside the query need no escaping.
sql: setup ## Q="SELECT ..." [FORMAT=csv|parquet OUT=file] on the published copy; no Q: DuckDB CLI
	@$(BIN)/python -m pipelines.sql --format "$$FORMAT" --out "$$OUT" -- "$$Q"

rate: setup ## HS=8703230190 DATE=2025-10-15: the law's rate stack on one line from Japan that day, with citations
	@$(BIN)/python -m pipelines.rate -- "$$HS" "$$DATE"

summary: setup ## print the summary of the published copy
	$(BIN)/python -m pipelines.cli summary

report: setup ## the audit report from the existing warehouse: data/reports/latest.html
	$(BIN)/python -m pipelines.cli report

screenshot: report ## the README's picture of the report's first screen (needs Debian's chromium)
	$(BIN)/python -m pipelines.lib.report.screenshot

dictionary: setup ## regenerate docs/DATA_DICTIONARY.md from the COMMENT ON statements in sql/
	$(BIN)/python -m pipelines.cli dictionary > docs/DATA_DICTIONARY.md

lint: setup ## ruff
	$(BIN)/ruff check pipelines tests benchmarks

# BENCH="--scale 0.25 1 2 4 --label after"  (1x: ~10 min on 2 cores, 5 GB of disk)
bench: setup ## speed and cost figures (benchmarks/, never asserted in tests); BENCH=... options
	$(BIN)/python -m benchmarks.run $(BENCH)

clean: ## remove data/ and the local Dagster run history
	rm -rf data dagster_home/storage dagster_home/history dagster_home/schedules dagster_home/logs
