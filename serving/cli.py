"""The `chipwatch` command: query, export and inspect the published serving file.

Every command reads the serving file (`CHIPWATCH_SERVING`, default `serving.duckdb` next to the
warehouse) read-only, so it never blocks the pipeline, which swaps in a new file atomically.
"""

import argparse
import os
import shutil
import stat
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from serving.health import Published, ServingFileDamaged, check_serving
from serving.output import WRITERS, batches
from serving.publish import serving_path
from serving.readonly import (
    DEFAULT_TEMP_LIMIT,
    DEFAULT_TIMEOUT_S,
    Limits,
    QueryTimeout,
    RefusedStatement,
    checked_statements,
    restricted_connection,
    time_limit,
)

EXIT_REFUSED = 2
EXIT_TIMEOUT = 3


def connect_read_only(path: Path, external_access: bool = False) -> duckdb.DuckDBPyConnection:
    """chipwatch's own read-only connection to the serving file, for its own statements."""
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    if not external_access:
        config["enable_external_access"] = False
    return duckdb.connect(str(path), read_only=True, config=config)


def _query_connection(args, limits: Limits):
    """The serving file; with --as-of, the DuckLake warehouse as it was at that snapshot."""
    if args.as_of is None:
        return restricted_connection(serving=args.serving, limits=limits)
    from ingestion.backend import backend
    from ingestion.paths import warehouse_path

    if backend() != "ducklake":
        raise SystemExit(
            "chipwatch sql: --as-of needs CHIPWATCH_BACKEND=ducklake (snapshots are DuckLake's)."
        )
    return restricted_connection(warehouse=warehouse_path(), snapshot=args.as_of, limits=limits)


def run_sql(args) -> int:
    sql = args.query if args.query != "-" else sys.stdin.read()
    limits = Limits(timeout_s=args.timeout, memory_limit=args.memory_limit, temp_limit=args.temp_limit)
    write = WRITERS[args.format]
    with _query_connection(args, limits) as con:
        statements = checked_statements(con, sql)
        for number, statement in enumerate(statements):
            with time_limit(con, limits.timeout_s):
                result = con.execute(statement)
                if result.description is None:
                    continue
                if number and args.format == "table":
                    sys.stdout.write("\n")
                write([d[0] for d in result.description], batches(result), sys.stdout)
                sys.stdout.flush()
    return 0


def served_tables(con: duckdb.DuckDBPyConnection, schemas: list[str]) -> list[tuple[str, str]]:
    return con.execute(
        "select schema_name, table_name from duckdb_tables() where schema_name in ? order by 1, 2",
        [schemas],
    ).fetchall()


class TargetRefused(Exception):
    """An output path chipwatch will not write to."""


def _refuse_unless_writable(target: Path, force: bool, ours: bool = False) -> None:
    """A file may be written at `target`: it is absent, or a regular file that `force` (or being
    chipwatch's own default output) allows to be replaced."""
    if not target.exists() and not target.is_symlink():
        return
    mode = target.lstat().st_mode
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        raise TargetRefused(f"{target} exists and is {kind}: choose another path")
    if not (force or ours):
        raise TargetRefused(f"{target} exists: pass --force to replace it")


