"""The inbox sensor: a new or changed file in `data/inbox/<source>/` starts that source's run.

A file counts as new when its content hash is neither in the sensor's cursor nor already in
the warehouse (`_source_sha256` of its raw table): re-saving the same download triggers nothing.
"""

import json

from dagster import (
    AssetKey,
    AssetSelection,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    in_process_executor,
    sensor,
)
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG
from dagster_duckdb import DuckDBResource

from ingestion.registry import BY_FOLDER
from orchestration.jobs import PRICES, load_prices

# folder -> raw table it lands in, and the file suffixes read
WATCHED = {folder: (source.table, source.suffixes) for folder, source in BY_FOLDER.items()}

inbox_jobs = {
    folder: define_asset_job(
        f"inbox_{folder}",
        selection=AssetSelection.assets(AssetKey(["raw", table])).downstream() - PRICES,
        executor_def=in_process_executor,
        description=f"Load the {folder} inbox and rebuild everything downstream of it.",
    )
    for folder, (table, _) in WATCHED.items()
    if not BY_FOLDER[folder].partitioned
}


def _current_hashes() -> dict[str, dict[str, str]]:
    from ingestion.errors import InboxError
    from ingestion.inbox import inbox_files
    from ingestion.warehouse import file_sha256

    hashes = {}
    for folder, (_, suffixes) in WATCHED.items():
        try:
            hashes[folder] = {path.name: file_sha256(path) for path in inbox_files(folder, suffixes)}
        except InboxError:
            hashes[folder] = {}
    return hashes


def _loaded_hashes(duckdb: DuckDBResource, table: str) -> set[str]:
    import duckdb as duckdb_module

    from ingestion.backend import connect

    try:
        with connect(duckdb.database, read_only=True) as con:
            return {
                row[0] for row in con.execute(f"select distinct _source_sha256 from raw.{table}").fetchall()
            }
    except (duckdb_module.Error, OSError):
        # No warehouse yet, no such table, or a build holds the file: rely on the cursor alone.
        return set()


def _partition_dates(folder: str, folder_files: list[str]):
    from ingestion.inbox import inbox_root
    from ingestion.lander import date_range
    from orchestration.assets.raw import partition_range

    source = BY_FOLDER[folder]
    return partition_range(date_range(source, [inbox_root() / folder / name for name in folder_files]))


@sensor(
    jobs=[*inbox_jobs.values(), load_prices],
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts a source's run when a new or changed file lands in its inbox folder.",
)
def inbox_sensor(context: SensorEvaluationContext, duckdb: DuckDBResource):
    seen = json.loads(context.cursor) if context.cursor else {}
    current = _current_hashes()
    requests = []
    for folder, files in current.items():
        table = WATCHED[folder][0]
        known = set(seen.get(folder, {}).values()) | _loaded_hashes(duckdb, table)
        changed = sorted(name for name, sha in files.items() if sha not in known)
        if not changed:
            continue
        run_key = f"{folder}:{'|'.join(files[name] for name in changed)}"
        if BY_FOLDER[folder].partitioned:
            days = _partition_dates(folder, changed)
            if days is None:
                continue  # no row with a readable date: no partition to run
            first, last = days
            tags = {ASSET_PARTITION_RANGE_START_TAG: str(first), ASSET_PARTITION_RANGE_END_TAG: str(last)}
            requests.append(RunRequest(run_key=run_key, job_name=load_prices.name, tags=tags))
        else:
            requests.append(RunRequest(run_key=run_key, job_name=inbox_jobs[folder].name))
    context.update_cursor(json.dumps(current, sort_keys=True))
    return requests or SkipReason("No new or changed file in any inbox folder.")
