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

    from ingestion.lander import land, source_files
    from ingestion.registry import SOURCES

    sources = [
        s
        for s in SOURCES
        if s.file_name or s.table in ("epoch_ml_hardware", "epoch_gpu_clusters", "nvidia_revenue_by_market")
    ]
    files = {source.table: source_files(source) for source in sources}
    with duckdb.connect(warehouse) as con:
        for _ in range(3):
            for source in sources:
                assert land(con, source, files[source.table]).accounting.balanced


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
