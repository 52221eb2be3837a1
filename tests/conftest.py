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
from dataclasses import dataclass
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


# `make test` hands whole files to its workers in this order (`--no-loadscope-reorder`), the longest
# first, so that they end together rather than one running the crash trials alone at the end. A
# worker is handed a next file while its current one has two tests or fewer to go: the crash trials'
# two tests are followed by a quick file of more than two, so no long file queues behind them.
LONGEST_FIRST = (
    "test_crash_safety.py",
    "test_ducklake.py",
    "test_validation_split.py",
    "test_serving.py",
    "test_pipeline.py",
    "test_fetch_to_marts.py",
    "test_bench.py",
    "test_card_files.py",
    "test_sec_filings.py",
    "test_curated_figures.py",
    "test_bi_tools.py",
    "test_sources.py",
    "test_fx_rates.py",
    "test_dbt_steps.py",
    "test_fetch_loading.py",
    "test_fetch.py",
    "test_dagster_ui.py",
    "test_validation.py",
    "test_dashboard.py",
    "test_bi_clients.py",
    "test_operations.py",
    "test_marts.py",
    "test_cli_guarantees.py",
    "test_hostile_inputs.py",
)


def pytest_collection_modifyitems(items):
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: a file's order is kept


def pytest_collection_finish(session):
    """The test modules and the libraries they import live for the whole session: the collector is
    set as for a build's process (`orchestration/process.py`), which the in-process builds run in."""
    from orchestration.process import collect_for_one_job

    collect_for_one_job()


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
    """`dbt build` of `models` against `warehouse`, as the pipeline runs it (`chipwatch-dbt`, the
    build's `--vars`, the warehouse's kept parse; "buildable": leave out the tests that also read
    models not selected)."""
    from orchestration.assets.dbt import warehouse_target
    from orchestration.dbt_profile import profile_vars
    from orchestration.resources import DBT_EXECUTABLE

    with warehouse_target(warehouse, warehouse.parent / "dbt_target") as target:
        return subprocess.run(
            [
                str(DBT_EXECUTABLE),
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
                *profile_vars(warehouse),
            ],
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
    from dagster._serdes import deserialize_value

    return build_result(deserialize_value(path.read_text()))


def build_result(runs: list[dict]):
    """A `BuildResult` of real run results from each run's record and events."""
    from dagster._core.execution.execute_in_process_result import ExecuteInProcessResult

    from orchestration.build import BuildResult
    from orchestration.definitions import defs

    return BuildResult(
        [
            ExecuteInProcessResult(run["events"], run["run"], None, defs.resolve_job_def(run["run"].job_name))
            for run in runs
        ]
    )


def runs_in(dagster_home: Path) -> list[dict]:
    """Every run a Dagster home recorded, oldest first, with the events it emitted."""
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(dagster_home)) as instance:
        runs = []
        for run in reversed(instance.get_runs()):
            logs = instance.all_logs(run.run_id)
            runs.append({"run": run, "events": [log.dagster_event for log in logs if log.dagster_event]})
        return runs


def made_once(tmp_path_factory, name: str, make) -> Path:
    """`make(folder)` once per run into a folder every xdist worker sees, keyed by the build's
    inputs: the first worker to need it makes it, the others wait on the lock."""
    folder = shared_folder(tmp_path_factory) / f"{name}-{build_key()}"
    done = folder / ".made"
    with FileLock(f"{folder}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # one that died half way
            folder.mkdir(parents=True)
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory):
    """The whole graph built once for the run, and its result. Tests only read it: a test that
    writes copies it first."""
    folder = made_once(
        tmp_path_factory,
        "built_warehouse",
        lambda folder: save_result(build(folder / "chipwatch.duckdb"), folder / "result.json"),
    )
    return folder / "chipwatch.duckdb", load_result(folder / "result.json")


REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"


def require_shared_data(path: Path) -> Path:
    """`path`, a real public file under ../shared/data; a test needing it is skipped in a checkout
    without it, saying so, and fails under CI (.ci/run), which must run it."""
    if not path.exists():
        message = f"{path} is missing: the test reads the real public files in ../shared/data"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI must run it)")
        pytest.skip(message)
    return path


def reference_rows(table: str) -> list[dict]:
    """The rows of a shipped curated table, read as the pipeline reads it."""
    from ingestion.reference import read_reference_csv
    from ingestion.reference_tables import REFERENCE_TABLES

    return read_reference_csv(REFERENCE_DIR / f"{table}.csv", REFERENCE_TABLES[table]).to_dicts()


def reference_row(table: str, **key) -> dict:
    """The one row of a shipped curated table with these values."""
    [row] = [r for r in reference_rows(table) if all(r[k] == v for k, v in key.items())]
    return row


def copy_reference_with_negative_h200_memory(folder: Path) -> Path:
    """The curated files, copied into `folder`, with the H200's memory made -141 GB."""
    bad = folder / "reference"
    shutil.copytree(REFERENCE_DIR, bad)
    chips = bad / "chips.csv"
    lines = chips.read_text(encoding="utf-8").splitlines()
    memory = lines[0].split(",").index("memory_gb")
    for index, line in enumerate(lines):
        if line.startswith("NVIDIA H200 SXM,"):
            cells = line.split(",")
            cells[memory] = "-141"
            lines[index] = ",".join(cells)
    chips.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return bad


@dataclass(frozen=True)
class FailedBuild:
    warehouse: Path  # a copy of the built warehouse the failed build ran on
    serving: Path  # a copy of the built serving file, next to it
    returncode: int
    stdout: str
    result: object  # orchestration.build.BuildResult of the runs it made


@pytest.fixture(scope="session")
def failed_build(built_warehouse, tmp_path_factory) -> FailedBuild:
    """`python -m orchestration.build`, run once for the tests that read it, on a copy of the built
    warehouse and its serving file with the H200's memory made negative in the curated chips, in a
    Dagster home of its own (no publish recorded there: the whole graph is due)."""
    good, _ = built_warehouse

    def make(folder: Path) -> None:
        shutil.copy(good, folder / "chipwatch.duckdb")
        shutil.copy(good.parent / "serving.duckdb", folder / "serving.duckdb")
        (folder / "dagster_home").mkdir()
        env = {
            **{name: value for name, value in os.environ.items() if name != "CHIPWATCH_SERVING"},
            "CHIPWATCH_WAREHOUSE": str(folder / "chipwatch.duckdb"),
            "CHIPWATCH_REFERENCE_DIR": str(copy_reference_with_negative_h200_memory(folder / "inputs")),
            "DAGSTER_HOME": str(folder / "dagster_home"),
        }
        completed = subprocess.run(
            [sys.executable, "-m", "orchestration.build"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        (folder / "inputs" / "stdout.txt").write_text(completed.stdout, encoding="utf-8")
        (folder / "inputs" / "returncode").write_text(str(completed.returncode))

    folder = made_once(tmp_path_factory, "failed_build", make)
    return FailedBuild(
        warehouse=folder / "chipwatch.duckdb",
        serving=folder / "serving.duckdb",
        returncode=int((folder / "inputs" / "returncode").read_text()),
        stdout=(folder / "inputs" / "stdout.txt").read_text(encoding="utf-8"),
        result=build_result(runs_in(folder / "dagster_home")),
    )


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
