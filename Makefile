# chipwatch: `make run` builds the warehouse, `make test` runs the tests. Each installs what it needs.
SHELL := /bin/bash

# uv from PATH, else the one pip installs for this Python (bootstrapped by `make install`).
UV = $(shell command -v uv 2>/dev/null || echo python3 -m uv)
RUN = $(UV) run --frozen --no-sync

export DAGSTER_HOME := $(CURDIR)/.dagster_home
export GX_ANALYTICS_ENABLED := false
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: install manifest run run-ducklake fetch test bench dev lint clean

# --compile-bytecode: every process would otherwise compile dbt, Dagster and GX from source again
# where Python may not write bytecode (PYTHONDONTWRITEBYTECODE, read-only installs).
install:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen --compile-bytecode
	@mkdir -p "$(DAGSTER_HOME)"
	@test -f "$(DAGSTER_HOME)/dagster.yaml" || cp orchestration/dagster.yaml "$(DAGSTER_HOME)/dagster.yaml"

# The dbt manifest that the Dagster definitions read: built here, never at import time. Parsed
# as the build's dbt calls are (chipwatch-dbt, the build's --vars), so their first call on any
# warehouse named chipwatch.duckdb re-parses nothing.
manifest: install
	$(RUN) chipwatch-dbt parse --project-dir dbt_project --profiles-dir dbt_project --quiet \
		--vars "$$($(RUN) python -m orchestration.dbt_profile)"

# Incremental: skips when no input changed since the last good build; FULL=1 rebuilds everything.
run: manifest
	$(RUN) python -m orchestration.build $(if $(FULL),--full)

# The only target that reaches the network: every source's new release into its inbox folder
# (SOURCE=epoch_ml_hardware for one). `make run` then loads what is new.
fetch: install
	$(RUN) python -m ingestion.fetch $(SOURCE)

# The same build on DuckLake: a catalog in a local PostgreSQL, data as Parquet in warehouse/lake_data.
run-ducklake: manifest
	CHIPWATCH_BACKEND=ducklake CHIPWATCH_DUCKLAKE_CATALOG="$$(bash scripts/start_postgres.sh)" \
		$(RUN) python -m orchestration.build $(if $(FULL),--full)

# The tests on TEST_WORKERS processes (pytest-xdist; default 3 on this project's 2-core machines:
# a third worker runs while the others wait on builds' subprocesses, PostgreSQL and locks;
# measured on a clean clone: 675 tests in 508 s), a test file to a worker (--dist loadfile): a module's fixtures (a built DuckLake, the crash
# sandbox) are made once and its tests keep their order. Files are handed out in the order
# tests/conftest.py gives them, the longest first (--no-loadscope-reorder). (xdist 3.8's
# `loadgroup` marks have no effect on pytest 9.2, whose node ids it can no longer suffix.)
TEST_WORKERS ?= 3
test: manifest
	$(RUN) pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# Figures, not tests (docs/BENCHMARKS.md): ingestion against DuckDB read_csv and dlt on synthetic
# prices, GX share, peak RSS, imports, cold vs no-change builds, query p50/p95. SIZE=10m for more rows.
# dlt is in the `bench` dependency group, which the plain `uv sync --frozen` of install leaves out.
# BENCH_ARGS passes more options, e.g. BENCH_ARGS="--prices FILE" to reuse a generated 100m file.
bench: manifest
	$(UV) sync --frozen --compile-bytecode --group bench
	RUNTIME__DLTHUB_TELEMETRY=false $(RUN) python bench/run.py --size $(or $(SIZE),1m) $(BENCH_ARGS)

dev: manifest
	$(RUN) dagster dev -w workspace.yaml

clean:
	rm -rf warehouse .dagster_home dbt_project/target dbt_project/logs .pytest_cache

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .
