"""Work that tests/test_crash_safety.py runs in a subprocess and kills.

`python tests/crash_workers.py PHASE WAREHOUSE [SERVING RUN_ID]`, PHASE one of:

- `ingest`: read every curated table and inbox source and land it (raw, quarantine, accounting);
- `dbt`: `dbt run` of the whole project (the arguments after `dbt` are dbt's), as `chipwatch-dbt` runs it;
- `validate`: run the staging Great Expectations suites on the warehouse (read-only);
- `publish`: publish the warehouse to the serving file.

`python tests/crash_workers.py serve` imports what every phase needs once, then runs each phase
it is asked for in a child process of its own, forked from it: a trial then pays for the work it
kills, not for starting Python and importing dbt, Great Expectations and polars again. It reads
one JSON line `[PHASE, [ARG, ...], LOG]` at a time on stdin, forks a child for it (a process
group of its own, its output to LOG), prints `started PID`, and `ended PID CODE` when the child
is gone (-9: killed).
"""

import json
import os
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
        for source in sources:
            assert land(con, source, files[source.table]).accounting.balanced


def dbt(*args: str) -> None:
    from dbt.cli.main import dbtRunner

    from orchestration.dbt_cli import enter_warehouse_folder

    result = dbtRunner().invoke(enter_warehouse_folder(list(args)))
    if not result.success:
        raise SystemExit(f"dbt {' '.join(args)} failed: {result.exception}")


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


PHASES = {"ingest": ingest, "dbt": dbt, "validate": validate, "publish": publish}


def run_forked(phase: str, args: list[str], log: str) -> int:
    """Fork a child that runs `phase` in a process group of its own with its output in `log`."""
    pid = os.fork()
    if pid == 0:
        os.setsid()
        out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(out, 1)
        os.dup2(out, 2)
        code = 0
        try:
            PHASES[phase](*args)
        except BaseException as error:  # the child must never return into the server's loop
            import traceback

            traceback.print_exc()
            code = error.code if isinstance(error, SystemExit) and isinstance(error.code, int) else 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    return pid


def serve() -> None:
    # What the phases import, imported before any fork (no connection, thread or file open yet).
    import dbt.cli.main  # noqa: F401
    import duckdb  # noqa: F401
    import great_expectations  # noqa: F401
    import polars  # noqa: F401

    import ingestion.epoch_clusters  # noqa: F401
    import ingestion.epoch_hardware  # noqa: F401
    import ingestion.inbox  # noqa: F401
    import ingestion.nvidia_revenue  # noqa: F401
    import ingestion.quarantine  # noqa: F401
    import ingestion.reference  # noqa: F401
    import orchestration.dbt_cli  # noqa: F401
    import serving.publish  # noqa: F401
    import validation.runner  # noqa: F401
    import validation.staging_suites  # noqa: F401

    print("ready", flush=True)
    for line in sys.stdin:
        phase, args, log = json.loads(line)
        pid = run_forked(phase, args, log)
        print(f"started {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"ended {pid} {os.waitstatus_to_exitcode(status)}", flush=True)


if __name__ == "__main__":
    phase, *args = sys.argv[1:]
    serve() if phase == "serve" else PHASES[phase](*args)
