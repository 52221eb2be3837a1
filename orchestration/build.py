"""Build the warehouse headless and print what was built and what the checks found.

`python -m orchestration.build [--full]` (what `make run` calls) runs, in this process and on
the Dagster instance in `DAGSTER_HOME` (default `.dagster_home`; so `dagster dev` shows the runs):

1. nothing at all when no input changed since the last good build: the files of every source
   and the code, against what the last publish recorded in the instance's event log
   (`orchestration/changes.py`, which the inbox sensor uses too); `--full` (`make run FULL=1`)
   rebuilds anyway;
2. the daily price partitions covering the price files, when they changed;
3. the changed sources and everything downstream of them, or the whole graph when the code
   changed or nothing was published to this warehouse's serving file yet.

It prints each table with its row count and every failed check, and exits 1 when a run failed
or a blocking check failed, 75 when another build holds the warehouse.

Once it knows it has work, the process sets its garbage collector for one build
(`orchestration/process.py`), as `chipwatch-dbt` does for each dbt call.

Its runs are recorded with the origin of the workspace's code location (`workspace.yaml`), as
runs the UI launches are, so the UI's Timeline shows them: it leaves out runs without one.
"""

import fcntl
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion.backend import connect, warehouse_exists
from ingestion.paths import PROJECT_ROOT, dagster_home, warehouse_path

SCHEMAS = ("raw", "staging", "intermediate", "marts")
WORKSPACE_FILE = PROJECT_ROOT / "workspace.yaml"
EXIT_BUSY = 75


@dataclass(frozen=True)
class BuildResult:
    """The runs of one build (prices, then the rest), read as one."""

    runs: list
    refused: tuple[str, ...] = ()  # inputs the build could not read, said why (a refused price file)

    @property
    def success(self) -> bool:
        return all(run.success for run in self.runs) and not self.refused

    @property
    def run_id(self) -> str | None:
        """The run that built the graph (and published it); None when no changed input feeds a
        table (a new file in a folder no source reads yet)."""
        return self.runs[-1].run_id if self.runs else None

    def get_asset_check_evaluations(self) -> list:
        return [evaluation for run in self.runs for evaluation in run.get_asset_check_evaluations()]

    def get_asset_materialization_events(self) -> list:
        return [event for run in self.runs for event in run.get_asset_materialization_events()]

    def get_step_failure_events(self) -> list:
        return [event for run in self.runs for event in run.get_step_failure_events()]


def table_row_counts(path) -> list[tuple[str, int]]:
    with connect(path, read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() and table_schema in ? "
            "order by table_schema, table_name",
            [list(SCHEMAS)],
        ).fetchall()
        return [
            (f"{schema}.{table}", con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0])
            for schema, table in tables
        ]


def table_lines(warehouse: Path) -> list[str]:
    out = [f"Warehouse: {warehouse}", "", "Tables:"]
    if warehouse_exists(warehouse):
        try:
            out += [f"  {name:<55} {rows:>8} rows" for name, rows in table_row_counts(warehouse)]
        except duckdb.IOException as error:
            out.append(f"  (cannot read the warehouse: {error})")
    return out


def render_summary(result: BuildResult, warehouse: Path, expected_assets) -> tuple[str, bool]:
    """The summary text, and whether the build is good (runs succeeded, no blocking check failed)."""
    from serving.status import check_lines, check_results, freshness, freshness_lines

    checks = check_results(result.get_asset_check_evaluations())
    blocking_failed = [check for check in checks if check.blocking and not check.passed]
    out = table_lines(warehouse)
    out += ["", *check_lines("Checks", checks)]
    out += [f"  INPUT REFUSED {reason}" for reason in result.refused]
    for failure in result.get_step_failure_events():
        out.append(f"  STEP FAILED {failure.step_key}: {failure.event_specific_data.error.message.strip()}")
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    not_built = sorted(key.to_user_string() for key in set(expected_assets) - materialized)
    if not_built:
        out.append(f"  Not rebuilt (an upstream step or blocking check failed): {', '.join(not_built)}")
    sources = freshness(checks)
    if sources:
        out += ["", *freshness_lines("Sources (freshness against each source's own window)", sources)]
    good = result.success and not blocking_failed and not not_built
    out += ["", "Build OK" if good else "Build FAILED"]
    return "\n".join(out), good


@contextmanager
def build_lock(warehouse: Path):
    """Hold `<warehouse>.lock` for the build; yields False when another build holds it."""
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    with open(lock_path, "a+") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.seek(0)
            yield lock_file.read().strip() or "unknown"
            return
        lock_file.truncate(0)
        lock_file.write(str(os.getpid()))
        lock_file.flush()
        try:
            yield None
        finally:
            lock_file.truncate(0)


