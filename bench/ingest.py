"""One ingestion method per process, so each one's peak RSS is its own.

    python -m bench.ingest chipwatch|duckdb|dlt|inventory|procurement CSV DATABASE

prints one JSON object: the stage times (seconds, imports excluded and reported apart), the CPU
seconds of the work (user + system, every thread of the process: steadier than the time on a
shared machine), rows landed, the RSS after the imports and the peak RSS (bytes, from `ru_maxrss`).

- `chipwatch`: the product's path, as the `raw.daily_prices` asset lands a file:
  `ingestion.lander.land` (DuckDB's read_csv into the raw table inside the load's transaction,
  the source's rules as SQL, the repeated-key pass, the accounting) with the table-level rules
  of the raw suite run by `validate_relation` (GX) before commit.
- `duckdb` (the floor): `CREATE TABLE ... AS SELECT * FROM read_csv(...)`.
- `dlt` (the peer): a dlt resource yielding Arrow record batches from pyarrow's streaming CSV
  reader, `write_disposition='replace'`, duckdb destination (dlt's fastest documented route).
- `inventory`, `procurement`: the product's path for the card-inventory and procurement files,
  the same lander on their registry sources (compared with `duckdb` on the same file).
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


def cpu_seconds() -> float:
    """User + system CPU time of this process so far, all its threads (DuckDB's included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Clock:
    """Time and CPU time per stage: `lap(stage)` charges what passed since the last lap to `stage`."""

    def __init__(self):
        self.stages: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.restart()

    def restart(self) -> None:
        """Charge nothing for what passed since the last lap."""
        self._last, self._last_cpu = time.perf_counter(), cpu_seconds()

    def lap(self, stage: str) -> None:
        now, cpu = time.perf_counter(), cpu_seconds()
        self.stages[stage] = self.stages.get(stage, 0.0) + now - self._last
        self.cpu[stage] = self.cpu.get(stage, 0.0) + cpu - self._last_cpu
        self._last, self._last_cpu = now, cpu


def count_rows(database: Path, table: str) -> int:
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(f"select count(*) from {table}").fetchone()[0]


def _timed_validation(table: str, timings: dict):
    """The table-level rules of `table`'s raw suite run by `validate_relation`, as the raw asset
    runs them, its time added to timings["validate"]."""
    from ingestion.registry import BY_TABLE
    from ingestion.rules import audit_rules
    from validation.runner import validate_relation

    suite = audit_rules(BY_TABLE[table])

    def validate(con, sql, may_repeat):
        start = time.perf_counter()
        outcome = validate_relation(con, sql, table, suite, may_repeat=may_repeat)
        timings["validate"] += time.perf_counter() - start
        return outcome

    return validate


def _gx_ready(clock: Clock) -> int:
    """Lap the imports, then set GX up (its ephemeral context: paid once per process, timed apart);
    return the RSS then."""
    from validation.runner import _context

    clock.lap("import")
    _context()
    clock.lap("gx_setup")
    return peak_rss()


def check_landed(landing, what: str) -> None:
    if landing.accounting is None or not landing.accounting.balanced:
        raise SystemExit(f"{what} did not land: {landing.validation or landing.accounting}")


def chipwatch(csv: Path, database: Path) -> dict:
    clock = Clock()
    from ingestion.backend import connect
    from ingestion.lander import land
    from ingestion.registry import BY_TABLE

    timings = {"validate": 0.0, "insert": 0.0}
    validate = _timed_validation(TABLE, timings)
    baseline = _gx_ready(clock)
    with connect(database) as con:
        landing = land(_TimedInserts(con, timings), BY_TABLE[TABLE], [csv], validate=validate)
    clock.lap("work")
    check_landed(landing, "the synthetic prices")
    work = clock.stages["work"]
    return {
        "stages": {
            "insert": timings["insert"],
            "validate": timings["validate"],
            "rules": work - timings["insert"] - timings["validate"],
            "gx_setup": clock.stages["gx_setup"],
        },
        "work_s": work,
        "cpu_s": clock.cpu["work"],
        "rows": count_rows(database, f"raw.{TABLE}"),
        "careful_files": len(landing.careful_files),
        "expectations": landing.validation.evaluated,
        "baseline_rss": baseline,
        "peak_rss": peak_rss(),
    }


class _TimedInserts:
    """A connection that adds the time of the bulk inserts (DuckDB's read_csv into the staged table)."""

    def __init__(self, con, timings: dict):
        self._con, self._timings = con, timings

    def execute(self, sql, *args):
        start = time.perf_counter()
        result = self._con.execute(sql, *args)
        if sql.startswith("insert into") and "read_csv(" in sql:  # the lander's staged read
            self._timings["insert"] += time.perf_counter() - start
        return result

    def __getattr__(self, name):
        return getattr(self._con, name)


def floor(csv: Path, database: Path) -> dict:
    clock = Clock()
    import duckdb

    clock.lap("import")
    baseline = peak_rss()
    clock.restart()
    from ingestion.backend import duckdb_config
    from ingestion.warehouse import sql_string

    with duckdb.connect(str(database), config=duckdb_config()) as con:
        con.execute("create schema raw")
        # A literal path: with a prepared parameter DuckDB reads the file about twice as slowly.
        con.execute(f"create table raw.{TABLE} as select * from read_csv({sql_string(str(csv))})")
    clock.lap("load")
    return {
        "stages": clock.stages,
        "work_s": clock.stages["load"],
        "cpu_s": clock.cpu["load"],
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
    clock.restart()

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
    work = ("extract", "normalize", "load")
    return {
        "stages": clock.stages,
        "work_s": sum(clock.stages[stage] for stage in work),
        "cpu_s": sum(clock.cpu[stage] for stage in work),
        "rows": count_rows(database, f"raw.{TABLE}"),
        "dlt_version": dlt.__version__,
        "baseline_rss": baseline,
        "peak_rss": peak_rss(),
    }


def bulk_source(name: str):
    """The product's path for one of the card files: land, rules, GX raw suite, accounting."""

    def run(csv: Path, database: Path) -> dict:
        clock = Clock()
        from ingestion.backend import connect
        from ingestion.lander import land
        from ingestion.registry import BY_TABLE

        source = BY_TABLE[{"inventory": "card_inventory", "procurement": "procurement_lines"}[name]]
        timings = {"validate": 0.0}
        validate = _timed_validation(source.table, timings)
        baseline = _gx_ready(clock)
        with connect(database) as con:
            landing = land(con, source, [csv], validate=validate)
        clock.lap("work")
        check_landed(landing, f"the synthetic {name} file")
        work = clock.stages["work"]
        return {
            "stages": {
                "validate": timings["validate"],
                "land": work - timings["validate"],
                "gx_setup": clock.stages["gx_setup"],
            },
            "work_s": work,
            "cpu_s": clock.cpu["work"],
            "rows": count_rows(database, f"raw.{source.table}"),
            "rows_quarantined": landing.rows_quarantined,
            "baseline_rss": baseline,
            "peak_rss": peak_rss(),
        }

    return run


METHODS = {
    "chipwatch": chipwatch,
    "duckdb": floor,
    "dlt": peer,
    "inventory": bulk_source("inventory"),
    "procurement": bulk_source("procurement"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    method, csv, database = argv[0], Path(argv[1]), Path(argv[2])
    result = METHODS[method](csv, database)
    print(json.dumps({"method": method, **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
