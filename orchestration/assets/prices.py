"""Daily share prices of the listed chip makers, one partition per trading day."""

import warnings
from datetime import timedelta

from dagster import (
    AssetExecutionContext,
    BackfillPolicy,
    BetaWarning,
    DailyPartitionsDefinition,
    MetadataValue,
    asset,
)
from dagster_duckdb import DuckDBResource

from orchestration.assets.landing import WAREHOUSE_POOL, WRITER_RETRY, raw_check_specs, validate_and_land

PRICES_INBOX = "prices"
# Single-run backfills are what this asset is built for; Dagster labels the parameter beta.
warnings.filterwarnings("ignore", category=BetaWarning, message=".*backfill_policy.*")
daily_partitions = DailyPartitionsDefinition(start_date="2020-01-01", end_offset=1)


@asset(
    key=["raw", "daily_prices"],
    group_name="raw",
    pool=WAREHOUSE_POOL,
    retry_policy=WRITER_RETRY,
    kinds={"polars", "duckdb"},
    partitions_def=daily_partitions,
    # A backfill of many days runs as one step over the range, not one run per day.
    backfill_policy=BackfillPolicy.single_run(),
    description="Daily OHLCV rows from every price file in data/inbox/prices/, one partition per day.",
    check_specs=raw_check_specs("daily_prices", "the prices inbox"),
)
def daily_prices(context: AssetExecutionContext, duckdb: DuckDBResource):
    import polars as pl

    from ingestion.inbox import inbox_root, load_inbox
    from ingestion.prices import KEY, load_price_file
    from ingestion.quarantine import Load, apply, duplicate_keys

    window = context.partition_time_window
    first, last = window.start.date(), window.end.date()
    # Every file is read; the same (date, ticker) in two files is a duplicate too.
    load = apply(load_inbox(PRICES_INBOX, (".csv",), load_price_file), duplicate_keys(*KEY))
    inside = (pl.col("date") >= first) & (pl.col("date") < last)
    in_window = Load(load.frame.filter(inside), load.quarantined, load.rows_read, load.files)
    rows_other_partitions = load.frame.height - in_window.frame.height
    metadata = {
        "inbox": MetadataValue.path(str(inbox_root() / PRICES_INBOX)),
        "first_day": str(first),
        "days": (last - first).days,
    }
    yield from validate_and_land(
        "daily_prices",
        in_window,
        duckdb,
        metadata,
        rows_between=("date", first, last - timedelta(days=1)),
        rows_other_partitions=rows_other_partitions,
        run_id=context.run.run_id,
    )
