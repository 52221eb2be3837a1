"""Funding rows: read the amount as the source wrote it (80亿元, 55.83亿港元, RMB900 million)."""

import polars as pl

from ingestion.figures import FigureParseError, parse_figure_or_none


def _parse(text: str | None):
    try:
        return parse_figure_or_none(text)
    except FigureParseError:
        return None  # prose such as "undisclosed": the numeric column stays the only figure


def with_amounts_as_written(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the amount parsed from `amount_raised_as_written`, fill a missing `amount_raised` or
    `currency` from it, and flag (`amount_matches_as_written`) whether both readings agree."""
    figures = [_parse(text) for text in frame["amount_raised_as_written"].to_list()]
    parsed = frame.with_columns(
        pl.Series("amount_as_written_value", [f.value if f else None for f in figures], pl.Float64),
        pl.Series("amount_as_written_currency", [f.currency if f else None for f in figures], pl.String),
        pl.Series("amount_as_written_qualifier", [f.qualifier if f else None for f in figures], pl.String),
    )
    same_currency = pl.col("currency").is_null() | pl.col("amount_as_written_currency").is_null()
    same_currency = same_currency | (pl.col("currency") == pl.col("amount_as_written_currency"))
    return parsed.with_columns(
        pl.when(same_currency)
        .then(pl.coalesce("amount_raised", "amount_as_written_value"))
        .otherwise(pl.col("amount_raised"))
        .alias("amount_raised"),
        pl.coalesce("currency", "amount_as_written_currency").alias("currency"),
        (
            same_currency
            & (
                (pl.col("amount_raised") - pl.col("amount_as_written_value")).abs()
                <= 0.01 * pl.col("amount_raised")
            )
        ).alias("amount_matches_as_written"),
    )