def run_export(args) -> int:
    out_dir = Path(args.directory)
    if out_dir.exists() and not out_dir.is_dir():
        raise TargetRefused(f"{out_dir} exists and is not a directory: give a directory to export into")
    check_serving(args.serving)
    schemas = ["marts", "staging"] if args.include_staging else ["marts"]
    with connect_read_only(args.serving) as con:
        tables = served_tables(con, schemas)
    targets = {
        (schema, table): out_dir / f"{table if schema == 'marts' else f'{schema}.{table}'}.{args.format}"
        for schema, table in tables
    }
    for target in targets.values():
        _refuse_unless_writable(target, args.force)
    out_dir.mkdir(parents=True, exist_ok=True)
    # Everything is written into a scratch folder inside the target first: a failure leaves nothing.
    scratch = Path(tempfile.mkdtemp(prefix=".chipwatch-export-", dir=out_dir))
    options = "format parquet, compression zstd" if args.format == "parquet" else "format csv, header"
    try:
        # Writing files needs external access; these statements are chipwatch's own, not the user's.
        with connect_read_only(args.serving, external_access=True) as con:
            counts = {}
            for (schema, table), target in targets.items():
                literal = str(scratch / target.name).replace("'", "''")
                con.execute(f'copy (select * from "{schema}"."{table}") to \'{literal}\' ({options})')
                counts[target] = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
        for target in targets.values():
            os.replace(scratch / target.name, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for target, rows in counts.items():
        print(f"{target}  {rows} rows")
    print(f"Exported {len(tables)} tables from {args.serving}")
    return 0


def _age(moment: datetime, now: datetime) -> str:
    seconds = max(0, (now - moment).total_seconds())
    if seconds < 3600:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h ago"
    return f"{seconds / 86400:.0f} days ago"


def _dagster_home() -> Path | None:
    configured = os.environ.get("DAGSTER_HOME")
    if configured:
        return Path(configured)
    from ingestion.paths import PROJECT_ROOT

    default = PROJECT_ROOT / ".dagster_home"
    return default if default.is_dir() else None


def last_pipeline_run(home: Path) -> list[str]:
    """What the Dagster instance says about the last `build_warehouse` run."""
    if not (home / "history").is_dir():
        return [f"Last pipeline run: none recorded in {home}"]
    from dagster import DagsterEventType, DagsterInstance, RunsFilter

    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs(filters=RunsFilter(job_name="build_warehouse"), limit=1)
        if not runs:
            return [f"Last pipeline run: none recorded in {home}"]
        run = runs[0]
        record = instance.get_run_record_by_id(run.run_id)
        ended = record.end_time or record.start_time if record else None
        when = datetime.fromtimestamp(ended, UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if ended else "?"
        lines = [f"Last pipeline run: {run.run_id} {run.status.value} ({when}, from {home})"]
        evaluations = instance.get_records_for_run(
            run_id=run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION, limit=100_000
        ).records
        failed = [
            r.event_log_entry.dagster_event.event_specific_data
            for r in evaluations
            if not r.event_log_entry.dagster_event.event_specific_data.passed
        ]
        lines.append(f"  Checks in that run: {len(evaluations) - len(failed)} passed, {len(failed)} failed")
        for evaluation in failed:
            kind = "BLOCKING" if evaluation.blocking else "warning"
            lines.append(f"  FAILED [{kind}] {evaluation.asset_key.to_user_string()} {evaluation.check_name}")
        return lines


def _load_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Per raw table, its latest load: rows read, landed and quarantined."""
    try:
        loads = con.execute(
            "select table_name, rows_read, rows_landed, rows_quarantined, rows_other_partitions, balanced "
            "from meta.load_accounting order by table_name"
        ).fetchall()
    except duckdb.Error:
        return []
    quarantined = sum(row[3] for row in loads)
    lines = [
        "",
        f"Loads (rows read = landed + quarantined): {quarantined} rows in quarantine"
        + (" (see: chipwatch sql 'select * from meta.quarantine')" if quarantined else ""),
    ]
    for table, read, landed, in_quarantine, other, balanced in loads:
        extra = f" + {other} other days" if other else ""
        flag = "" if balanced else "  NOT BALANCED"
        lines.append(
            f"  raw.{table:<46} {read:>7} read {landed:>7} landed {in_quarantine:>5} quarantined{extra}{flag}"
        )
    return lines


def _published_lines(con: duckdb.DuckDBPyConnection, published: Published, now: datetime) -> list[str]:
    lines = [
        f"  published {published.published_at:%Y-%m-%d %H:%M:%S} UTC ({_age(published.published_at, now)}) "
        f"by run {published.run_id}; DuckDB {published.duckdb_version}, storage {published.storage_version}",
        "",
        f"Tables (each read in full, row counts as published): {len(published.table_rows)}",
    ]
    lines += [f"  {table:<57} {rows:>8} rows" for table, rows in sorted(published.table_rows.items())]
    checks = con.execute(
        "select asset, check_name, passed, blocking, detail from meta.checks order by 1, 2"
    ).fetchall()
    failed = [c for c in checks if not c[2]]
    lines += ["", f"Checks in the published run: {len(checks) - len(failed)} passed, {len(failed)} failed"]
    for asset, check, _, blocking, detail in (c for c in failed if c[1] != "freshness"):  # freshness: below
        kind = "BLOCKING" if blocking else "warning"
        lines.append(f"  FAILED [{kind}] {asset} {check}: {detail}".rstrip(": "))
    lines += _load_lines(con)
    freshness = [c for c in checks if c[1] == "freshness"]
    stale = [c for c in freshness if not c[2]]
    lines += [
        "",
        f"Sources (freshness against each source's own window, at the publish): "
        f"{len(freshness) - len(stale)} fresh, {len(stale)} stale",
    ]
    for asset, _, passed, _, detail in freshness:
        lines.append(f"  {asset.removeprefix('raw/'):<40} {'fresh' if passed else 'STALE':<6} {detail}")
    return lines


def _run_lines(published_run: str | None) -> list[str]:
    home = _dagster_home()
    if home is None:
        return ["Last pipeline run: unknown (DAGSTER_HOME not set and no .dagster_home in the project)"]
    try:
        lines = last_pipeline_run(home)
    except Exception as error:  # the instance is optional: say so rather than fail
        return [f"Last pipeline run: could not read the Dagster instance in {home}: {error}"]
    first = lines[0]
    if published_run and first.startswith("Last pipeline run: ") and published_run not in first:
        if " FAILURE " in first or " CANCELED " in first:
            lines.append("  That run did not publish: the serving file is still the last good one.")
        elif " STARTED " in first or " STARTING " in first or " QUEUED " in first:
            lines.append("  That run is in progress: it publishes only if every blocking check passes.")
    return lines


def run_status(args) -> int:
    """Exit 0 only for a serving file that is whole; 1 when it is missing or damaged."""
    now = datetime.now(UTC).replace(tzinfo=None)
    path = args.serving
    lines = [f"Serving file: {path}"]
    published_run, healthy = None, False
    try:
        published = check_serving(path)
    except FileNotFoundError:
        lines.append(
            "  not published yet: run `make run`; it publishes only after every blocking check passes"
        )
    except ServingFileDamaged as error:
        lines.append(f"  DAMAGED: {error}")
    else:
        healthy, published_run = True, published.run_id
        with connect_read_only(path) as con:
            lines += _published_lines(con, published, now)
    from ingestion.fetch.log import last_fetch_lines

    lines += last_fetch_lines()
    lines += ["", *_run_lines(published_run)]
    print("\n".join(lines))
    return 0 if healthy else 1


def run_dashboard(args) -> int:
    from serving.dashboard import write_dashboard

    default = args.serving.with_name("dashboard.html")
    out = Path(args.output) if args.output else default
    _refuse_unless_writable(out, args.force, ours=out.resolve() == default.resolve())
    check_serving(args.serving)
    written = write_dashboard(args.serving, out, synthetic=args.synthetic)
    print(f"Wrote {written.path} ({', '.join(f'{k}: {v} rows' for k, v in written.charts.items())})")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="chipwatch",
        description="Query, export and inspect the chipwatch serving file (read-only).",
        epilog="The serving file is CHIPWATCH_SERVING, else serving.duckdb next to the warehouse "
        "(CHIPWATCH_WAREHOUSE, default warehouse/chipwatch.duckdb).",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--serving", type=Path, default=argparse.SUPPRESS, help="serving file to read (overrides the default)"
    )
    top.add_argument(
        "--serving", type=Path, default=None, help="serving file to read (overrides the default)"
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sql = commands.add_parser(
        "sql",
        parents=[common],
        help="run a read-only query on the serving file",
        description="Run queries (SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, PIVOT, EXPLAIN; "
        "several, separated by ';', each printed) on the serving file. The connection is read-only, "
        "without file, network or extension access, its settings locked; anything else (CREATE, "
        "INSERT, UPDATE, DELETE, DROP, ATTACH, COPY, EXPORT, INSTALL, LOAD, SET, PRAGMA, ...) is "
        "refused. Results print as they are read; a query stops at its time and memory limits.",
    )
    sql.add_argument("query", help="the SQL; '-' reads it from standard input")
    sql.add_argument(
        "--format", "-f", choices=["table", "csv", "json"], default="table", help="output format"
    )
    sql.add_argument(
        "--as-of",
        type=int,
        metavar="SNAPSHOT",
        help="query the DuckLake warehouse as of this snapshot id instead of the serving file "
        "(CHIPWATCH_BACKEND=ducklake; list them with: select * from lake.snapshots())",
    )
    sql.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        metavar="SECONDS",
        help=f"stop a statement that runs longer (default {DEFAULT_TIMEOUT_S:g})",
    )
    sql.add_argument(
        "--memory-limit",
        metavar="SIZE",
        help="DuckDB memory limit, e.g. 2GB "
        "(default CHIPWATCH_DUCKDB_MEMORY_LIMIT, else a quarter of the machine)",
    )
    sql.add_argument(
        "--temp-limit",
        default=DEFAULT_TEMP_LIMIT,
        metavar="SIZE",
        help=f"most disk a query may spill to (default {DEFAULT_TEMP_LIMIT})",
    )
    sql.set_defaults(handler=run_sql)

    export = commands.add_parser(
        "export",
        parents=[common],
        help="write each mart as a Parquet (or CSV) file",
        description="Write each table of the marts schema to DIR/<mart>.parquet, for tools that read "
        "files and for DuckDB-WASM.",
    )
    export.add_argument("directory", metavar="DIR", help="output directory (created if missing)")
    export.add_argument("--format", choices=["parquet", "csv"], default="parquet", help="file format")
    export.add_argument(
        "--include-staging", action="store_true", help="also write the staging tables (staging.<table>.<ext>)"
    )
    export.add_argument("--force", action="store_true", help="replace files of the same names in DIR")
    export.set_defaults(handler=run_export)

    status = commands.add_parser(
        "status",
        parents=[common],
        help="last publish, row counts, failed checks, source freshness",
        description="Show when the serving file was published and by which run, each table's row count, "
        "the checks of the publishing run, each source's freshness against its own window, and what the "
        "Dagster instance (DAGSTER_HOME, else .dagster_home) says about the last pipeline run.",
    )
    status.set_defaults(handler=run_status)

    dashboard = commands.add_parser(
        "dashboard",
        parents=[common],
        help="rebuild the static HTML dashboard from the serving file",
        description="Write the offline dashboard (default dashboard.html next to the serving file).",
    )
    dashboard.add_argument("--output", "-o", help="HTML file to write")
    dashboard.add_argument("--force", action="store_true", help="replace an existing --output file")
    dashboard.add_argument(
        "--synthetic", action="store_true", help="also show the synthetic data centres (labelled as such)"
    )
    dashboard.set_defaults(handler=run_dashboard)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.serving = (args.serving or serving_path()).resolve()
    try:
        return args.handler(args)
    except RefusedStatement as error:
        print(f"chipwatch: {error}", file=sys.stderr)
        return EXIT_REFUSED
    except QueryTimeout as error:
        print(f"chipwatch: {error}", file=sys.stderr)
        return EXIT_TIMEOUT
    except duckdb.OutOfMemoryException as error:
        print(f"chipwatch: the query needs more memory than its limit: {error}", file=sys.stderr)
        return 1
    except (ServingFileDamaged, TargetRefused, FileNotFoundError, duckdb.Error, OSError) as error:
        print(f"chipwatch: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
