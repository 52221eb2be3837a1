"""Daily share prices of the listed chip makers, one partition per trading day."""

import warnings
from datetime import date, timedelta

from dagster import (
    AssetExecutionContext,
    BackfillPolicy,
    BetaWarning,
    DailyPartitionsDefinition,
    MetadataValue,
    asset,
)
from dagster_duckdb import DuckDBResource

from orchestration.assets.landing import WAREHOUSE_POOL, WRITER_RETRY, raw_check_specs, report_landing

PRICES_INBOX = "prices"
# Single-run backfills are what this asset is built for; Dagster labels the parameter beta.
warnings.filterwarnings("ignore", category=BetaWarning, message=".*backfill_policy.*")
# From 1990: vendor exports carry the whole listed history (NVIDIA listed in 1999).
daily_partitions = DailyPartitionsDefinition(start_date="1990-01-01", end_offset=1)


def partition_range(days: tuple[date, date] | None) -> tuple[date, date] | None:
    """The partitions to run for rows dated `days` (first, last); rows before the first partition
    are counted as rows of other partitions by the load, never landed."""
    if days is None or days[1] < daily_partitions.start.date():
        return None
    return max(days[0], daily_partitions.start.date()), days[1]


@asset(
    key=["raw", "daily_prices"],
    group_name="raw",
    pool=WAREHOUSE_POOL,
    retry_policy=WRITER_RETRY,
    kinds={"polars", "duckdb"},
    partitions_def=daily_partitions,
    # A backfill of many days runs as one step over the range, not one run per day.
    backfill_policy=BackfillPolicy.single_run(),
    description="Daily OHLCV rows from every price file in data/inbox/prices/, one partition per day, "
    "landed by DuckDB's CSV reader (ingestion/price_bulk.py) and validated before commit.",
    check_specs=raw_check_specs("daily_prices", "the prices inbox"),
)
def daily_prices(context: AssetExecutionContext, duckdb: DuckDBResource):
    from ingestion.inbox import inbox_files, inbox_root
    from ingestion.price_bulk import land_price_files
    from validation.raw_suites import RAW_SUITES
    from validation.runner import validate_relation

    window = context.partition_time_window
    first, last = window.start.date(), window.end.date() - timedelta(days=1)
    # Every file is read; the same (date, ticker) in two files is a duplicate too.
    with duckdb.get_connection() as con:
        landing = land_price_files(
            con,
            inbox_files(PRICES_INBOX, (".csv",)),
            window=(first, last),
            run_id=context.run.run_id,
            validate=lambda con, sql: validate_relation(con, sql, "daily_prices", RAW_SUITES["daily_prices"]),
        )
    metadata = {
        "inbox": MetadataValue.path(str(inbox_root() / PRICES_INBOX)),
        "first_day": str(first),
        "days": (last - first).days + 1,
        "read_by_the_careful_reader": MetadataValue.json(list(landing.careful_files)),
    }
    yield from report_landing(
        "daily_prices",
        landing.validation,
        landing.accounting,
        landing.quarantined,
        landing.rows_read,
        metadata,
    )
