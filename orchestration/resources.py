"""Resources shared by the assets: the DuckDB warehouse and the dbt project."""

import sys
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import Failure
from dagster_dbt import DbtCliResource, DbtProject
from dagster_duckdb import DuckDBResource

from ingestion.backend import duckdb_config
from ingestion.paths import PROJECT_ROOT, warehouse_path

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# The dbt installed beside this interpreter, so a run needs no activated environment.
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")


class Warehouse(DuckDBResource):
    """The DuckDB warehouse. Connecting retries with backoff while another process holds the file,
    then fails with a message that says what to do."""

    @contextmanager
    def get_connection(self):
        from ingestion.backend import backend, connect

        if backend() == "ducklake":
            # Many writers at once: DuckLake's catalog serialises them, no file lock to wait for.
            with connect(self.database) as connection:
                yield connection
            return
        opening = super().get_connection()
        try:
            connection = opening.__enter__()
        except duckdb.IOException as error:
            raise Failure(
                description=(
                    f"The warehouse {self.database} is held by another process and stayed locked "
                    f"through the retries ({error}). Close the program that has it open (a BI tool "
                    "or a DuckDB shell without -readonly), point BI tools at the serving file "
                    "instead, then re-run."
                )
            ) from error
        try:
            yield connection
        finally:
            opening.__exit__(None, None, None)


def build_resources(warehouse: Path | None = None) -> dict:
    """The resources for a run against `warehouse` (default: `CHIPWATCH_WAREHOUSE` or the project's file)."""
    return {
        "duckdb": Warehouse(database=str(warehouse or warehouse_path()), connection_config=duckdb_config()),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE)),
    }
