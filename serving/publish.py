"""Publish the checked warehouse as the serving file that readers and BI tools open.

The pipeline writes only its working warehouse. After every blocking check has passed, the
`serving_file` asset calls `publish()`: it copies the marts and staging tables into a new
DuckDB file next to the serving file, records the publish in `meta`, flushes the file to disk
and renames it over the serving file with `os.replace()`. The file is written in the oldest
storage version that holds its column types (`STORAGE_VERSION`, v1.0.0), so every DuckDB
client from 1.0 on opens it, and the drivers and BI tools that bundle one (docs/BI.md); a
column of a type that version cannot hold stops the publish with an error naming it. The
rename is atomic: a reader opens either the old file or the new one, never a half-written one,
and a reader that already has the old file open keeps reading it. The pipeline never opens the
serving file for writing, so readers cannot block it.
"""

import contextlib
import os
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from duckdb.sqltypes import DuckDBPyType

from ingestion.backend import without_progress_bar
from ingestion.paths import warehouse_path
from ingestion.warehouse import sql_name, sql_string
from serving.status import CheckResult

SERVED_SCHEMAS = ("marts", "staging")
# What dbt names a model's relation while it swaps it in (`<model>__dbt_tmp`) and the old one until
# it drops it (`<model>__dbt_backup`): a dbt run killed in between leaves them in the warehouse.
DBT_SCRATCH_SUFFIXES = ("__dbt_tmp", "__dbt_backup")
META_SCHEMA = "meta"
# The oldest storage version that holds every column type served, for the widest set of readers:
# DuckDB 1.0 and later open a v1.0.0 file; a v1.5.0 file opens only in 1.5 and later. DuckDB
# itself refuses few newer types in an older version (VARIANT) and silently writes others that
# 1.0 readers cannot read (BIGNUM, TIME_NS) or read as bare bytes (GEOMETRY), so the publish
# checks every column against the types DuckDB 1.0 reads. A new type in a mart needs a newer version here and
# readers dropped from docs/BI.md.
STORAGE_VERSION = "v1.0.0"
STORAGE_VERSION_TYPES = frozenset(
    {
        "boolean", "tinyint", "smallint", "integer", "bigint", "hugeint",
        "utinyint", "usmallint", "uinteger", "ubigint", "uhugeint",
        "float", "double", "decimal", "varchar", "blob", "bit", "uuid", "enum",
        "date", "time", "time with time zone", "interval",
        "timestamp", "timestamp with time zone", "timestamp_s", "timestamp_ms", "timestamp_ns",
        "list", "array", "struct", "map", "union",
    }
)  # fmt: skip
SERVING_FILE_NAME = "serving.duckdb"
PUBLISH_LOG_KEEP = 1000


def serving_path(warehouse: Path | str | None = None) -> Path:
    """The serving file: `CHIPWATCH_SERVING` if set, else `serving.duckdb` next to the working warehouse."""
    configured = os.environ.get("CHIPWATCH_SERVING")
    if configured:
        return Path(configured).resolve()
    return Path(warehouse or warehouse_path()).resolve().parent / SERVING_FILE_NAME


@dataclass(frozen=True)
class PublishResult:
    path: Path
    published_at: datetime
    run_id: str
    row_counts: dict[str, int]


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _served_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str, str | None]]:
    """(schema, table, comment) of every table and view to serve, in a stable order: all those in
    the served schemas but dbt's scratch relations."""
    relations = con.execute(
        """
        select schema_name, table_name, comment from duckdb_tables()
        where database_name = ? and schema_name in ?
        union all
        select schema_name, view_name, comment from duckdb_views()
        where database_name = ? and schema_name in ? and not internal
        order by 1, 2
        """,
        [catalog, list(SERVED_SCHEMAS), catalog, list(SERVED_SCHEMAS)],
    ).fetchall()
    return [relation for relation in relations if not relation[1].endswith(DBT_SCRATCH_SUFFIXES)]


def _previous_log(con: duckdb.DuckDBPyConnection, target: Path) -> list[tuple]:
    """The publish log of the current serving file, to carry forward (empty if unreadable)."""
    if not target.exists():
        return []
    alias = f"chipwatch_previous_{uuid.uuid4().hex[:8]}"
    try:
        con.execute(f"attach {sql_string(str(target))} as {alias} (read_only)")
    except duckdb.Error:
        return []
    try:
        return con.execute(
            f"select published_at, run_id, source_warehouse, duckdb_version, storage_version, "
            f"table_count, row_count from {alias}.{META_SCHEMA}.publish_log "
            f"order by published_at desc limit {PUBLISH_LOG_KEEP - 1}"
        ).fetchall()
    except duckdb.Error:
        return []
    finally:
        con.execute(f"detach {alias}")


