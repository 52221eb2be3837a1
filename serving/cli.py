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

from ingestion.warehouse import sql_string
from serving.health import ServingFileDamaged, check_serving, connect_read_only
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
                file = sql_string(str(scratch / target.name))
                con.execute(f'copy (select * from "{schema}"."{table}") to {file} ({options})')
                counts[target] = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
        for target in targets.values():
            os.replace(scratch / target.name, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for target, rows in counts.items():
        print(f"{target}  {rows} rows")
    print(f"Exported {len(tables)} tables from {args.serving}")
    return 0


def run_status(args) -> int:
    """Exit 0 only for a serving file that is whole; 1 when it is missing or damaged."""
    from ingestion.paths import dagster_home
    from serving.status import read_status, render_status

    status = read_status(args.serving, dagster_home())
    print(render_status(status, datetime.now(UTC).replace(tzinfo=None)))
    return 0 if status.healthy else 1


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
