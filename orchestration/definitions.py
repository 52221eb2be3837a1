"""The chipwatch code location: every asset, check, job, schedule and sensor."""

from dagster import Definitions

from orchestration.assets.dbt import dbt_docs, dbt_mart_models, dbt_staging_models
from orchestration.assets.fetch import fetch_assets
from orchestration.assets.raw import raw_assets
from orchestration.assets.serving import serving_assets
from orchestration.checks import mart_expectations, staging_expectations
from orchestration.freshness import source_freshness
from orchestration.jobs import jobs, schedules
from orchestration.process import keep_what_is_loaded
from orchestration.resources import build_resources
from orchestration.sensors import inbox_jobs, inbox_sensor

defs = Definitions(
    assets=[
        *raw_assets,
        dbt_staging_models,
        dbt_mart_models,
        dbt_docs,
        *serving_assets,
        *fetch_assets,
    ],
    asset_checks=[staging_expectations, mart_expectations, source_freshness],
    jobs=[*jobs, *inbox_jobs.values()],
    schedules=schedules,
    sensors=[inbox_sensor],
    resources=build_resources(),
)

keep_what_is_loaded()