def publish(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    run_id: str,
    *,
    source_catalog: str | None = None,
    checks: Iterable[CheckResult] = (),
) -> PublishResult:
    """Copy the served schemas of `source_catalog` (default: the connection's database) to `target`.

    `con` is any connection that can read the working warehouse: the pipeline's own read-write
    connection, or an in-memory one with the warehouse attached read-only. On any error the
    temporary file is removed and the current serving file is left as it was.
    """
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    source = source_catalog or con.execute("select current_database()").fetchone()[0]
    [(source_file,)] = con.execute(
        "select path from duckdb_databases() where database_name = ?", [source]
    ).fetchall()
    # A DuckLake catalog's path is its connection string: never copy a password into the file.
    source_file = re.sub(r"password=\S+", "password=***", source_file) if source_file else source_file
    previous = _previous_log(con, target)

    # A publish killed midway (power cut, SIGKILL) leaves its temporary file: builds never run
    # two at a time (build lock, writer pool), so any left over is garbage.
    for stale in target.parent.glob(f".{target.name}.*.tmp*"):
        stale.unlink(missing_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    alias = f"chipwatch_publish_{uuid.uuid4().hex[:8]}"
    attached = False
    published_at = datetime.now(UTC).replace(tzinfo=None)
    try:
        con.execute(
            f"attach {sql_string(str(temporary))} as {alias} (storage_version {sql_string(STORAGE_VERSION)})"
        )
        attached = True
        row_counts = _copy_tables(con, source, alias)
        _write_meta(con, alias, published_at, run_id, source_file, row_counts, previous, list(checks))
        _copy_load_accounting(con, source, alias)
        _check_storage_types(con, alias)
        con.execute(f"checkpoint {alias}")
        con.execute(f"detach {alias}")
        attached = False
        _fsync(temporary)
        os.replace(temporary, target)
        _fsync(target.parent)
    except BaseException:
        if attached:
            with contextlib.suppress(duckdb.Error):
                con.execute(f"detach {alias}")
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            leftover.unlink(missing_ok=True)
        raise
    return PublishResult(path=target, published_at=published_at, run_id=run_id, row_counts=row_counts)


class StorageVersionError(RuntimeError):
    """A served column has a type that `STORAGE_VERSION` cannot hold for its readers."""


def _type_ids(column_type: DuckDBPyType) -> set[str]:
    """The type and, for a nested one (list, struct, map, union, array), every type inside it."""
    ids = {column_type.id}
    if column_type.id in ("list", "array", "struct", "map", "union"):
        for _, child in column_type.children:
            if isinstance(child, DuckDBPyType):
                ids |= _type_ids(child)
    return ids


def _check_storage_types(con: duckdb.DuckDBPyConnection, alias: str) -> None:
    unreadable = []
    for schema, table in con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? order by 1, 2", [alias]
    ).fetchall():
        relation = con.sql(f"select * from {alias}.{sql_name(schema)}.{sql_name(table)}")
        for column, column_type in zip(relation.columns, relation.types, strict=True):
            newer = _type_ids(column_type) - STORAGE_VERSION_TYPES
            if newer:
                unreadable.append(f"{schema}.{table}.{column} ({column_type}: {', '.join(sorted(newer))})")
    if unreadable:
        raise StorageVersionError(
            f"storage version {STORAGE_VERSION} cannot hold these served columns for its readers: "
            f"{'; '.join(unreadable)}. Cast them to an older type in the model, or raise "
            "STORAGE_VERSION in serving/publish.py and the reader versions in docs/BI.md."
        )


def _copy_tables(con: duckdb.DuckDBPyConnection, source: str, alias: str) -> dict[str, int]:
    tables = _served_tables(con, source)
    if not any(schema == "marts" for schema, _, _ in tables):
        raise RuntimeError(f"nothing to publish: the warehouse {source!r} has no marts")
    row_counts = {}
    for schema in sorted({schema for schema, _, _ in tables}):
        con.execute(f"create schema {alias}.{sql_name(schema)}")
    for schema, table, comment in tables:
        name = f"{sql_name(schema)}.{sql_name(table)}"
        con.execute(f"create table {alias}.{name} as select * from {sql_name(source)}.{name}")
        if comment:
            con.execute(f"comment on table {alias}.{name} is {sql_string(comment)}")
        for column, column_comment in con.execute(
            "select column_name, comment from duckdb_columns() "
            "where database_name = ? and schema_name = ? and table_name = ? and comment is not null",
            [source, schema, table],
        ).fetchall():
            con.execute(
                f"comment on column {alias}.{name}.{sql_name(column)} is {sql_string(column_comment)}"
            )
        row_counts[f"{schema}.{table}"] = con.execute(f"select count(*) from {alias}.{name}").fetchone()[0]
    return row_counts


