"""Shared fixtures: one whole-graph build into a temporary warehouse, reused by the tests that read it.

`make test` runs the tests in parallel (pytest-xdist): the whole-graph build is made once per run,
by whichever worker needs it first, into a folder every worker reads (keyed by the build's
inputs, under a file lock); the others wait for it and read the same files and the same run.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = PROJECT_ROOT / "dbt_project"
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

# The Dagster definitions read dbt's manifest when imported: make sure one exists.
if not (DBT_DIR / "target" / "manifest.json").exists():
    subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "parse",
            "--quiet",
            "--project-dir",
            str(DBT_DIR),
            "--profiles-dir",
            str(DBT_DIR),
        ],
        check=True,
    )


def dbt_target_path(folder: Path) -> Path:
    """A dbt target folder of its own in `folder`, so that parallel dbt runs never write the
    project's `target/` (whose manifest the Dagster definitions read), seeded with the project's
    partial-parse file as the pipeline's dbt runs are."""
    target = folder / "dbt_target"
    target.mkdir(parents=True, exist_ok=True)
    partial_parse = DBT_DIR / "target" / "partial_parse.msgpack"
    if partial_parse.exists() and not (target / partial_parse.name).exists():
        shutil.copy(partial_parse, target / partial_parse.name)
    return target


def run_dbt(warehouse: Path, *models: str, indirect_selection: str = "eager") -> subprocess.CompletedProcess:
    """`dbt build` of `models` against `warehouse`, as the pipeline runs it ("buildable": leave out
    the tests that also read models not selected)."""
    target = dbt_target_path(warehouse.parent)
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "build",
            "--quiet",
            "--indirect-selection",
            indirect_selection,
            "--select",
            *models,
            "--project-dir",
            str(DBT_DIR),
            "--profiles-dir",
            str(DBT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(target),
        ],
        env={**os.environ, "CHIPWATCH_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
    )


def build(warehouse: Path):
    """What `make run FULL=1` runs (price partitions, then the whole graph), in process, against
    `warehouse`, on an ephemeral instance."""
    from dagster import DagsterInstance

    from orchestration.build import execute_build
    from orchestration.resources import build_resources

    with DagsterInstance.ephemeral() as instance:
        result, _ = execute_build(instance, resources=build_resources(warehouse))
    return result


def shared_folder(tmp_path_factory) -> Path:
    """This run's temporary folder that every xdist worker sees (each worker's own is inside it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_key() -> str:
    """What a whole-graph build is made from: what `make run` compares (the code and models, every
    source's files) and the day (the marts run to the current month)."""
    from orchestration.changes import code_version, file_states, raw_key, watched_sources

    inputs = {
        "code": code_version(),
        "day": date.today().isoformat(),
        **{raw_key(source).to_user_string(): file_states(source, {}) for source in watched_sources()},
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16]


def save_result(result, path: Path) -> None:
    from dagster._serdes import serialize_value

    runs = [{"run": run.dagster_run, "events": list(run.all_events)} for run in result.runs]
    path.write_text(serialize_value(runs))


def load_result(path: Path):
    """The build's runs as they came out of it: each run's record and every event it emitted."""
    from dagster._core.execution.execute_in_process_result import ExecuteInProcessResult
    from dagster._serdes import deserialize_value

    from orchestration.build import BuildResult
    from orchestration.definitions import defs

    runs = deserialize_value(path.read_text())
    return BuildResult(
        [
            ExecuteInProcessResult(run["events"], run["run"], None, defs.resolve_job_def(run["run"].job_name))
            for run in runs
        ]
    )


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory):
    """The whole graph built once for the run (the first worker to need it builds; the others
    wait on the lock), and its result. Tests only read it: a test that writes copies it first."""
    folder = shared_folder(tmp_path_factory) / f"built_warehouse-{build_key()}"
    saved = folder / "result.json"
    with FileLock(f"{folder}.lock"):
        if not saved.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a build that died half way
            folder.mkdir(parents=True)
            save_result(build(folder / "chipwatch.duckdb"), saved)
    return folder / "chipwatch.duckdb", load_result(saved)


@pytest.fixture(scope="session")
def serving(built_warehouse) -> Path:
    warehouse, result = built_warehouse
    assert result.success
    path = warehouse.parent / "serving.duckdb"
    assert path.exists(), "the build did not publish a serving file next to the warehouse"
    return path


@pytest.fixture
def warehouse_sql(built_warehouse):
    """Run a query against the session's built warehouse and return all rows."""
    warehouse, _ = built_warehouse

    def query(sql: str, params=None):
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    return query


def record_publish(instance, serving: Path, sources) -> None:
    """What a good run leaves in the event log: each source's raw table loaded, then the publish."""
    from dagster import AssetMaterialization, MetadataValue

    from orchestration.changes import SERVING_FILE_KEY, code_version, last_publish, published_inputs, raw_key

    for source in sources:
        instance.report_runless_asset_event(AssetMaterialization(raw_key(source)))
    inputs = published_inputs(instance, last_publish(instance))
    metadata = {
        "path": MetadataValue.path(str(serving)),
        "inputs": MetadataValue.json(inputs),
        "code_version": code_version(),
    }
    instance.report_runless_asset_event(AssetMaterialization(SERVING_FILE_KEY, metadata=metadata))
