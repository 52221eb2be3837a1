"""Validate a frame with its raw suite, then land it: the one way every raw asset writes.

Rows a reader set aside go to `quarantine.<table>` in the same transaction, and the load's
books (rows read = rows landed + rows quarantined) are checked by the blocking `accounting`
check of every raw asset.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    Backoff,
    Failure,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
)
from dagster_duckdb import DuckDBResource

from orchestration.checks import EXPECTATIONS_CHECK, outcome_metadata

if TYPE_CHECKING:
    import polars as pl

    from ingestion.quarantine import Accounting, Load
    from validation.runner import ValidationOutcome


# Every asset that writes the warehouse runs in this pool (limit 1 in dagster.yaml).
WAREHOUSE_POOL = "warehouse_writer"
# Transient failures (a lock held a little too long, a file still being written) get retried.
WRITER_RETRY = RetryPolicy(max_retries=2, delay=5, backoff=Backoff.EXPONENTIAL)
ACCOUNTING_CHECK = "accounting"


def raw_check_spec(table: str, what: str) -> AssetCheckSpec:
    return AssetCheckSpec(
        EXPECTATIONS_CHECK,
        asset=["raw", table],
        blocking=True,
        description=f"Great Expectations raw suite for {what}, run before landing.",
    )


def raw_check_specs(table: str, what: str) -> list[AssetCheckSpec]:
    """The raw suite, and the accounting of the load (rows read = landed + quarantined)."""
    return [
        raw_check_spec(table, what),
        AssetCheckSpec(
            ACCOUNTING_CHECK,
            asset=["raw", table],
            blocking=True,
            description=f"Rows read from {what} = rows landed in raw.{table} + rows in "
            f"quarantine.{table} (+ rows of other partitions), counted in the warehouse.",
        ),
    ]


def validate_and_land(
    table: str,
    frame: pl.DataFrame | Load,
    duckdb: DuckDBResource,
    metadata: dict,
    rows_between: tuple[str, object, object] | None = None,
    rows_other_partitions: int = 0,
    run_id: str | None = None,
) -> Iterator[AssetCheckResult | MaterializeResult]:
    """Yield the raw suite's result; land the rows in `raw.<table>` and the quarantined ones in
    `quarantine.<table>` only if it passed, then yield the accounting check.

    The whole table is replaced, or with `rows_between` = (column, first, last) only those rows
    (a partition or a range of them)."""
    from ingestion.quarantine import Load, land
    from validation.raw_suites import RAW_SUITES
    from validation.runner import validate_frame

    load = frame if isinstance(frame, Load) else Load.of_frame(frame)
    outcome = validate_frame(load.landable(), table, RAW_SUITES[table])
    accounting = None
    if outcome.success:
        with duckdb.get_connection() as con:
            accounting = land(con, table, load, rows_between, rows_other_partitions, run_id)
    yield from report_landing(table, outcome, accounting, load.quarantined, load.rows_read, metadata)


def report_landing(
    table: str,
    outcome: ValidationOutcome,
    accounting: Accounting | None,
    quarantined: pl.DataFrame,
    rows_read: int,
    metadata: dict,
    rows_quarantined: int | None = None,
) -> Iterator[AssetCheckResult | MaterializeResult]:
    """The raw suite's check, then (if it passed and the rows were landed) the accounting check
    and the materialization; a failed check fails the step without retry. `rows_quarantined`
    counts the rows set aside when `quarantined` holds only the first of them."""
    yield AssetCheckResult(
        check_name=EXPECTATIONS_CHECK, passed=outcome.success, metadata=outcome_metadata(outcome)
    )
    quarantine_metadata = {
        "rows_read": rows_read,
        "rows_quarantined": quarantined.height if rows_quarantined is None else rows_quarantined,
        "quarantine_reasons": MetadataValue.json(
            [
                f"{row['source_file']}:{row['line']}: {row['reason']}"
                for row in quarantined.head(50).iter_rows(named=True)
            ]
        ),
    }
    if not outcome.success or accounting is None:
        # Bad data is not transient: no retry.
        raise Failure(
            description=f"raw.{table} was not landed: {outcome.describe()}",
            metadata={**metadata, **quarantine_metadata},
            allow_retries=False,
        )
    yield AssetCheckResult(
        check_name=ACCOUNTING_CHECK,
        passed=accounting.balanced,
        metadata={
            "rows_read": accounting.rows_read,
            "rows_landed": accounting.rows_landed,
            "rows_quarantined": accounting.rows_quarantined,
            "rows_other_partitions": accounting.rows_other_partitions,
            "summary": accounting.describe(),
        },
    )
    if not accounting.balanced:
        raise Failure(description=accounting.describe(), metadata=metadata, allow_retries=False)
    yield MaterializeResult(metadata={"rows": accounting.rows_landed, **metadata, **quarantine_metadata})
