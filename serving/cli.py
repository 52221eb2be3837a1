"""The `chipwatch` command: query, export and inspect the published serving file.

Every command reads the serving file (`CHIPWATCH_SERVING`, default `serving.duckdb` next to the
warehouse) read-only, so it never blocks the pipeline, which swaps in a new file atomically.
"""

import argparse
import csv
import json
import os
import re
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from serving.publish import serving_path

# Only queries run: everything else DuckDB can parse is refused before it reaches the database.
ALLOWED_STATEMENTS = {duckdb.StatementType.SELECT}
# Refused statement types, named the way a user would write them.
REFUSED_NAMES = {
    "LOAD": "INSTALL/LOAD",
    "SET": "SET/USE",
    "COPY": "COPY",
    "COPY_DATABASE": "COPY FROM DATABASE",
    "VARIABLE_SET": "SET VARIABLE",
}
READ_ONLY_CONFIG = {
    "enable_external_access": False,  # no files, URLs or other databases from a query
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


# DuckDB rewrites some PRAGMAs into SELECTs before their type is known: refuse them by keyword.
REFUSED_KEYWORDS = {"PRAGMA"}
_COMMENTS_AND_STRINGS = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"", re.DOTALL)


class RefusedStatement(Exception):
    """A statement `chipwatch sql` will not run."""


def _refusal(kind: str, where: str = "") -> RefusedStatement:
    return RefusedStatement(
        f"chipwatch sql is read-only: {kind} statements are not allowed{where}. "
        "It runs queries (SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE) on the serving file; "
        "to change the data, change the pipeline; to write files, use `chipwatch export`."
    )


def leading_keywords(sql: str) -> list[str]:
    """The first word of each statement, ignoring comments and quoted text."""
    bare = _COMMENTS_AND_STRINGS.sub(" ", sql)
    return [part.split(None, 1)[0].upper() for part in bare.split(";") if part.strip()]


def check_read_only(sql: str) -> int:
    """Raise `RefusedStatement` unless every statement in `sql` is a query; return how many there are."""
    for keyword in leading_keywords(sql):
        if keyword in REFUSED_KEYWORDS:
            raise _refusal(keyword)
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as error:
        raise RefusedStatement(f"could not parse the SQL: {error}") from error
    if not statements:
        raise RefusedStatement("no SQL statement given.")
    for number, statement in enumerate(statements, start=1):
        if statement.type not in ALLOWED_STATEMENTS:
            kind = REFUSED_NAMES.get(statement.type.name, statement.type.name.replace("_", " "))
            where = f" (statement {number})" if len(statements) > 1 else ""
            raise _refusal(kind, where)
    return len(statements)


