"""The dbt models as Dagster assets, split so that staging validation can stop intermediate and marts."""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from ingestion.backend import backend, default_memory_limit, ducklake_data_path, install_bundled_extensions
from orchestration.assets.landing import WAREHOUSE_POOL
from orchestration.resources import dbt_project


class SchemaKeyTranslator(DagsterDbtTranslator):
    """Key models by `[schema, model]` (e.g. `marts/market_share`), grouped by schema."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "model":
            return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "model":
            return dbt_resource_props["schema"]
        return super().get_group_name(dbt_resource_props)


def profile_vars(duckdb: DuckDBResource) -> list[str]:
    """`--vars` that point dbt's profile (profiles.yml) at this run's warehouse, with the memory
    cap every other connection gets; on DuckLake, the extensions are installed for dbt's LOAD."""
    settings = {"warehouse": duckdb.database, "memory_limit": default_memory_limit()}
    if backend() == "ducklake":
        settings["ducklake_data_path"] = ducklake_data_path(duckdb.database)
        install_bundled_extensions()
    return ["--vars", json.dumps(settings)]


def _build(context: AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource):
    # "buildable": a test of a mart that also reads a staging model runs with the marts,
    # not in the staging build where the mart does not exist yet.
    arguments = ["build", "--indirect-selection", "buildable", *profile_vars(duckdb)]
    yield from dbt.cli(arguments, context=context).stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    select="staging",
    name="dbt_staging",
    dagster_dbt_translator=SchemaKeyTranslator(),
    pool=WAREHOUSE_POOL,
)
def dbt_staging_models(context: AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource):
    yield from _build(context, dbt, duckdb)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    select="intermediate marts",
    name="dbt_marts",
    dagster_dbt_translator=SchemaKeyTranslator(),
    pool=WAREHOUSE_POOL,
)
def dbt_mart_models(context: AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource):
    yield from _build(context, dbt, duckdb)


@asset(
    key="dbt_docs",
    group_name="serving",
    kinds={"dbt"},
    deps=[*dbt_staging_models.keys, *dbt_mart_models.keys],
    pool=WAREHOUSE_POOL,
    description="dbt's documentation site (lineage, column descriptions), as one offline HTML file "
    "in dbt_docs/ next to the warehouse.",
)
def dbt_docs(dbt: DbtCliResource, duckdb: DuckDBResource) -> MaterializeResult:
    target = Path(duckdb.database).parent / "dbt_docs"
    dbt.cli(["docs", "generate", "--static", *profile_vars(duckdb)], target_path=target).wait()
    index = target / "static_index.html"
    return MaterializeResult(metadata={"site": MetadataValue.path(str(index))})
