"""Read the curated reference CSVs that chipwatch ships in `data/reference/`.

Each table is read with an explicit schema: every column must be present, and a cell that
cannot be read as its column's type is a clear error naming the file, line, column and value.
"""

from pathlib import Path

import polars as pl

from ingestion.errors import SourceFormatError
from ingestion.reference_tables import ReferenceTable

POLARS_TYPES = {"string": pl.String, "float": pl.Float64, "int": pl.Int32, "date": pl.Date}


def read_reference_csv(path: Path, table: ReferenceTable) -> pl.DataFrame:
    """Read one curated CSV into a frame typed by `table.columns`."""
    text_frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
    missing = [column for column in table.columns if column not in text_frame.columns]
    unknown = [column for column in text_frame.columns if column not in table.columns]
    if missing or unknown:
        raise SourceFormatError(
            f"{path}: columns do not match the '{table.name}' reference table "
            f"(missing: {missing or 'none'}; unknown: {unknown or 'none'}). "
            f"Expected, in any order: {list(table.columns)}."
        )
    text_frame = text_frame.select(
        pl.col(column).str.strip_chars().replace("", None) for column in table.columns
    )
    typed = text_frame.select(_cast(column, POLARS_TYPES[dtype]) for column, dtype in table.columns.items())
    _raise_on_unreadable_cells(path, text_frame, typed)
    return typed


def _cast(column: str, dtype: type[pl.DataType] | pl.DataType) -> pl.Expr:
    if dtype == pl.Date:
        return pl.col(column).str.to_date("%Y-%m-%d", strict=False)
    return pl.col(column).cast(dtype, strict=False)


def _raise_on_unreadable_cells(path: Path, text_frame: pl.DataFrame, typed: pl.DataFrame) -> None:
    for column in typed.columns:
        unreadable = text_frame[column].is_not_null() & typed[column].is_null()
        if unreadable.any():
            row_index = unreadable.arg_true()[0]
            raise SourceFormatError(
                f"{path}, line {row_index + 2}, column '{column}': "
                f"cannot read {text_frame[column][row_index]!r} as {typed.schema[column]}. "
                "Fix the cell (numbers plain, dates YYYY-MM-DD) and re-run."
            )
