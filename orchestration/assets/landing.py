"""Validate a frame with its raw suite, then land it: the one way every raw asset writes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dagster import AssetCheckResult, AssetCheckSpec, Backoff, Failure, MaterializeResult, RetryPolicy
from dagster_duckdb import DuckDBResource

from orchestration.checks import EXPECTATIONS_CHECK, outcome_metadata

if TYPE_CHECKING:
    import polars as pl


# Every asset that writes the warehouse runs in this pool (limit 1 in dagster.yaml).
WAREHOUSE_POOL = "warehouse_writer"
# Transient failures (a lock held a little too long, a file still being written) get retried.
WRITER_RETRY = RetryPolicy(max_retries=2, delay=5, backoff=Backoff.EXPONENTIAL)


def raw_check_spec(table: str, what: str) -> AssetCheckSpec:
    return AssetCheckSpec(
        EXPECTATIONS_CHECK,
        asset=["raw", table],
        blocking=True,
        description=f"Great Expectations raw suite for {what}, run before landing.",
    )


def validate_and_land(
    table: str,
    frame: pl.DataFrame,
    duckdb: DuckDBResource,
    metadata: dict,
    rows_between: tuple[str, object, object] | None = None,
) -> Iterator[AssetCheckResult | MaterializeResult]:
    """Yield the raw suite's result; land `frame` in `raw.<table>` only if it passed.

    The whole table is replaced, or with `rows_between` = (column, first, last) only those rows
    (a partition or a range of them)."""
    from ingestion.warehouse import replace_rows_between, replace_table
    from validation.raw_suites import RAW_SUITES
    from validation.runner import validate_frame

    outcome = validate_frame(frame, table, RAW_SUITES[table])
    yield AssetCheckResult(
        check_name=EXPECTATIONS_CHECK, passed=outcome.success, metadata=outcome_metadata(outcome)
    )
    if not outcome.success:
        # Bad data is not transient: no retry.
        raise Failure(
            description=f"raw.{table} was not landed: {outcome.describe()}",
            metadata=metadata,
            allow_retries=False,
        )
    with duckdb.get_connection() as con:
        if rows_between is None:
            rows = replace_table(con, "raw", table, frame)
        else:
            rows = replace_rows_between(con, "raw", table, frame, *rows_between)
    yield MaterializeResult(metadata={"rows": rows, **metadata})
