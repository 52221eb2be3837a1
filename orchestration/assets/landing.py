"""What every raw asset reports of its landing: the raw suite's check, the accounting check, and
the materialization with the rows set aside."""

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

from orchestration.checks import EXPECTATIONS_CHECK, outcome_metadata

if TYPE_CHECKING:
    from ingestion.lander import Landing


# Every asset that writes the warehouse runs in this pool (limit 1 in dagster.yaml).
WAREHOUSE_POOL = "warehouse_writer"
# Transient failures (a lock held a little too long, a file still being written) get retried.
WRITER_RETRY = RetryPolicy(max_retries=2, delay=5, backoff=Backoff.EXPONENTIAL)
ACCOUNTING_CHECK = "accounting"


def raw_check_specs(table: str, what: str) -> list[AssetCheckSpec]:
    """The raw suite, and the accounting of the load (rows read = landed + quarantined)."""
    return [
        AssetCheckSpec(
            EXPECTATIONS_CHECK,
            asset=["raw", table],
            blocking=True,
            description=f"Great Expectations audit of {what}: the table-level rules, on the staged rows "
            "before the commit.",
        ),
        AssetCheckSpec(
            ACCOUNTING_CHECK,
            asset=["raw", table],
            blocking=True,
            description=f"Rows read from {what} = rows landed in raw.{table} + rows in "
            f"quarantine.{table} (+ rows of other partitions), counted in the warehouse.",
        ),
    ]


def report_landing(
    table: str, landing: Landing, metadata: dict
) -> Iterator[AssetCheckResult | MaterializeResult]:
    """The raw suite's check, then (if it passed and the rows were landed) the accounting check
    and the materialization; a failed check fails the step without retry."""
    outcome, accounting = landing.validation, landing.accounting
    yield AssetCheckResult(
        check_name=EXPECTATIONS_CHECK, passed=outcome.success, metadata=outcome_metadata(outcome)
    )
    quarantine_metadata = {
        "rows_read": landing.rows_read,
        "rows_quarantined": landing.rows_quarantined,
        "quarantine_reasons": MetadataValue.json(
            [
                f"{row['source_file']}:{row['line']}: {row['reason']}"
                for row in landing.quarantined.head(50).iter_rows(named=True)
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
