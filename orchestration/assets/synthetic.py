"""The synthetic data centres: generated from a fixed seed, validated, landed in `raw`."""

from dagster import AssetExecutionContext, MetadataValue, asset
from dagster_duckdb import DuckDBResource

from orchestration.assets.landing import WAREHOUSE_POOL, WRITER_RETRY, raw_check_specs, validate_and_land

TABLE = "synthetic_datacenters"


@asset(
    key=["raw", TABLE],
    group_name="raw",
    pool=WAREHOUSE_POOL,
    retry_policy=WRITER_RETRY,
    kinds={"polars", "duckdb"},
    description=(
        "Synthetic Chinese AI data centres and their cards, generated from a fixed seed "
        "(ingestion/synthetic_datacenters.py); every row has dataset = 'synthetic'."
    ),
    check_specs=raw_check_specs(TABLE, "the synthetic data centres"),
)
def synthetic_datacenters(context: AssetExecutionContext, duckdb: DuckDBResource):
    # Imported here, not at module level, so that loading the code location stays fast.
    from pathlib import Path

    from ingestion import synthetic_datacenters as generator
    from ingestion.warehouse import file_sha256, with_load_metadata

    path = Path(generator.__file__)
    sha256 = file_sha256(path)
    frame = with_load_metadata(generator.generate_synthetic_datacenters(), path, sha256)
    metadata = {
        "source_file": MetadataValue.path(str(path)),
        "source_sha256": sha256,
        "seed": generator.SEED,
        "dataset": "synthetic",
    }
    yield from validate_and_land(TABLE, frame, duckdb, metadata, run_id=context.run.run_id)


synthetic_assets = [synthetic_datacenters]