def price_file_range():
    """First and last day in the price inbox (None when it holds no file), and why the inbox
    refuses its files, if it does (the price partitions are then not run and the build fails)."""
    from ingestion.errors import InboxError
    from ingestion.lander import date_range, source_files
    from ingestion.registry import BY_TABLE
    from orchestration.assets.raw import partition_range

    prices = BY_TABLE["daily_prices"]
    try:
        return partition_range(date_range(prices, source_files(prices))), None
    except InboxError as error:
        return None, f"raw/daily_prices: {error}"


def workspace_job_origin(job_name: str):
    """The origin the UI gives a run of `job_name`: the code location `workspace.yaml` loads."""
    from dagster._core.definitions.repository_definition.valid_definitions import SINGLETON_REPOSITORY_NAME
    from dagster._core.remote_origin import RemoteRepositoryOrigin
    from dagster._core.workspace.load import location_origins_from_yaml_paths

    [location] = location_origins_from_yaml_paths([str(WORKSPACE_FILE)])
    return RemoteRepositoryOrigin(location, SINGLETON_REPOSITORY_NAME).get_job_origin(job_name)


@contextmanager
def runs_with_workspace_origin(instance):
    """Runs executed in this process are created with `workspace_job_origin`: `execute_in_process`
    takes no origin, so the instance's `create_run_for_job` adds it while the build runs."""
    create_run_for_job = instance.create_run_for_job

    def create_run_with_origin(job_def, **kwargs):
        kwargs.setdefault("remote_job_origin", workspace_job_origin(job_def.name))
        return create_run_for_job(job_def=job_def, **kwargs)

    instance.create_run_for_job = create_run_with_origin
    try:
        yield instance
    finally:
        del instance.create_run_for_job


def execute_build(instance, raw_keys=None, resources=None) -> tuple[BuildResult, set]:
    """Run the price partitions the price files cover, then `build_warehouse`: everything, or
    only what is downstream of `raw_keys`. Returns the runs and the assets they should build."""
    from dagster import AssetSelection
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    from orchestration.assets.raw import daily_prices
    from orchestration.definitions import defs

    # The event log keeps every step's details for `dagster dev`; the terminal gets the summary.
    options = {
        "instance": instance,
        "raise_on_error": False,
        "run_config": {"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        **({"resources": resources} if resources else {}),
    }
    runs = []
    job = defs.resolve_job_def("build_warehouse")
    selection = set(job.asset_layer.selected_asset_keys)
    if raw_keys is not None:
        selection &= AssetSelection.assets(*raw_keys).downstream().resolve(defs.resolve_asset_graph())
    with runs_with_workspace_origin(instance):
        days, refused = price_file_range()
        if days and (raw_keys is None or daily_prices.key in raw_keys):
            tags = {
                ASSET_PARTITION_RANGE_START_TAG: str(days[0]),
                ASSET_PARTITION_RANGE_END_TAG: str(days[1]),
            }
            runs.append(defs.resolve_job_def("load_prices").execute_in_process(tags=tags, **options))
        if raw_keys is None:
            runs.append(job.execute_in_process(**options))
        elif selection:
            # The subset is taken from the job first: Dagster refuses resources given beside an
            # `asset_selection` of a job whose assets the definitions bind resources to.
            runs.append(job.get_subset(asset_selection=frozenset(selection)).execute_in_process(**options))
    return BuildResult(runs, (refused,) if refused else ()), selection


def run_build(warehouse: Path, full: bool, home: Path) -> int:
    from orchestration.changes import watched_sources, what_changed
    from orchestration.instance import open_instance
    from orchestration.process import collect_for_one_job
    from serving.publish import serving_path

    with open_instance(home) as instance:
        changes = what_changed(instance, watched_sources(), serving_path(warehouse))
        everything = full or changes.everything or not warehouse_exists(warehouse)
        if not everything and not changes.sources:
            print("\n".join(table_lines(warehouse)))
            print(
                "\nNothing changed since the last good build: skipped. `make run FULL=1` rebuilds everything."
            )
            return 0
        import orchestration.definitions  # noqa: F401  (loaded before the collector is set)

        collect_for_one_job()
        result, selection = execute_build(instance, None if everything else set(changes.sources))
    text, good = render_summary(result, warehouse, selection)
    print(text)
    return 0 if good else 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    full = "--full" in argv or os.environ.get("FULL") == "1"
    home = dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    warehouse = warehouse_path()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(warehouse) as holder:
        if holder is not None:
            print(
                f"Another build (PID {holder}) is writing {warehouse}: this one stops. Re-run when it ends."
            )
            return EXIT_BUSY
        return run_build(warehouse, full, home)


if __name__ == "__main__":
    from orchestration.process import keep_what_is_loaded

    code = main()
    keep_what_is_loaded()
    sys.exit(code)
