"""Jobs and schedules: the whole build, the daily market run, the weekly reference run, prices."""

from dagster import (
    AssetKey,
    AssetSelection,
    DefaultScheduleStatus,
    ScheduleDefinition,
    build_schedule_from_partitioned_job,
    define_asset_job,
    in_process_executor,
)

from ingestion.registry import in_group
from orchestration.assets.fetch import FETCH, fetch_daily, fetch_sources
from orchestration.assets.raw import daily_prices

PRICES = AssetSelection.assets(daily_prices)


def _raw(sources) -> AssetSelection:
    return AssetSelection.assets(*(AssetKey(["raw", source.table]) for source in sources))


def in_process_job(name: str, selection: AssetSelection, description: str):
    """One process per run: each extra process would import dagster, dbt and GX again."""
    return define_asset_job(
        name, selection=selection, executor_def=in_process_executor, description=description
    )


# The fetch assets reach the network: only their own job (fetch_sources) runs them.
ALL_BUT_PRICES = AssetSelection.all() - PRICES - FETCH
MARKET_RAW = _raw(in_group("market"))
# Card inventories and procurement files can be gigabytes: landed when a file arrives (the inbox
# sensor's jobs) or by the whole build, not every Monday.
BULK_INBOX = _raw(in_group("bulk"))
REFERENCE = ALL_BUT_PRICES - MARKET_RAW - BULK_INBOX

build_warehouse = in_process_job(
    "build_warehouse",
    ALL_BUT_PRICES,
    "Ingest every source, validate it, build the dbt models and validate them.",
)
market_daily = in_process_job(
    "market_daily",
    MARKET_RAW.downstream() - PRICES,
    "Market sources (revenue, shipments, FX) and everything built from them.",
)
reference_weekly = in_process_job(
    "reference_weekly", REFERENCE, "Chips, funding and policy sources and everything built from them."
)
load_prices = in_process_job(
    "load_prices", PRICES, "Daily share prices, by day partition; backfills run as one step per range."
)

# New York closes last of Shanghai (15:00 CST), Hong Kong (16:00 HKT) and New York (16:00 ET).
market_after_close = ScheduleDefinition(
    name="market_after_close",
    job=market_daily,
    cron_schedule="30 17 * * 1-5",
    execution_timezone="America/New_York",
    default_status=DefaultScheduleStatus.RUNNING,
)
prices_after_close = build_schedule_from_partitioned_job(
    load_prices,
    name="prices_after_close",
    hour_of_day=23,
    minute_of_hour=0,
    default_status=DefaultScheduleStatus.RUNNING,
)
reference_every_monday = ScheduleDefinition(
    name="reference_every_monday",
    job=reference_weekly,
    cron_schedule="0 6 * * 1",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
)

jobs = [build_warehouse, market_daily, reference_weekly, load_prices, fetch_sources]
schedules = [market_after_close, prices_after_close, reference_every_monday, fetch_daily]
