"""Resources shared by the assets: the DuckDB warehouse and the dbt project."""

import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from dagster_duckdb import DuckDBResource

from ingestion.paths import PROJECT_ROOT, warehouse_path

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# The dbt installed beside this interpreter, so a run needs no activated environment.
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")


def build_resources(warehouse: Path | None = None) -> dict:
    """The resources for a run against `warehouse` (default: `CHIPWATCH_WAREHOUSE` or the project's file)."""
    return {
        "duckdb": DuckDBResource(database=str(warehouse or warehouse_path())),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE)),
    }
