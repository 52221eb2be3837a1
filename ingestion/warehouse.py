"""SQL literals, file hashes and the load metadata every landed row carries."""

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

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


def with_load_metadata(frame: pl.DataFrame, source_file: Path, source_sha256: str) -> pl.DataFrame:
    """Append `_loaded_at`, `_source_file` and `_source_sha256` to every row."""
    return frame.with_columns(
        pl.lit(datetime.now(UTC)).alias("_loaded_at"),
        pl.lit(source_file.name).alias("_source_file"),
        pl.lit(source_sha256).alias("_source_sha256"),
    )
