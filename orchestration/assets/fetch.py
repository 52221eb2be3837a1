"""One asset per fetched source: download the publisher's new release into its inbox folder.

The fetch assets stand apart from the build: no build job selects them, so `make run` never
touches the network. The `fetch_daily` schedule runs them only when `CHIPWATCH_FETCH=1`; a new
file then starts its source's run through the inbox sensor.
"""

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    AssetSelection,
    DefaultScheduleStatus,
    Failure,
    MaterializeResult,
    MetadataValue,
    ScheduleEvaluationContext,
    SkipReason,
    asset,
    define_asset_job,
    in_process_executor,
    schedule,
)

from ingestion.fetch.sources import FETCH_SOURCES, FetchSource

FETCH_GROUP = "fetch"


def fetch_asset(source: FetchSource) -> AssetsDefinition:
    @asset(
        key=["fetch", source.name],
        group_name=FETCH_GROUP,
        kinds={"python"},
        description=f"{source.description}: new releases into data/inbox/{source.name}/ "
        f"({source.cadence}; base URL {source.default_base_url}, setting {source.base_url_setting}).",
    )
    def _fetch_asset(context: AssetExecutionContext):
        from ingestion.fetch.run import Fetcher, report

        result = Fetcher().fetch(source)
        lines, ok = report([result])
        for line in lines:
            (context.log.info if ok else context.log.warning)(line)
        metadata = {
            "summary": result.summary(),
            "files_written": MetadataValue.json(result.written),
            "attempts": len(result.attempts),
        }
        if not ok:
            raise Failure(description="; ".join(lines[1:] or lines), metadata=metadata, allow_retries=False)
        return MaterializeResult(metadata=metadata)

    return _fetch_asset


fetch_assets = [fetch_asset(source) for source in FETCH_SOURCES.values()]
FETCH = AssetSelection.groups(FETCH_GROUP)

fetch_sources = define_asset_job(
    "fetch_sources",
    selection=FETCH,
    executor_def=in_process_executor,
    description="Fetch every source once into its inbox folder; the inbox sensor loads what is new.",
)


@schedule(
    job=fetch_sources,
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Daily at 05:00 UTC, only when CHIPWATCH_FETCH=1 (off by default: air-gapped installs).",
)
def fetch_daily(context: ScheduleEvaluationContext):
    from ingestion.fetch.run import ENABLED_SETTING, fetching_enabled

    if not fetching_enabled():
        return SkipReason(f"Fetching is off: set {ENABLED_SETTING}=1 for the daemon to fetch.")
    return {}
