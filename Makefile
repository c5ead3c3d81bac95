# Two commands: `make run` (set up, build the warehouse from the offline sample, print a summary)
# and `make test`. Needs only python3 (3.11+), git and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME := $(CURDIR)/dagster_home

.PHONY: setup run run-full test dev sql summary report screenshot lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

run: setup
	$(BIN)/python -m pipelines.cli run

# every release and month of the source reloaded (make run loads only what is new or revised)
run-full: setup
	$(BIN)/python -m pipelines.cli run --full

test: setup
	$(BIN)/python -m pytest

dev: setup
	$(BIN)/dagster dev -w workspace.yaml

# make sql Q="SELECT * FROM marts.effective_rates_monthly LIMIT 5"  (read-only)
sql: setup
	$(BIN)/python -m pipelines.cli sql "$(Q)"

summary: setup
	$(BIN)/python -m pipelines.cli summary

# the audit report from the existing warehouse: data/reports/latest.html
report: setup
	$(BIN)/python -m pipelines.cli report

# the README's picture of the report's first screen (needs Debian's chromium)
screenshot: report
	$(BIN)/python -m pipelines.lib.report.screenshot

lint: setup
	$(BIN)/ruff check pipelines tests benchmarks

# make bench [BENCH="--scale 0.25 1 2 4 --label after"]  (1x: ~10 min on 2 cores, 5 GB of disk)
bench: setup
	$(BIN)/python -m benchmarks.run $(BENCH)

clean:
	rm -rf data dagster_home/storage dagster_home/history dagster_home/schedules dagster_home/logs
