"""The inbox sensor: a new or changed file in `data/inbox/<source>/` starts that source's run.

A file counts as new when it differs from the files the last publish was built from
(`orchestration/changes.py`, the same answer `make run` uses): re-saving the same download
triggers nothing, and a file is hashed only when its size or modification time changed.
"""

from dagster import (
    AssetSelection,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG
from dagster_duckdb import DuckDBResource

from orchestration.changes import inbox_sources, raw_key
from orchestration.jobs import PRICES, in_process_job, load_prices

inbox_jobs = {
    source.folder: in_process_job(
        f"inbox_{source.folder}",
        AssetSelection.assets(raw_key(source)).downstream() - PRICES,
        f"Load the {source.folder} inbox and rebuild everything downstream of it.",
    )
    for source in inbox_sources()
    if not source.partitioned
}


def _partition_dates(source, folder_files: list[str]):
    from ingestion.inbox import inbox_root
    from ingestion.lander import date_range
    from orchestration.assets.raw import partition_range

    return partition_range(date_range(source, [inbox_root() / source.folder / name for name in folder_files]))


@sensor(
    jobs=[*inbox_jobs.values(), load_prices],
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts a source's run when a new or changed file lands in its inbox folder.",
)
def inbox_sensor(context: SensorEvaluationContext, duckdb: DuckDBResource):
    from orchestration.changes import version, what_changed
    from serving.publish import serving_path

    serving = serving_path(duckdb.database)
    changes = what_changed(context.instance, inbox_sources(), serving)
    requests = []
    for source in inbox_sources():
        if raw_key(source) not in changes.sources:
            continue
        states, changed = changes.sources[raw_key(source)]
        if not states:
            continue  # the folder was emptied: nothing to load
        # One run per content: Dagster launches a run key once, so the same files start nothing
        # again while their run is queued, running or has failed.
        run_key = f"{source.folder}:{version(states)}"
        if source.partitioned:
            days = _partition_dates(source, changed or sorted(states))
            if days is None:
                continue  # no row with a readable date: no partition to run
            first, last = days
            tags = {ASSET_PARTITION_RANGE_START_TAG: str(first), ASSET_PARTITION_RANGE_END_TAG: str(last)}
            requests.append(RunRequest(run_key=run_key, job_name=load_prices.name, tags=tags))
        else:
            requests.append(RunRequest(run_key=run_key, job_name=inbox_jobs[source.folder].name))
    return requests or SkipReason("No new or changed file in any inbox folder.")
