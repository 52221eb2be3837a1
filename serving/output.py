"""Writing a query result as a table, CSV or JSON, batch by batch as DuckDB hands it over.

JSON is always valid JSON: NaN and infinities are null, decimals are exact strings, nested
values are JSON, a repeated column name gets a suffix. CSV writes nested values as JSON and
binary as hex. The table format escapes terminal control characters.
"""

import csv
import json
import math
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import TextIO

import duckdb

BATCH_ROWS = 10_000
TABLE_WIDTH_SAMPLE = 1_000
MAX_CELL_WIDTH = 60
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def batches(result: duckdb.DuckDBPyConnection, size: int = BATCH_ROWS) -> Iterator[list[tuple]]:
    while rows := result.fetchmany(size):
        yield rows


def json_ready(value):
    """`value` as plain JSON data, losing nothing that JSON can hold."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {str(key): json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    return str(value)  # decimals (exactly), intervals, UUIDs


def distinct_names(names: list[str]) -> list[str]:
    """Column names made unique for JSON keys: a repeated `x` becomes `x_2`, `x_3`, ..."""
    seen: set[str] = set()
    unique = []
    for name in names:
        candidate, number = name, 1
        while candidate in seen:
            number += 1
            candidate = f"{name}_{number}"
        seen.add(candidate)
        unique.append(candidate)
    return unique


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict | list | tuple):
        return json.dumps(json_ready(value), ensure_ascii=False)
    return str(value)


def table_cell(value) -> str:
    if value is None:
        text = ""
    elif isinstance(value, float):
        text = f"{value:.6g}"
    elif isinstance(value, bytes | bytearray | memoryview):
        text = "\\x" + bytes(value).hex()
    elif isinstance(value, dict | list | tuple):
        text = json.dumps(json_ready(value), ensure_ascii=False)
    else:
        text = str(value)
    text = _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)
    return text if len(text) <= MAX_CELL_WIDTH else text[: MAX_CELL_WIDTH - 1] + "…"


def write_csv(names: list[str], rows: Iterator[list[tuple]], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    count = 0
    for batch in rows:
        writer.writerows([csv_cell(value) for value in row] for row in batch)
        count += len(batch)
    return count


def write_json(names: list[str], rows: Iterator[list[tuple]], out: TextIO) -> int:
    keys = distinct_names(names)
    out.write("[")
    count = 0
    for batch in rows:
        for row in batch:
            record = dict(zip(keys, (json_ready(value) for value in row), strict=True))
            out.write(("," if count else "") + "\n" + json.dumps(record, ensure_ascii=False, allow_nan=False))
            count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_table(names: list[str], rows: Iterator[list[tuple]], out: TextIO) -> int:
    """Columns as wide as their widest cell in the first rows; later rows print as they come."""
    header = [table_cell(name) for name in names]
    pending: list[list[str]] = []
    widths: list[int] | None = None
    count = 0

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip() + "\n"

    for batch in rows:
        for row in batch:
            cells = [table_cell(value) for value in row]
            count += 1
            if widths is None:
                pending.append(cells)
                if len(pending) < TABLE_WIDTH_SAMPLE:
                    continue
                widths = [max(len(h), *(len(r[i]) for r in pending)) for i, h in enumerate(header)]
                out.write(line(header) + "  ".join("-" * w for w in widths) + "\n")
                out.writelines(line(r) for r in pending)
            else:
                out.write(line(cells))
    if widths is None:
        widths = [max([len(h), *(len(r[i]) for r in pending)]) for i, h in enumerate(header)]
        out.write(line(header) + "  ".join("-" * w for w in widths) + "\n")
        out.writelines(line(r) for r in pending)
    out.write(f"({count} row{'s' if count != 1 else ''})\n")
    return count


WRITERS = {"table": write_table, "csv": write_csv, "json": write_json}
