"""Is the serving file whole? It opens, it says who published it, and every table it lists
reads in full with the row count it was published with."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ingestion.backend import without_progress_bar
from ingestion.warehouse import sql_name

REPUBLISH = "run `make run` to publish a new one (a good build replaces it atomically)"


class ServingFileDamaged(Exception):
    """The serving file is missing its chipwatch tables, or cannot be read in full."""


@dataclass(frozen=True)
class Published:
    published_at: datetime
    run_id: str
    duckdb_version: str | None
    storage_version: str | None
    table_rows: dict[str, int]


def connect_read_only(path: Path, external_access: bool = False) -> duckdb.DuckDBPyConnection:
    """chipwatch's own read-only connection to the serving file, for its own statements."""
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    if not external_access:
        config["enable_external_access"] = False
    return without_progress_bar(duckdb.connect(str(path), read_only=True, config=config))


def _damaged(path: Path, what: str) -> ServingFileDamaged:
    return ServingFileDamaged(f"the serving file {path} is not usable: {what}; {REPUBLISH}.")


def _published_row(con: duckdb.DuckDBPyConnection, path: Path) -> tuple:
    try:
        rows = con.execute(
            "select published_at, run_id, duckdb_version, storage_version from meta.published"
        ).fetchall()
    except duckdb.Error as error:
        raise _damaged(
            path, f"no readable meta.published table, so chipwatch did not write it ({error})"
        ) from error
    if len(rows) != 1:
        raise _damaged(path, f"meta.published has {len(rows)} rows, not one")
    published_at, run_id = rows[0][:2]
    if not isinstance(published_at, datetime) or not run_id:
        raise _damaged(path, f"meta.published names no time or run ({published_at!r}, {run_id!r})")
    return rows[0]


def _table_rows(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, int]:
    try:
        rows = con.execute("select table_name, row_count from meta.table_rows").fetchall()
    except duckdb.Error as error:
        raise _damaged(path, f"no readable meta.table_rows table ({error})") from error
    if not rows:
        raise _damaged(path, "meta.table_rows lists no table")
    return dict(rows)


def _read_in_full(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Every column of every row read (a row count alone can come from metadata)."""
    quoted = ".".join(map(sql_name, table.split(".", 1)))
    return con.execute(f"select count(*), max(hash(t)) from {quoted} as t").fetchone()[0]


def check_serving(path: Path) -> Published:
    """The file's publish record, once every table it lists has been read; else ServingFileDamaged."""
    if not path.exists():
        raise FileNotFoundError(
            f"no serving file at {path}: run `make run` (it publishes after a good build) "
            "or set CHIPWATCH_SERVING"
        )
    if not path.is_file():
        raise _damaged(path, "it is not a regular file")
    try:
        con = connect_read_only(path)
    except duckdb.Error as error:
        raise _damaged(path, f"DuckDB cannot open it ({error})") from error
    with con:
        published = _published_row(con, path)
        table_rows = _table_rows(con, path)
        unreadable, wrong = [], []
        for table, expected in sorted(table_rows.items()):
            try:
                found = _read_in_full(con, table)
            except (duckdb.Error, ValueError) as error:
                unreadable.append(f"{table} ({str(error).splitlines()[0]})")
                continue
            if found != expected:
                wrong.append(f"{table} has {found} rows, published with {expected}")
    problems = []
    if unreadable:
        problems.append(
            f"{len(unreadable)} of {len(table_rows)} tables cannot be read: " + "; ".join(unreadable)
        )
    if wrong:
        problems.append("; ".join(wrong))
    if problems:
        raise _damaged(path, "; ".join(problems))
    return Published(*published, table_rows=table_rows)
