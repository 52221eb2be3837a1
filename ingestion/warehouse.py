"""SQL literals, quoted names and file hashes."""

import hashlib
from pathlib import Path


def sql_string(text: str) -> str:
    """`text` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def sql_name(identifier: str) -> str:
    """`identifier` as a quoted SQL name (a schema, table or column)."""
    return '"' + identifier.replace('"', '""') + '"'


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
