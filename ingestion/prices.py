"""Daily share-price files as exchanges and data vendors export them -> one row per date and ticker.

Columns are mapped by header (English or Chinese, as Wind/Choice/exchange exports write them):
date, ticker, open, high, low, close, volume, currency.
"""

from pathlib import Path

import polars as pl

from ingestion.cells import read_typed
from ingestion.columns import SourceColumn, map_columns
from ingestion.quarantine import Load, apply, quarantine_records
from ingestion.source_text import INTERNAL_COLUMNS, parse_csv

COLUMNS = (
    SourceColumn("date", ("Date", "Trade Date", "日期", "交易日期"), key=True),
    SourceColumn("ticker", ("Ticker", "Symbol", "Code", "代码", "证券代码", "股票代码"), key=True),
    SourceColumn("open", ("Open", "开盘", "开盘价")),
    SourceColumn("high", ("High", "最高", "最高价")),
    SourceColumn("low", ("Low", "最低", "最低价")),
    SourceColumn("close", ("Close", "收盘", "收盘价"), key=True),
    SourceColumn("volume", ("Volume", "成交量")),
    SourceColumn("currency", ("Currency", "币种")),
    SourceColumn("dataset", ("Dataset",)),
)
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%m/%d/%Y", "%Y年%m月%d日", "%Y.%m.%d")
PRICE_COLUMNS = ("open", "high", "low", "close", "volume")
OUTPUT_COLUMNS = ["date", "ticker", *PRICE_COLUMNS, "currency", "dataset", "source_row"]
TABLE = "daily_prices"
KEY = ("date", "ticker")


def load_price_file(path: str | Path) -> Load:
    """One row per (date, ticker) in the file; `dataset` is 'reported' unless the file says otherwise.

    Rows whose date or price cannot be read, without a date, ticker or close, dated in the
    future, with an implausible price, or repeating a (date, ticker) are quarantined."""
    path = Path(path)
    text = parse_csv(path)
    mapped = map_columns(text.frame, COLUMNS, path)
    typed = read_typed(mapped, dict.fromkeys(PRICE_COLUMNS, 1.0), {"date": DATE_FORMATS})
    frame = typed.with_columns(
        pl.col("ticker").str.strip_chars().str.to_uppercase(),
        pl.col("currency").str.strip_chars().str.to_uppercase(),
        pl.col("dataset").fill_null("reported"),
    ).select(*OUTPUT_COLUMNS, *INTERNAL_COLUMNS, "_reason")
    load = Load(frame, quarantine_records(text.rejected, path.name), text.rows_read, (path.name,))
    return apply(load)
