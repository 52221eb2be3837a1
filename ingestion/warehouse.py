"""Landing polars frames in the DuckDB warehouse with load metadata."""

import hashlib
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl


def sql_string(text: str) -> str:
    """`text` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def sql_literal(value: str | date | datetime) -> str:
    """A SQL literal of a text, a date or a timestamp with time zone."""
    if isinstance(value, datetime):
        return f"timestamptz {sql_string(value.isoformat())}"
    if isinstance(value, date):
        return f"date {sql_string(value.isoformat())}"
    return sql_string(value)


def sql_trimmed(value: str) -> str:
    """SQL for the text `value` (a column) without the spaces DuckDB's trim() removes around it.

    Only cells that may have some are trimmed (a space at either end, or any non-ASCII character:
    trim() also removes Unicode spaces such as U+3000): trim() on every cell costs more than
    reading the cells."""
    padded = f"starts_with({value}, ' ') or ends_with({value}, ' ') or strlen({value}) <> length({value})"
    return f"case when {padded} then trim({value}) else {value} end"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load(con: duckdb.DuckDBPyConnection, schema: str, frame: pl.DataFrame, statements: list) -> int:
    """Run `statements` (SQL, parameters) in one transaction with the frame visible as `_landing_frame`."""
    con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    con.register("_landing_frame", frame)
    try:
        con.execute("BEGIN TRANSACTION")
        for sql, parameters in statements:
            con.execute(sql, parameters)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_landing_frame")
    return frame.height


def replace_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, frame: pl.DataFrame) -> int:
    """Replace `schema.table` with the frame in one transaction, so a re-run never duplicates rows."""
    return _load(
        con,
        schema,
        frame,
        [(f'CREATE OR REPLACE TABLE "{schema}"."{table}" AS SELECT * FROM _landing_frame', [])],
    )


def replace_rows_between(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, frame: pl.DataFrame, column: str, first, last
) -> int:
    """Replace the rows of `schema.table` whose `column` lies in [first, last] with `frame`, in one
    transaction: re-running a partition or a range of partitions replaces it exactly."""
    target = f'"{schema}"."{table}"'
    return _load(
        con,
        schema,
        frame,
        [
            (f"CREATE TABLE IF NOT EXISTS {target} AS SELECT * FROM _landing_frame LIMIT 0", []),
            (f'DELETE FROM {target} WHERE "{column}" BETWEEN ? AND ?', [first, last]),
            (f"INSERT INTO {target} BY NAME SELECT * FROM _landing_frame", []),
        ],
    )
