"""The dbt models as Dagster assets, in two dbt calls: the staging models (with the FX table they
read), then the other intermediate models and the marts, so that staging validation can stop them."""

import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from orchestration.assets.landing import WAREHOUSE_POOL
from orchestration.dbt_profile import profile_vars
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


PARTIAL_PARSE = "partial_parse.msgpack"


def dbt_folder(warehouse: Path | str) -> Path:
    """Beside the warehouse, `<warehouse>_dbt/`: the target folder of each dbt step on it and
    the parse they share."""
    warehouse = Path(warehouse)
    return warehouse.with_name(f"{warehouse.stem}_dbt")


@contextmanager
def warehouse_target(warehouse: Path | str, folder: Path) -> Iterator[Path]:
    """`folder` as dbt's target for one call on this warehouse, holding the parse the last dbt
    call on it saved: dbt then parses only the files that changed. The parse depends on the
    profile, which names the warehouse's file (`chipwatch-dbt` runs dbt in its folder), so each
    warehouse keeps its own; the first call on a new one starts from `make manifest`'s."""
    with kept_parse(dbt_folder(warehouse) / PARTIAL_PARSE, folder) as target:
        yield target


@contextmanager
def kept_parse(saved: Path, folder: Path) -> Iterator[Path]:
    """`folder` as dbt's target for one call, holding the parse at `saved` if there is one (else
    the project's, `make manifest`'s); the parse the call leaves then moves to `saved`, which
    appears whole (through a file beside it and a rename, so that `folder` may be on another file
    system and readers never see part of one)."""
    made = folder / PARTIAL_PARSE
    folder.mkdir(parents=True, exist_ok=True)
    project_parse = dbt_project.project_dir / dbt_project.target_path / PARTIAL_PARSE
    for start in (saved, project_parse):
        if start.exists():
            shutil.copyfile(start, made)
            break
    try:
        yield folder
    finally:
        if made.exists():
            saved.parent.mkdir(parents=True, exist_ok=True)
            partial = saved.with_name(f"{saved.name}.{os.getpid()}")
            shutil.copyfile(made, partial)
            os.replace(partial, saved)
            made.unlink()


def _build(context: AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource):
    # "buildable": a test of a mart that also reads a staging model runs with the marts,
    # not in the staging build where the mart does not exist yet.
    arguments = ["build", "--indirect-selection", "buildable", *profile_vars(duckdb.database)]
    step = dbt_folder(duckdb.database) / context.op_execution_context.op.name
    with warehouse_target(duckdb.database, step) as target:
        yield from dbt.cli(arguments, context=context, target_path=target).stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    # The staging models and what they read: the procurement lines are priced in USD from the
    # intermediate FX table, built in the same dbt call rather than a call of its own.
    select="+staging",
    name="dbt_staging",
    dagster_dbt_translator=SchemaKeyTranslator(),
    pool=WAREHOUSE_POOL,
)
def dbt_staging_models(context: AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource):
    yield from _build(context, dbt, duckdb)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    select="intermediate marts",
    exclude="+staging,intermediate",
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
    with warehouse_target(duckdb.database, Path(duckdb.database).parent / "dbt_docs") as target:
        dbt.cli(["docs", "generate", "--static", *profile_vars(duckdb.database)], target_path=target).wait()
    index = target / "static_index.html"
    return MaterializeResult(metadata={"site": MetadataValue.path(str(index))})
