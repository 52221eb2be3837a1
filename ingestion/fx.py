"""Convert amounts to USD with the monthly FX reference table (data/reference/fx_rates.csv)."""

from pathlib import Path

import polars as pl

KNOWN_CURRENCIES = frozenset({"USD", "CNY", "HKD"})
CONFIDENCE_LEVELS = frozenset({"reported", "estimated", "claimed"})

FX_SCHEMA = {
    "currency": pl.String,
    "rate_date": pl.Date,
    "usd_per_unit": pl.Float64,
    "source_name": pl.String,
    "source_url": pl.String,
    "as_of": pl.Date,
    "confidence": pl.String,
}

FX_RATE_DATE = "fx_rate_date"


class FxRatesError(ValueError):
    """The FX reference table is malformed."""


def load_fx_rates(path: str | Path) -> pl.DataFrame:
    """Read and validate the FX table, sorted by currency and rate_date.

    Raises FxRatesError on an unknown currency or confidence, a missing or non-positive rate,
    a rate_date that is not the first of a month, a duplicate (currency, rate_date), or a
    row without a source.
    """
    try:
        rates = pl.read_csv(path, schema=FX_SCHEMA)
    except (pl.exceptions.ComputeError, pl.exceptions.SchemaError) as error:
        raise FxRatesError(f"{Path(path).name}: cannot read as {list(FX_SCHEMA)}: {error}") from error
    _validate(rates, Path(path).name)
    return rates.sort("currency", "rate_date")


def _validate(rates: pl.DataFrame, name: str) -> None:
    checks = {
        "unknown currency": ~pl.col("currency").is_in(list(KNOWN_CURRENCIES)) | pl.col("currency").is_null(),
        "missing or non-positive usd_per_unit": pl.col("usd_per_unit").is_null()
        | (pl.col("usd_per_unit") <= 0),
        "rate_date missing or not the first of a month": pl.col("rate_date").is_null()
        | (pl.col("rate_date").dt.day() != 1),
        "unknown confidence": ~pl.col("confidence").is_in(list(CONFIDENCE_LEVELS))
        | pl.col("confidence").is_null(),
        "missing source_name": pl.col("source_name").is_null()
        | (pl.col("source_name").str.strip_chars() == ""),
        "duplicate (currency, rate_date)": pl.struct("currency", "rate_date").is_duplicated(),
        "USD rate other than 1.0": (pl.col("currency") == "USD") & (pl.col("usd_per_unit") != 1.0),
    }
    problems = []
    for problem, condition in checks.items():
        bad = rates.with_row_index("row", offset=1).filter(condition.fill_null(True))
        if bad.height:
            rows = ", ".join(str(r) for r in bad.get_column("row").head(5).to_list())
            problems.append(f"{problem} (data rows {rows})")
    if problems:
        raise FxRatesError(f"{name}: " + "; ".join(problems))


def to_usd(
    df: pl.DataFrame,
    amount_col: str,
    currency_col: str,
    date_col: str,
    rates: pl.DataFrame,
) -> pl.DataFrame:
    """Add `<amount_col>_usd` and `fx_rate_date`, keeping the rows and their order.

    Each amount is converted at its currency's rate for the event's month, or the latest
    earlier rate there is. A null amount, an unknown currency, a null date or a date before
    the first rate gives null, never an error. USD amounts are kept as they are. An existing
    `fx_rate_date` column is replaced.
    """
    usd_col = f"{amount_col}_usd"
    row, key, date, rate = "__fx_row", "__fx_currency", "__fx_date", "__fx_usd_per_unit"
    base = df.drop(usd_col, FX_RATE_DATE, strict=False)
    events = base.with_row_index(row).with_columns(
        pl.col(currency_col).cast(pl.String).str.strip_chars().str.to_uppercase().alias(key),
        _as_date(df.schema[date_col], date_col).alias(date),
    )
    lookup = rates.select(
        pl.col("currency").alias(key),
        pl.col("rate_date").alias(date),
        pl.col("rate_date").alias(FX_RATE_DATE),
        pl.col("usd_per_unit").alias(rate),
    ).sort(key, date)
    dated = events.filter(pl.col(date).is_not_null()).sort(key, date)
    joined = dated.join_asof(lookup, on=date, by=key, strategy="backward", check_sortedness=False)
    undated = events.filter(pl.col(date).is_null())
    amount = pl.col(amount_col).cast(pl.Float64)
    converted = (
        pl.concat([joined, undated], how="diagonal_relaxed")
        .sort(row)
        .with_columns(
            pl.when(pl.col(key) == "USD").then(amount).otherwise(amount * pl.col(rate)).alias(usd_col)
        )
    )
    return converted.select(*base.columns, usd_col, FX_RATE_DATE)


def _as_date(dtype: pl.DataType, column: str) -> pl.Expr:
    if dtype == pl.Date:
        return pl.col(column)
    if isinstance(dtype, pl.Datetime):
        return pl.col(column).dt.date()
    if dtype == pl.String:
        return pl.col(column).str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    raise TypeError(f"date column {column!r} has type {dtype}; expected Date, Datetime or ISO date text")
