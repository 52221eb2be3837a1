"""Publish the checked warehouse to the serving file, then build the dashboard from it.

`serving_file` depends on every dbt model, so it runs only after all of them were built and
their blocking checks passed: a run that fails a check never publishes.
"""

from pathlib import Path

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset
from dagster_duckdb import DuckDBResource

from orchestration.assets.dbt import dbt_mart_models, dbt_staging_models

SERVING_GROUP = "serving"


@asset(
    key="serving_file",
    group_name=SERVING_GROUP,
    kinds={"duckdb"},
    deps=[*dbt_staging_models.keys, *dbt_mart_models.keys],
    description=(
        "The marts and staging tables copied to the read-only serving file (`CHIPWATCH_SERVING`, "
        "default serving.duckdb next to the warehouse) and swapped into place atomically."
    ),
)
def serving_file(context: AssetExecutionContext, duckdb: DuckDBResource) -> MaterializeResult:
    from orchestration.changes import code_version, last_publish, published_inputs
    from serving.publish import publish, serving_path
    from serving.status import run_checks

    target = serving_path(duckdb.database)
    inputs = published_inputs(context.instance, last_publish(context.instance))
    # Every check evaluated so far in this run goes into the serving file's `meta.checks`.
    checks = run_checks(context.instance, context.run.run_id)
    with duckdb.get_connection() as con:
        result = publish(con, target, context.run.run_id, checks=checks)
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(result.path)),
            "published_at_utc": result.published_at.isoformat(timespec="seconds"),
            "tables": len(result.row_counts),
            "rows": sum(result.row_counts.values()),
            "row_counts": MetadataValue.json(result.row_counts),
            # What `make run` and the inbox sensor compare the files with (orchestration/changes.py).
            "inputs": MetadataValue.json(inputs),
            "code_version": code_version(),
        }
    )


@asset(
    key="dashboard",
    group_name=SERVING_GROUP,
    kinds={"html"},
    deps=[serving_file],
    description="A self-contained offline HTML dashboard (dashboard.html next to the serving file).",
)
def dashboard(duckdb: DuckDBResource) -> MaterializeResult:
    from serving.dashboard import write_dashboard
    from serving.publish import serving_path

    source = serving_path(duckdb.database)
    written = write_dashboard(source, Path(source).with_name("dashboard.html"))
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(written.path)),
            "charts": MetadataValue.json(written.charts),
        }
    )


serving_assets = [serving_file, dashboard]
