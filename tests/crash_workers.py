"""Work that tests/test_crash_safety.py runs in a subprocess and kills.

`python tests/crash_workers.py PHASE WAREHOUSE [SERVING RUN_ID]`, PHASE one of:

- `ingest`: read every curated table and inbox source and land it (raw, quarantine, accounting);
- `validate`: run the staging Great Expectations suites on the warehouse (read-only);
- `publish`: publish the warehouse to the serving file.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def ingest(warehouse: str) -> None:
    import duckdb

    from ingestion.epoch_clusters import load_epoch_gpu_clusters
    from ingestion.epoch_hardware import load_epoch_ml_hardware
    from ingestion.inbox import load_inbox
    from ingestion.nvidia_revenue import load_revenue_by_market_pdf
    from ingestion.paths import reference_dir
    from ingestion.quarantine import land
    from ingestion.reference import load_reference_csv
    from ingestion.reference_tables import REFERENCE_TABLES
    from ingestion.warehouse import file_sha256, with_load_metadata

    loads = []
    for table in REFERENCE_TABLES.values():
        if table.derive:
            continue  # derived columns: landed by the assets only
        path = reference_dir() / table.file_name
        load = load_reference_csv(path, table)
        load.frame = with_load_metadata(load.frame, path, file_sha256(path))
        loads.append((table.name, load))
    for folder, table, suffix, loader in [
        ("epoch_ml_hardware", "epoch_ml_hardware", ".csv", load_epoch_ml_hardware),
        ("epoch_gpu_clusters", "epoch_gpu_clusters", ".csv", load_epoch_gpu_clusters),
        ("nvidia_revenue", "nvidia_revenue_by_market", ".pdf", load_revenue_by_market_pdf),
    ]:
        loads.append((table, load_inbox(folder, (suffix,), loader)))
    with duckdb.connect(warehouse) as con:
        for _ in range(3):
            for table, load in loads:
                assert land(con, table, load).balanced


def validate(warehouse: str) -> None:
    import duckdb

    from validation.runner import validate_frame
    from validation.staging_suites import STAGING_SUITES

    with duckdb.connect(warehouse, read_only=True) as con:
        frames = {table: con.sql(f'select * from staging."{table}"').pl() for table in STAGING_SUITES}
    for table, frame in frames.items():
        validate_frame(frame, table, STAGING_SUITES[table])


def publish(warehouse: str, serving: str, run_id: str) -> None:
    from serving.publish import publish_warehouse

    publish_warehouse(warehouse, serving, run_id)


if __name__ == "__main__":
    phase, *args = sys.argv[1:]
    {"ingest": ingest, "validate": validate, "publish": publish}[phase](*args)
