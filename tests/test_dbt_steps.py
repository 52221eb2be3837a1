"""How the build calls dbt: once per stage, every dbt test a check of one call, and each call on
a warehouse starting from the parse the previous one saved (no full re-parse per call)."""

import json

from orchestration.resources import DBT_PROJECT_DIR


def test_a_build_calls_dbt_once_for_staging_and_once_for_the_marts():
    from dagster._core.execution.api import create_execution_plan

    from orchestration.assets.dbt import dbt_mart_models, dbt_staging_models
    from orchestration.definitions import defs

    plan = create_execution_plan(defs.resolve_job_def("build_warehouse"))
    dbt_steps = [step.key for step in plan.get_all_steps_in_topo_order() if step.key.startswith("dbt_")]
    assert dbt_steps == ["dbt_staging", "dbt_marts", "dbt_docs"]

    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    tests = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "test"}
    staging, marts = set(dbt_staging_models.keys), set(dbt_mart_models.keys)
    assert not staging & marts
    assert {key.path[-1] for key in staging | marts} == models
    checks = [check.name for check in [*dbt_staging_models.check_keys, *dbt_mart_models.check_keys]]
    assert sorted(checks) == sorted(tests)  # each dbt test once, none dropped


def parse_logs(warehouse, steps) -> list[str]:
    """dbt.log of a `dbt parse` per step on `warehouse`, each as a build's dbt step calls dbt."""
    from orchestration.assets.dbt import dbt_folder, warehouse_target
    from orchestration.dbt_profile import profile_vars
    from orchestration.resources import build_resources

    dbt = build_resources(warehouse)["dbt"]
    logs = []
    for step in steps:
        with warehouse_target(warehouse, dbt_folder(warehouse) / step) as target:
            dbt.cli(["parse", *profile_vars(warehouse)], target_path=target).wait()
        logs.append((target / "dbt.log").read_text())
    return logs


def test_the_second_dbt_call_on_a_warehouse_parses_only_what_changed(tmp_path):
    """The warehouse's file name is in dbt's --vars and profile, which key its saved parse: a call
    on a warehouse named otherwise than `make manifest`'s parses in full once, the next reuses it."""
    from orchestration.assets.dbt import dbt_folder

    warehouse = tmp_path / "w.duckdb"
    first, second = parse_logs(warehouse, ("first", "second"))
    assert "Unable to do partial parsing" in first
    assert "Unable to do partial parsing" not in second
    assert "Partial parsing enabled" in second
    assert (dbt_folder(warehouse) / "partial_parse.msgpack").exists()


def test_the_first_dbt_call_on_a_new_chipwatch_duckdb_anywhere_starts_from_make_manifests_parse(tmp_path):
    """dbt runs in the warehouse's folder and is told its file name alone, so a warehouse of the
    default name in any folder has the vars and profile `make manifest` parsed with."""
    [first] = parse_logs(tmp_path / "elsewhere" / "chipwatch.duckdb", ("first",))
    assert "Unable to do partial parsing" not in first
    assert "Partial parsing enabled" in first


def test_chipwatch_dbt_names_the_warehouse_from_its_folder_and_keeps_relative_paths_meaning(tmp_path):
    from orchestration.dbt_cli import in_warehouse_folder

    here = tmp_path / "project"
    (here / "dbt").mkdir(parents=True)
    (here / "profiles.yml").write_text("")
    vars_ = json.dumps({"warehouse": "../data/w.duckdb", "memory_limit": "1GB"})
    args = ["build", "--target-path", "out", "--vars", vars_, "--log-path", "/var/log/dbt"]
    folder, moved, env = in_warehouse_folder(args, {"DBT_TARGET_PATH": "t", "HOME": "/root"}, here)
    assert folder == here / ".." / "data"
    assert moved == [
        "build",
        *("--target-path", str(here / "out")),
        *("--vars", json.dumps({"warehouse": "w.duckdb", "memory_limit": "1GB"})),
        *("--log-path", "/var/log/dbt"),
    ]
    # dbt's defaults were the folder it was started in: the project there, and its profiles.yml.
    assert env == {
        "DBT_TARGET_PATH": str(here / "t"),
        "HOME": "/root",
        "DBT_PROJECT_DIR": str(here),
        "DBT_PROFILES_DIR": str(here),
    }
    for unchanged in (["--version"], ["parse", "--vars", "{warehouse: w.duckdb}"], ["parse", "--vars", "{}"]):
        assert in_warehouse_folder(unchanged, {}, here) == (None, unchanged, {})


def test_the_build_runs_dbt_through_chipwatch_dbt_which_is_dbt_itself():
    """`chipwatch-dbt` is dbt's own command line in a process whose collector is set for one call:
    the same dbt, the same answers and exit codes."""
    import subprocess
    import sys
    from pathlib import Path

    from orchestration.resources import DBT_EXECUTABLE, build_resources

    assert build_resources()["dbt"].dbt_executable == str(DBT_EXECUTABLE)
    assert DBT_EXECUTABLE.name == "chipwatch-dbt"
    dbt = Path(sys.executable).with_name("dbt")
    for arguments in (["--version"], ["no-such-command"]):
        ours = subprocess.run([DBT_EXECUTABLE, *arguments], capture_output=True, text=True)
        theirs = subprocess.run([dbt, *arguments], capture_output=True, text=True)
        assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout)
    assert ours.returncode != 0 and "No such command" in ours.stderr


def test_a_process_set_for_one_job_collects_less_often_and_leaves_what_it_loaded():
    import subprocess
    import sys

    from orchestration.process import THRESHOLDS

    program = (
        "import gc; from orchestration.process import collect_for_one_job; "
        "before = gc.get_freeze_count(); collect_for_one_job(); "
        "print(gc.get_threshold(), before, gc.get_freeze_count() > before)"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[0] == f"{THRESHOLDS} 0 True"


def test_loading_the_code_location_leaves_what_it_loaded_to_the_end_of_the_process():
    import subprocess
    import sys

    program = "import gc, orchestration.definitions; print(gc.get_threshold(), gc.get_freeze_count())"
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    thresholds, frozen = done.stdout.rsplit(" ", 1)
    # Frozen, not re-tuned: a code server keeps Python's default collection for what it does next.
    assert thresholds == "(700, 10, 10)" and int(frozen) > 100_000
