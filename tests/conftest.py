"""Shared fixtures: one whole-graph build into a temporary warehouse, reused by the tests that read it."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

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


def run_dbt(warehouse: Path, *models: str, indirect_selection: str = "eager") -> subprocess.CompletedProcess:
    """`dbt build` of `models` against `warehouse`, as the pipeline runs it ("buildable": leave out
    the tests that also read models not selected)."""
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


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("warehouse") / "chipwatch.duckdb"
    result = build(warehouse)
    return warehouse, result


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