def connect_read_only(path: Path, external_access: bool = False) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the serving file (an error naming the file if it is missing)."""
    if not path.exists():
        raise FileNotFoundError(
            f"no serving file at {path}: run `make run` (it publishes after a good build) "
            "or set CHIPWATCH_SERVING"
        )
    config = dict(READ_ONLY_CONFIG)
    if external_access:
        config.pop("enable_external_access")
    return duckdb.connect(str(path), read_only=True, config=config)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _json_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def write_table(names: list[str], rows: list[tuple], out, max_width: int = 60) -> None:
    cells = [[_cell(v) for v in row] for row in rows]
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    widths = [max([len(n), *(len(row[i]) for row in cells)]) for i, n in enumerate(names)]
    out.write("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
    out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")


def _query_connection(args) -> duckdb.DuckDBPyConnection:
    """The serving file; with --as-of, the DuckLake warehouse as it was at that snapshot."""
    if args.as_of is None:
        return connect_read_only(args.serving)
    from ingestion.backend import backend, connect
    from ingestion.paths import warehouse_path

    if backend() != "ducklake":
        raise SystemExit(
            "chipwatch sql: --as-of needs CHIPWATCH_BACKEND=ducklake (snapshots are DuckLake's)."
        )
    # Read-only catalog; file access stays on because the snapshot's data are Parquet files
    # (check_read_only has already refused ATTACH, COPY and every other write).
    return connect(warehouse_path(), read_only=True, snapshot=args.as_of)


def run_sql(args) -> int:
    sql = args.query if args.query != "-" else sys.stdin.read()
    check_read_only(sql)
    with _query_connection(args) as con:
        result = con.execute(sql)
        if result.description is None:
            return 0
        names = [d[0] for d in result.description]
        rows = result.fetchall()
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(names)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
    elif args.format == "json":
        records = [dict(zip(names, row, strict=True)) for row in rows]
        json.dump(records, sys.stdout, default=_json_value, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        write_table(names, rows, sys.stdout)
    return 0


def served_tables(con: duckdb.DuckDBPyConnection, schemas: list[str]) -> list[tuple[str, str]]:
    return con.execute(
        "select schema_name, table_name from duckdb_tables() where schema_name in ? order by 1, 2",
        [schemas],
    ).fetchall()


def run_export(args) -> int:
    out_dir = Path(args.directory)
    out_dir.mkdir(parents=True, exist_ok=True)
    schemas = ["marts", "staging"] if args.include_staging else ["marts"]
    # Writing files needs external access; the statements here are chipwatch's own, not the user's.
    with connect_read_only(args.serving, external_access=True) as con:
        tables = served_tables(con, schemas)
        for schema, table in tables:
            name = table if schema == "marts" else f"{schema}.{table}"
            target = out_dir / f"{name}.{args.format}"
            temporary = target.with_name(f".{target.name}.tmp")
            options = "format parquet, compression zstd" if args.format == "parquet" else "format csv, header"
            literal = str(temporary).replace("'", "''")
            con.execute(f'copy (select * from "{schema}"."{table}") to \'{literal}\' ({options})')
            temporary.replace(target)
            rows = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
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
    os.environ["DAGSTER_HOME"] = str(home)
    from dagster import DagsterEventType, DagsterInstance, RunsFilter

    with DagsterInstance.get() as instance:
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


def run_status(args) -> int:
    now = datetime.now(UTC).replace(tzinfo=None)
    path = args.serving
    lines = [f"Serving file: {path}"]
    published_run = None
    if not path.exists():
        lines.append(
            "  not published yet: run `make run`; it publishes only after every blocking check passes"
        )
    else:
        with connect_read_only(path) as con:
            try:
                published_at, published_run, version, storage = con.execute(
                    "select published_at, run_id, duckdb_version, storage_version from meta.published"
                ).fetchone()
                lines.append(
                    f"  published {published_at:%Y-%m-%d %H:%M:%S} UTC ({_age(published_at, now)}) "
                    f"by run {published_run}; DuckDB {version}, storage {storage}"
                )
            except duckdb.Error:
                lines.append("  no meta.published table: not written by `chipwatch` publish")
            lines.append("")
            lines.append("Tables:")
            for schema, table in served_tables(con, ["marts", "staging", "meta"]):
                rows = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
                lines.append(f"  {schema}.{table:<50} {rows:>8} rows")
            try:
                checks = con.execute(
                    "select asset, check_name, passed, blocking, detail from meta.checks order by 1, 2"
                ).fetchall()
            except duckdb.Error:
                checks = []
            failed = [c for c in checks if not c[2]]
            lines.append("")
            lines.append(
                f"Checks in the published run: {len(checks) - len(failed)} passed, {len(failed)} failed"
            )
            for asset, check, _, blocking, detail in failed:
                kind = "BLOCKING" if blocking else "warning"
                lines.append(f"  FAILED [{kind}] {asset} {check}: {detail}".rstrip(": "))
            lines += _load_lines(con)
            lines.append("")
            lines.append(
                f"Sources (newest as_of per staging table; STALE when older than {args.stale_days} days):"
            )
            for schema, table in served_tables(con, ["staging"]):
                has_as_of = con.execute(
                    "select count(*) from duckdb_columns() where schema_name = ? and table_name = ? "
                    "and column_name = 'as_of'",
                    [schema, table],
                ).fetchone()[0]
                if not has_as_of:
                    continue
                newest = con.execute(f'select max(as_of) from "{schema}"."{table}"').fetchone()[0]
                if newest is None:
                    lines.append(f"  {table:<50} no as_of")
                    continue
                age = (now.date() - newest).days
                flag = "  STALE" if age > args.stale_days else ""
                lines.append(f"  {table:<50} {newest}  {age:>5} days{flag}")
    home = _dagster_home()
    lines.append("")
    if home is None:
        lines.append("Last pipeline run: unknown (DAGSTER_HOME not set and no .dagster_home in the project)")
    else:
        try:
            run_lines = last_pipeline_run(home)
        except Exception as error:  # the instance is optional: say so rather than fail
            run_lines = [f"Last pipeline run: could not read the Dagster instance in {home}: {error}"]
        lines += run_lines
        first = run_lines[0]
        if published_run and first.startswith("Last pipeline run: ") and published_run not in first:
            if " FAILURE " in first or " CANCELED " in first:
                lines.append("  That run did not publish: the serving file is still the last good one.")
            elif " STARTED " in first or " STARTING " in first or " QUEUED " in first:
                lines.append("  That run is in progress: it publishes only if every blocking check passes.")
    print("\n".join(lines))
    return 0 if path.exists() else 1


def run_dashboard(args) -> int:
    from serving.dashboard import write_dashboard

    if not args.serving.exists():
        raise FileNotFoundError(f"no serving file at {args.serving}")
    out = Path(args.output) if args.output else args.serving.with_name("dashboard.html")
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
        description="Run a query (SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE) on the serving file. "
        "Anything that writes (CREATE, INSERT, UPDATE, DELETE, DROP, ATTACH, COPY, EXPORT, INSTALL, "
        "LOAD, SET, PRAGMA, ...) is refused, and the connection is read-only without file access.",
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
    export.set_defaults(handler=run_export)

    status = commands.add_parser(
        "status",
        parents=[common],
        help="last publish, row counts, failed checks, stale sources",
        description="Show when the serving file was published and by which run, each table's row count, "
        "the checks of the publishing run, how old each source's newest figure is, and what the "
        "Dagster instance (DAGSTER_HOME, else .dagster_home) says about the last pipeline run.",
    )
    status.add_argument(
        "--stale-days", type=int, default=365, help="flag a source whose newest as_of is older (default 365)"
    )
    status.set_defaults(handler=run_status)

    dashboard = commands.add_parser(
        "dashboard",
        parents=[common],
        help="rebuild the static HTML dashboard from the serving file",
        description="Write the offline dashboard (default dashboard.html next to the serving file).",
    )
    dashboard.add_argument("--output", "-o", help="HTML file to write")
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
        return 2
    except (FileNotFoundError, duckdb.Error) as error:
        print(f"chipwatch: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
