"""One ingestion method per process, so each one's peak RSS is its own.

    python -m bench.ingest chipwatch|duckdb|dlt|profile PRICES_CSV DATABASE

prints one JSON object: the stage times (seconds, imports excluded and reported apart), rows
landed, the RSS after the imports and the peak RSS (bytes, from `ru_maxrss`).

- `chipwatch`: the product's path, as `raw.daily_prices` lands a file: `read_price_file`, the raw
  suite `RAW_SUITES['daily_prices']` through `validate_frame` (GX), `replace_table` into DuckDB.
- `duckdb` (the floor): `CREATE TABLE ... AS SELECT * FROM read_csv(...)`.
- `dlt` (the peer): a dlt resource yielding Arrow record batches from pyarrow's streaming CSV
  reader, `write_disposition='replace'`, duckdb destination (dlt's fastest documented route).
- `profile`: where chipwatch's read time goes (polars CSV read as text, column mapping with its
  per-row `extra_json`, parsing, `to_pandas`), measured apart so the main figures stay clean.
"""

import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("DLT_TELEMETRY_DISABLED", "1")

TABLE = "daily_prices"


def peak_rss() -> int:
    """Peak resident set size of this process, bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Clock:
    def __init__(self):
        self.stages: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = self.stages.get(stage, 0.0) + now - self._last
        self._last = now


def count_rows(database: Path, table: str) -> int:
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(f"select count(*) from {table}").fetchone()[0]


def chipwatch(csv: Path, database: Path) -> dict:
    clock = Clock()
    import duckdb

    from ingestion.prices import read_price_file
    from ingestion.warehouse import replace_table
    from validation.raw_suites import RAW_SUITES
    from validation.runner import _context, validate_frame

    clock.lap("import")
    _context()  # GX import and its ephemeral context: paid once per process
    clock.lap("gx_setup")
    baseline = peak_rss()
    clock._last = time.perf_counter()
    frame = read_price_file(csv)
    clock.lap("read")
    outcome = validate_frame(frame, TABLE, RAW_SUITES[TABLE])
    clock.lap("validate")
    if not outcome.success:
        raise SystemExit(f"the synthetic prices failed the raw suite: {outcome.describe()}")
    with duckdb.connect(str(database)) as con:
        replace_table(con, "raw", TABLE, frame)
    clock.lap("land")
    return {
        "stages": clock.stages,
        "work_s": clock.stages["read"] + clock.stages["validate"] + clock.stages["land"],
        "rows": count_rows(database, f"raw.{TABLE}"),
        "expectations": outcome.evaluated,
        "baseline_rss": baseline,
        "peak_rss": peak_rss(),
    }


def floor(csv: Path, database: Path) -> dict:
    clock = Clock()
    import duckdb

    clock.lap("import")
    baseline = peak_rss()
    clock._last = time.perf_counter()
    with duckdb.connect(str(database)) as con:
        con.execute("create schema raw")
        # A literal path: with a prepared parameter DuckDB reads the file about twice as slowly.
        path = str(csv).replace("'", "''")
        con.execute(f"create table raw.{TABLE} as select * from read_csv('{path}')")
    clock.lap("load")
    return {
        "stages": clock.stages,
        "work_s": clock.stages["load"],
        "rows": count_rows(database, f"raw.{TABLE}"),
        "baseline_rss": baseline,
        "peak_rss": peak_rss(),
    }


def peer(csv: Path, database: Path) -> dict:
    clock = Clock()
    import dlt
    import pyarrow.csv as pacsv

    clock.lap("import")
    baseline = peak_rss()
    clock._last = time.perf_counter()

    @dlt.resource(name=TABLE, write_disposition="replace")
    def prices():
        reader = pacsv.open_csv(csv, read_options=pacsv.ReadOptions(block_size=16 << 20))
        yield from reader

    pipeline = dlt.pipeline(
        pipeline_name="bench_prices",
        destination=dlt.destinations.duckdb(str(database)),
        dataset_name="raw",
        pipelines_dir=str(database.parent / "dlt_pipelines"),
    )
    pipeline.extract(prices())
    clock.lap("extract")
    pipeline.normalize()
    clock.lap("normalize")
    pipeline.load()
    clock.lap("load")
    return {
        "stages": clock.stages,
        "work_s": clock.stages["extract"] + clock.stages["normalize"] + clock.stages["load"],
        "rows": count_rows(database, f"raw.{TABLE}"),
        "dlt_version": dlt.__version__,
        "baseline_rss": baseline,
        "peak_rss": peak_rss(),
    }


def profile(csv: Path, database: Path) -> dict:
    """The parts of chipwatch's read, each timed on its own."""
    clock = Clock()
    import pandas  # noqa: F401  (imported here so that to_pandas below is timed warm)
    import polars as pl
    import pyarrow  # noqa: F401

    from ingestion import columns
    from ingestion.prices import COLUMNS, read_price_file

    clock.lap("import")
    raw = pl.read_csv(csv, infer_schema=False)
    clock.lap("polars_read_text")
    if hasattr(columns, "map_columns"):
        columns.map_columns(raw, COLUMNS, csv)
        clock.lap("map_columns")
    if hasattr(columns, "_extra_json"):
        columns._extra_json(raw, [])
        clock.lap("extra_json")
    del raw
    clock._last = time.perf_counter()
    frame = read_price_file(csv)
    clock.lap("read_price_file")
    pl.read_csv(csv)
    clock.lap("polars_read_typed")
    frame.to_pandas()
    clock.lap("to_pandas")
    return {"stages": clock.stages, "rows": frame.height, "peak_rss": peak_rss()}


METHODS = {"chipwatch": chipwatch, "duckdb": floor, "dlt": peer, "profile": profile}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    method, csv, database = argv[0], Path(argv[1]), Path(argv[2])
    result = METHODS[method](csv, database)
    print(json.dumps({"method": method, **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
