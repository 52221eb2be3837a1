"""Daily share-price files as exchanges and data vendors export them -> one row per date and ticker.

Columns are mapped by header (English or Chinese, as Wind/Choice/exchange exports write them):
date, ticker, open, high, low, close, volume, currency.
"""

from datetime import date
from pathlib import Path

import polars as pl

from ingestion.columns import SourceColumn, map_columns, read_csv_as_text, to_date, to_float
from ingestion.errors import SourceFormatError

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
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%m/%d/%Y", "%Y年%m月%d日")
PRICE_COLUMNS = ("open", "high", "low", "close", "volume")
OUTPUT_COLUMNS = ["date", "ticker", *PRICE_COLUMNS, "currency", "dataset", "source_row"]


def read_price_file(path: str | Path) -> pl.DataFrame:
    """One row per (date, ticker) in the file; `dataset` is 'reported' unless the file says otherwise."""
    mapped = map_columns(read_csv_as_text(path), COLUMNS, path)
    frame = mapped.with_columns(
        to_date("date", DATE_FORMATS),
        pl.col("ticker").str.strip_chars().str.to_uppercase(),
        *(to_float(column) for column in PRICE_COLUMNS),
        pl.col("currency").str.strip_chars().str.to_uppercase(),
        pl.col("dataset").fill_null("reported"),
    )
    unreadable = frame.filter(pl.col("date").is_null())
    if unreadable.height:
        row = unreadable["source_row"][0]
        raise SourceFormatError(
            f"{Path(path).name}, data row {row}: cannot read the date {mapped['date'][row - 1]!r}; "
            f"expected one of {', '.join(DATE_FORMATS)}."
        )
    return frame.select(OUTPUT_COLUMNS)


def prices_on(frame: pl.DataFrame, day: date) -> pl.DataFrame:
    """The rows of one trading day: a daily partition."""
    return frame.filter(pl.col("date") == day)
