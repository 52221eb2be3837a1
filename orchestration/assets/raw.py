"""One asset per curated reference table: read the CSV, validate the frame, land it in `raw`."""

from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster_duckdb import DuckDBResource

from ingestion.paths import reference_dir
from ingestion.reference_tables import REFERENCE_TABLES, ReferenceTable
from orchestration.checks import EXPECTATIONS_CHECK, outcome_metadata
from validation.raw_suites import RAW_SUITES


def reference_asset(table: ReferenceTable) -> AssetsDefinition:
    key = ["raw", table.name]

    @asset(
        key=key,
        group_name="raw",
        kinds={"polars", "duckdb"},
        description=f"Curated `{table.file_name}`, validated, then landed in raw.{table.name}.",
        check_specs=[
            AssetCheckSpec(
                EXPECTATIONS_CHECK,
                asset=key,
                blocking=True,
                description=f"Great Expectations raw suite for {table.name}, run before landing.",
            )
        ],
    )
    def _reference_asset(duckdb: DuckDBResource):
        # Imported here, not at module level, so that loading the code location stays fast.
        from ingestion.reference import read_reference_csv
        from ingestion.warehouse import file_sha256, replace_table, with_load_metadata
        from validation.runner import validate_frame

        path = reference_dir() / table.file_name
        frame = read_reference_csv(path, table)
        outcome = validate_frame(frame, table.name, RAW_SUITES[table.name])
        yield AssetCheckResult(
            check_name=EXPECTATIONS_CHECK, passed=outcome.success, metadata=outcome_metadata(outcome)
        )
        if not outcome.success:
            raise Failure(
                description=f"raw.{table.name} was not landed: {outcome.describe()}",
                metadata={"source_file": str(path)},
            )
        sha256 = file_sha256(path)
        with duckdb.get_connection() as con:
            rows = replace_table(con, "raw", table.name, with_load_metadata(frame, path, sha256))
        yield MaterializeResult(
            metadata={
                "rows": rows,
                "source_file": MetadataValue.path(str(path)),
                "source_sha256": sha256,
            }
        )

    return _reference_asset


reference_assets = [reference_asset(table) for table in REFERENCE_TABLES.values()]
