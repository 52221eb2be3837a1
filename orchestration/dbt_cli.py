"""dbt's command line (`chipwatch-dbt`, what the build's dbt steps run), in a process whose
collector is set for one call (`orchestration.process`), started in the warehouse's folder.

dbt parses the whole project again when its `--vars` or its profile differ from those of the
parse it saved, and both name the warehouse. So a call whose `--vars` name a warehouse runs in
that warehouse's folder and names the file alone: every warehouse of one file name
(`chipwatch.duckdb`) has the same vars and profile, and the first call on a new one starts from
the parse `make manifest` saved. Relative paths given to dbt (its options and `DBT_*` variables)
are made absolute first, so they still name what they named where the call was made. On DuckLake
the warehouse is a location rather than a file dbt opens, and the call runs where it was made.
"""

import json
import os
import sys
from pathlib import Path

from ingestion.backend import backend
from orchestration.process import collect_for_one_job, keep_what_is_loaded

PATH_OPTIONS = ("--project-dir", "--profiles-dir", "--target-path", "--log-path", "--state", "--defer-state")
PATH_VARIABLES = (
    "DBT_PROJECT_DIR",
    "DBT_PROFILES_DIR",
    "DBT_TARGET_PATH",
    "DBT_LOG_PATH",
    "DBT_STATE",
    "DBT_DEFER_STATE",
)


def in_warehouse_folder(
    args: list[str], env: dict[str, str], here: Path
) -> tuple[Path | None, list[str], dict[str, str]]:
    """The folder to run dbt in, with `args` and `env` for a call made there rather than in `here`:
    `(None, args, env)` unchanged when the `--vars` name no warehouse."""
    at = next((i for i, arg in enumerate(args) if arg == "--vars"), None)
    if at is None or at + 1 >= len(args):
        return None, args, env
    try:
        settings = json.loads(args[at + 1])
    except json.JSONDecodeError:
        return None, args, env  # YAML vars: passed to dbt as they are
    if not isinstance(settings, dict) or not settings.get("warehouse"):
        return None, args, env
    warehouse = here / settings["warehouse"]
    moved = [*args[:at], "--vars", json.dumps({**settings, "warehouse": warehouse.name}), *args[at + 2 :]]
    for index, arg in enumerate(moved[:-1]):
        if arg in PATH_OPTIONS:
            moved[index + 1] = str(here / moved[index + 1])
    env = {**env, **{name: str(here / env[name]) for name in PATH_VARIABLES if env.get(name)}}
    # dbt's defaults, which are the folder it starts in: the project there, and its profiles.yml.
    if "--project-dir" not in moved and "DBT_PROJECT_DIR" not in env:
        env["DBT_PROJECT_DIR"] = str(here)
    if "--profiles-dir" not in moved and "DBT_PROFILES_DIR" not in env and (here / "profiles.yml").exists():
        env["DBT_PROFILES_DIR"] = str(here)
    return warehouse.parent, moved, env


def enter_warehouse_folder(args: list[str]) -> list[str]:
    """Move this process into the folder of the warehouse dbt's `args` name (on one DuckDB file),
    with dbt's environment to match; the arguments for dbt called from there."""
    if backend() != "duckdb":
        return args
    folder, args, env = in_warehouse_folder(args, dict(os.environ), Path.cwd())
    if folder is not None:
        os.environ.update(env)
        folder.mkdir(parents=True, exist_ok=True)  # as the build makes it for the warehouse
        os.chdir(folder)
    return args


def main() -> None:
    from dbt.cli.main import cli

    sys.argv[1:] = enter_warehouse_folder(sys.argv[1:])
    collect_for_one_job()
    try:
        cli()
    finally:
        keep_what_is_loaded()
