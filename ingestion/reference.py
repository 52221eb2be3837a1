"""Read the curated reference CSVs that chipwatch ships in `data/reference/`.

Each table is read with an explicit schema: every column must be present (else the file is
refused). Cells are read as their column's type the way people write them (units such as
`141GB` or `4.8 TB/s` in a column of that kind, `3000亿`, `35%` in a share, `2025年12月5日`);
a row with a cell that still cannot be read, an empty key or a future `as_of` is quarantined
with the reason, the file and the line (`load_reference_csv`), or named in an error
(`read_reference_csv`, the strict reading).
"""

from pathlib import Path

import polars as pl

from ingestion.cells import DATE_FORMATS, read_typed
from ingestion.errors import SourceFormatError
from ingestion.quarantine import Load, apply, flag, quarantine_records
from ingestion.reference_tables import ReferenceTable
from ingestion.source_text import INTERNAL_COLUMNS, header_hint, parse_csv


def load_reference_csv(path: Path, table: ReferenceTable) -> Load:
    """Read one curated CSV: the rows typed by `table.columns`, and the rows quarantined."""
    path = Path(path)
    text = parse_csv(path)
    missing = [column for column in table.columns if column not in text.header]
    unknown = [column for column in text.header if column not in table.columns]
    if missing or unknown:
        raise SourceFormatError(
            f"{path}: columns do not match the '{table.name}' reference table "
            f"(missing: {missing or 'none'}; unknown: {unknown or 'none'}). "
            f"Expected, in any order: {list(table.columns)}."
            + (header_hint(text.header) or " Rename or remove the columns named, then re-run.")
        )
    frame = text.frame.select(
        *(pl.col(column).str.strip_chars().replace("", None) for column in table.columns),
        *INTERNAL_COLUMNS,
    )
    kinds = table.columns
    frame = read_typed(
        frame,
        numbers={c: 1.0 for c, kind in kinds.items() if kind in ("float", "int")},
        dates={c: DATE_FORMATS for c, kind in kinds.items() if kind == "date"},
    )
    for column in (c for c, kind in kinds.items() if kind == "int"):
        fractional = pl.col(column).is_not_null() & (pl.col(column) != pl.col(column).round())
        frame = flag(
            frame,
            pl.when(fractional).then(
                pl.format(f"column '{column}': {{}} is not a whole number", pl.col(column))
            ),
        )
        frame = frame.with_columns(
            pl.when(fractional).then(None).otherwise(pl.col(column)).cast(pl.Int32).alias(column)
        )
    if table.derive is not None:
        frame = table.derive(frame)
    return apply(Load(frame, quarantine_records(text.rejected, path.name), text.rows_read, (path.name,)))


def read_reference_csv(path: Path, table: ReferenceTable) -> pl.DataFrame:
    """Read one curated CSV into a frame typed by `table.columns`; any row that would be
    quarantined is an error naming the file, line, column and value."""
    load = load_reference_csv(path, table)
    if load.quarantined.height:
        first = load.quarantined.sort("line").row(0, named=True)
        raise SourceFormatError(
            f"{path}, line {first['line']}, {first['reason']}. "
            "Fix the cell (numbers plain or with their unit, dates YYYY-MM-DD) and re-run."
        )
    return load.landable()
