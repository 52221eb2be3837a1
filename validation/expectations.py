"""The building blocks of the expectation suites.

A suite is data (expectation class name and arguments) so it can be read and tested
without importing GX; `validation.runner` turns it into GX expectations.
"""

from dataclasses import dataclass, field

CONFIDENCE_LEVELS = ["reported", "derived", "estimated", "claimed"]
# Where a figure comes from, in the order of precedence used when sources disagree (docs/SOURCES.md).
SOURCE_KINDS = ["filing", "exchange", "datasheet", "press", "aggregator", "assumption"]
ORIGINS = ["domestic", "foreign"]
MARKETS = ["China", "global"]
# What a market share counts; `unstated` where the publisher does not say (units or value).
SHARE_BASES = ["units", "revenue", "compute", "unstated"]


@dataclass(frozen=True)
class Expectation:
    kind: str
    kwargs: dict = field(default_factory=dict)


def not_null(column: str) -> Expectation:
    return Expectation("ExpectColumnValuesToNotBeNull", {"column": column})


def unique(column: str) -> Expectation:
    return Expectation("ExpectColumnValuesToBeUnique", {"column": column})


def unique_together(*columns: str) -> Expectation:
    return Expectation("ExpectCompoundColumnsToBeUnique", {"column_list": list(columns)})


def in_set(column: str, values: list) -> Expectation:
    return Expectation("ExpectColumnValuesToBeInSet", {"column": column, "value_set": values})


def between(column: str, low: float | None = None, high: float | None = None) -> Expectation:
    return Expectation(
        "ExpectColumnValuesToBeBetween", {"column": column, "min_value": low, "max_value": high}
    )


def not_before(column: str, earlier: str, or_equal: bool = True) -> Expectation:
    """`column` is on or after `earlier` (strictly after without `or_equal`) in each row where both
    are known (a delivery and its order)."""
    return Expectation(
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {
            "column_A": column,
            "column_B": earlier,
            "or_equal": or_equal,
            "ignore_row_if": "either_value_is_missing",
        },
    )


def not_in_future(column: str, days_ahead: int = 0) -> Expectation:
    """No date in `column` after today + `days_ahead` (a figure cannot be dated tomorrow). Checked
    by the lander in SQL against the day of the load, not by GX."""
    return Expectation("NotInFuture", {"column": column, "days_ahead": days_ahead})


def has_rows(minimum: int = 1) -> Expectation:
    return Expectation("ExpectTableRowCountToBeBetween", {"min_value": minimum})


def provenance() -> list[Expectation]:
    """Every row names its source, its as-of date and its confidence."""
    return [
        not_null("source_name"),
        not_null("as_of"),
        not_null("confidence"),
        in_set("confidence", CONFIDENCE_LEVELS),
    ]


def source_kinds() -> list[Expectation]:
    """Every row says what kind of source it cites, one of the kinds the precedence ranks."""
    return [not_null("source_kind"), in_set("source_kind", SOURCE_KINDS)]


def chip_specs() -> list[Expectation]:
    """Physical bounds for accelerator specifications (nulls are allowed: not yet found)."""
    return [
        between("bf16_tflops", 0.1, 100_000),
        between("memory_gb", 0.01, 10_000),
        between("memory_bandwidth_tbps", 0.01, 100),
        between("tdp_w", 1, 10_000),
    ]
