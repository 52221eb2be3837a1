"""Resources shared by the assets: the DuckDB warehouse and the dbt project."""

import sys
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

import duckdb
from dagster import Failure
from dagster_dbt import DbtCliResource, DbtProject
from dagster_duckdb import DuckDBResource

from ingestion.backend import duckdb_config, without_progress_bar
from ingestion.paths import PROJECT_ROOT, warehouse_path

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# dbt's command line installed beside this interpreter (so a run needs no activated environment),
# in a process set for one call (`orchestration.dbt_cli`).
DBT_EXECUTABLE = Path(sys.executable).with_name("chipwatch-dbt")


class DbtCore(DbtCliResource):
    """dagster-dbt's dbt resource, without two costs of each call that this project gains nothing
    from: it asks the dbt executable for its version in a process of its own (to tell dbt Core
    from dbt Fusion; this environment installs dbt-core, so the version is the package's), and it
    builds a dbt adapter in the build's process, loading every dbt macro, for column metadata and
    row counts the assets never fetch."""

    @cached_property
    def _cli_version(self):
        from packaging.version import Version

        return Version(version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


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
            connection = without_progress_bar(opening.__enter__())
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
        "dbt": DbtCore(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE)),
    }
