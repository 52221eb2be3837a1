"""Daily share-price files as exchanges and data vendors export them -> one row per date and ticker.

Columns are mapped by header (English or Chinese, as Wind/Choice/exchange exports write them):
date, ticker, open, high, low, close, volume, currency.
"""

from pathlib import Path

import polars as pl

from ingestion.cells import EXPORT_DATE_FORMATS, read_typed
from ingestion.columns import SOURCE_ROW, SourceColumn, map_columns
from ingestion.quarantine import Load, apply, quarantine_records
from ingestion.registry import BY_TABLE
from ingestion.source_text import INTERNAL_COLUMNS, parse_csv

# The headers the careful reader maps: the same columns DuckDB's reader maps (ingestion.registry).
COLUMNS = tuple(
    SourceColumn(column.name, (column.name, *column.aliases), key=column.required)
    for column in BY_TABLE["daily_prices"].columns
    if column.name != SOURCE_ROW
)
OUTPUT_COLUMNS = [*(column.name for column in COLUMNS), SOURCE_ROW]
NUMBERS = [column.name for column in BY_TABLE["daily_prices"].columns if column.kind == "double"]


def load_price_file(path: str | Path) -> Load:
    """One row per (date, ticker) in the file; `dataset` is 'reported' unless the file says otherwise.

    Rows whose date or price cannot be read are set aside with the reason; the source's rules
    (ingestion.registry) are the lander's."""
    path = Path(path)
    text = parse_csv(path)
    mapped = map_columns(text.frame, COLUMNS, path)
    typed = read_typed(mapped, dict.fromkeys(NUMBERS, 1.0), {"date": EXPORT_DATE_FORMATS})
    frame = typed.with_columns(
        pl.col("ticker").str.strip_chars().str.to_uppercase(),
        pl.col("currency").str.strip_chars().str.to_uppercase(),
        pl.col("dataset").fill_null("reported"),
    ).select(*OUTPUT_COLUMNS, *INTERNAL_COLUMNS, "_reason")
    load = Load(frame, quarantine_records(text.rejected, path.name), text.rows_read, (path.name,))
    return apply(load)
