"""FRED's CSV download of a monthly exchange-rate series (fredgraph.csv?id=EXCHUS / EXHKUS):
units of a currency per US dollar, monthly averages of the Federal Reserve's H.10 daily rates.

The file has two columns: the date (`observation_date`; `DATE` in files downloaded before
December 2024) and the series id with its values. FRED writes `.` for a month without a value:
such a row is quarantined with that reason, nothing is dropped.
"""

from pathlib import Path

import polars as pl

from ingestion.cells import read_typed
from ingestion.errors import SourceFormatError
from ingestion.quarantine import REASON, Load, apply, quarantine_records
from ingestion.source_text import INTERNAL_COLUMNS, parse_csv

TABLE = "fred_fx_monthly"
# FRED series -> the currency quoted per US dollar.
SERIES_CURRENCY = {"EXCHUS": "CNY", "EXHKUS": "HKD"}
DATE_HEADERS = ("observation_date", "DATE")
SOURCE_NAME = "Board of Governors of the Federal Reserve System, H.10 monthly average, via FRED"
SCHEMA = {
    "series_id": pl.String,
    "currency": pl.String,
    "observation_date": pl.Date,
    "units_per_usd": pl.Float64,
    "source_name": pl.String,
    "source_url": pl.String,
}


def series_url(series_id: str) -> str:
    return f"https://fred.stlouisfed.org/series/{series_id}"


def load_fred_fx_csv(path: str | Path) -> Load:
    """Read one FRED series CSV; a file of another series or shape is refused (SourceFormatError)."""
    path = Path(path)
    text = parse_csv(path)
    headers = text.header
    if len(headers) != 2 or headers[0] not in DATE_HEADERS:
        raise SourceFormatError(
            f"{path.name}: expected FRED's two columns ({' or '.join(DATE_HEADERS)}, then a series id), "
            f"found {headers}. Download it from https://fred.stlouisfed.org/graph/fredgraph.csv?id=EXCHUS."
        )
    date_header, series_id = headers
    if series_id not in SERIES_CURRENCY:
        raise SourceFormatError(
            f"{path.name}: series {series_id!r} is not one chipwatch reads ({', '.join(SERIES_CURRENCY)})."
        )
    frame = text.frame.rename({date_header: "observation_date", series_id: "units_per_usd"})
    typed = read_typed(frame, {"units_per_usd": 1.0}, {"observation_date": ("%Y-%m-%d",)})
    typed = typed.with_columns(
        pl.lit(series_id).alias("series_id"),
        pl.lit(SERIES_CURRENCY[series_id]).alias("currency"),
        pl.lit(SOURCE_NAME).alias("source_name"),
        pl.lit(series_url(series_id)).alias("source_url"),
    ).select(*SCHEMA, *INTERNAL_COLUMNS, REASON)
    load = Load(typed, quarantine_records(text.rejected, path.name), text.rows_read, (path.name,))
    return apply(load)


def empty_fred_fx() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)