def _write_meta(
    con: duckdb.DuckDBPyConnection,
    alias: str,
    published_at: datetime,
    run_id: str,
    source_file: str | None,
    row_counts: dict[str, int],
    previous: list[tuple],
    checks: list[CheckResult],
) -> None:
    meta = f"{alias}.{META_SCHEMA}"
    con.execute(f"create schema {meta}")
    log_columns = """
        published_at timestamp not null,
        run_id varchar not null,
        source_warehouse varchar,
        duckdb_version varchar,
        storage_version varchar,
        table_count integer,
        row_count bigint
    """
    this_publish = (
        published_at,
        run_id,
        source_file,
        duckdb.__version__,
        STORAGE_VERSION,
        len(row_counts),
        sum(row_counts.values()),
    )
    con.execute(f"create table {meta}.publish_log ({log_columns})")
    con.executemany(f"insert into {meta}.publish_log values (?, ?, ?, ?, ?, ?, ?)", [this_publish, *previous])
    con.execute(f"create table {meta}.published ({log_columns})")
    con.execute(f"insert into {meta}.published values (?, ?, ?, ?, ?, ?, ?)", list(this_publish))
    con.execute(
        f"comment on table {meta}.published is "
        "'The publish that wrote this file: time (UTC) and the Dagster run id.'"
    )
    con.execute(f"comment on table {meta}.publish_log is 'Every publish, newest first (times in UTC).'")

    con.execute(f"create table {meta}.table_rows (table_name varchar not null, row_count bigint not null)")
    con.executemany(f"insert into {meta}.table_rows values (?, ?)", list(row_counts.items()))

    con.execute(
        f"create table {meta}.checks (asset varchar, check_name varchar, passed boolean, "
        "blocking boolean, detail varchar)"
    )
    if checks:
        con.executemany(
            f"insert into {meta}.checks values (?, ?, ?, ?, ?)",
            [(c.asset, c.check, c.passed, c.blocking, c.detail) for c in checks],
        )
    con.execute(
        f"comment on table {meta}.checks is 'Every asset check of the run that published, "
        "with its outcome (a failing blocking check stops the publish).'"
    )


def _copy_load_accounting(con: duckdb.DuckDBPyConnection, source: str, alias: str) -> None:
    """`meta.load_accounting` (the latest load of each raw table: rows read, landed and
    quarantined) and `meta.quarantine` (every quarantined row, with its table)."""
    meta = f"{alias}.{META_SCHEMA}"
    existing = {
        (schema, table)
        for schema, table in con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = ? "
            "and schema_name in ('meta', 'quarantine')",
            [source],
        ).fetchall()
    }
    columns = (
        "table_name varchar, loaded_at timestamp, run_id varchar, files varchar, rows_read bigint, "
        "rows_landed bigint, rows_quarantined bigint, rows_other_partitions bigint, balanced boolean"
    )
    con.execute(f"create table {meta}.load_accounting ({columns})")
    if ("meta", "load_accounting") in existing:
        con.execute(
            f"insert into {meta}.load_accounting select * from {sql_name(source)}.meta.load_accounting "
            "qualify row_number() over (partition by table_name order by loaded_at desc) = 1"
        )
    con.execute(
        f"create table {meta}.quarantine (table_name varchar, source_file varchar, line bigint, "
        "reason varchar, row_json varchar, _loaded_at timestamp)"
    )
    for schema, table in sorted(existing):
        if schema == "quarantine":
            con.execute(
                f"insert into {meta}.quarantine select {sql_string(table)}, source_file, line, reason, "
                f"row_json, _loaded_at from {sql_name(source)}.quarantine.{sql_name(table)}"
            )
    con.execute(
        f"comment on table {meta}.load_accounting is 'The latest load of each raw table: rows read "
        "= rows landed + rows quarantined (+ rows of other partitions).'"
    )
    con.execute(
        f"comment on table {meta}.quarantine is 'Rows set aside at loading: the row as read "
        "(JSON), the reason, the file and line.'"
    )


def publish_warehouse(
    warehouse: Path | str, target: Path | str, run_id: str, checks: Iterable[CheckResult] = ()
) -> PublishResult:
    """Publish from a warehouse file that nothing is writing (opened read-only)."""
    with without_progress_bar(duckdb.connect()) as con:
        con.execute(f"attach {sql_string(str(Path(warehouse).resolve()))} as chipwatch_source (read_only)")
        return publish(con, Path(target), run_id, source_catalog="chipwatch_source", checks=checks)
