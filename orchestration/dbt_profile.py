"""What points dbt's profile (dbt_project/profiles.yml) at a warehouse: the `--vars` of every dbt call.

dbt re-parses the whole project when its vars or profile differ from those of the parse it saved
(`partial_parse.msgpack`). `chipwatch-dbt` therefore runs dbt in the warehouse's folder and
names only its file (`orchestration.dbt_cli`), `make manifest` parses with the vars of the
default warehouse (`python -m orchestration.dbt_profile` prints them), and each warehouse keeps
the parse of its last dbt call (`orchestration.assets.dbt.warehouse_target`).
"""

import json
import sys
from pathlib import Path

from ingestion.backend import backend, default_memory_limit, ducklake_data_path, install_bundled_extensions
from ingestion.paths import warehouse_path


def profile_vars(warehouse: Path | str) -> list[str]:
    """`--vars` for this warehouse, with the memory cap every other connection gets; on DuckLake,
    the extensions are installed for dbt's LOAD."""
    settings = {"warehouse": str(warehouse), "memory_limit": default_memory_limit()}
    if backend() == "ducklake":
        settings["ducklake_data_path"] = ducklake_data_path(warehouse)
        install_bundled_extensions()
    return ["--vars", json.dumps(settings)]


if __name__ == "__main__":
    print(profile_vars(warehouse_path())[1])
    sys.exit(0)
