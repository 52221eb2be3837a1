"""The chipwatch code location: every asset, check, job and schedule."""

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    Definitions,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
)

from orchestration.assets.dbt import dbt_mart_models, dbt_staging_models
from orchestration.assets.raw import reference_assets
from orchestration.checks import mart_expectations, staging_expectations
from orchestration.resources import build_resources

# One process for the whole build: each extra process would import dagster, dbt and GX again.
build_warehouse = define_asset_job(
    "build_warehouse",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="Ingest every source, validate it, build the dbt models and validate them.",
)

weekly_build = ScheduleDefinition(
    name="weekly_build",
    job=build_warehouse,
    cron_schedule="0 6 * * 1",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
)

defs = Definitions(
    assets=[*reference_assets, dbt_staging_models, dbt_mart_models],
    asset_checks=[staging_expectations, mart_expectations],
    jobs=[build_warehouse],
    schedules=[weekly_build],
    resources=build_resources(),
)
