"""One asset per curated reference table: read the CSV, validate the frame, land it in `raw`."""

from dagster import AssetExecutionContext, AssetsDefinition, MetadataValue, asset
from dagster_duckdb import DuckDBResource

from ingestion.paths import reference_dir
from ingestion.reference_tables import REFERENCE_TABLES, ReferenceTable
from orchestration.assets.landing import WAREHOUSE_POOL, WRITER_RETRY, raw_check_specs, validate_and_land


def reference_asset(table: ReferenceTable) -> AssetsDefinition:
    @asset(
        key=["raw", table.name],
        group_name="raw",
        pool=WAREHOUSE_POOL,
        retry_policy=WRITER_RETRY,
        kinds={"polars", "duckdb"},
        description=f"Curated `{table.file_name}`, validated, then landed in raw.{table.name}.",
        check_specs=raw_check_specs(table.name, table.file_name),
    )
    def _reference_asset(context: AssetExecutionContext, duckdb: DuckDBResource):
        # Imported here, not at module level, so that loading the code location stays fast.
        from importlib import import_module

        from ingestion.reference import load_reference_csv
        from ingestion.warehouse import file_sha256, with_load_metadata

        path = reference_dir() / table.file_name
        sha256 = file_sha256(path)
        load = load_reference_csv(path, table)
        if table.derive:
            module, function = table.derive.split(":")
            load.frame = getattr(import_module(module), function)(load.frame)
        load.frame = with_load_metadata(load.frame, path, sha256)
        metadata = {"source_file": MetadataValue.path(str(path)), "source_sha256": sha256}
        yield from validate_and_land(table.name, load, duckdb, metadata, run_id=context.run.run_id)

    return _reference_asset


reference_assets = [reference_asset(table) for table in REFERENCE_TABLES.values()]
