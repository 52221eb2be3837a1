"""Crashes and concurrent builds (issue 7): SIGKILL at random points never breaks the serving file,
the next build completes, and a second build started during the first stops with exit code 75.

The trials kill real subprocesses: the whole build (`python -m orchestration.build --full`),
and, to reach every phase many times without paying a whole build each time, its phases run
alone: ingestion (reading and landing every source), dbt (`dbt build`), validation (the staging
Great Expectations suites) and publish. About 5 minutes in all; `CHIPWATCH_SKIP_CRASH_TESTS=1`
skips them.
"""

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import DBT_DIR, PROJECT_ROOT

pytestmark = pytest.mark.skipif(
    os.environ.get("CHIPWATCH_SKIP_CRASH_TESTS") == "1", reason="CHIPWATCH_SKIP_CRASH_TESTS=1"
)

PYTHON = sys.executable
WORKERS = Path(__file__).parent / "crash_workers.py"
EXIT_BUSY = 75


def serving_snapshot(serving: Path) -> tuple[str, dict[str, int]]:
    """The run that published the file and every served table's row count, counted (the file opens
    read-only, as every reader opens it, and holds what its meta says it holds)."""
    with duckdb.connect(str(serving), read_only=True) as con:
        [(run_id,)] = con.execute("select run_id from meta.published").fetchall()
        recorded = dict(con.execute("select table_name, row_count from meta.table_rows").fetchall())
        counted = {
            name: con.execute(f"select count(*) from {name}").fetchone()[0]
            for name in (f'"{t.split(".")[0]}"."{t.split(".")[1]}"' for t in recorded)
        }
    assert list(counted.values()) == list(recorded.values())
    return run_id, recorded


@pytest.fixture(scope="module")
def sandbox(built_warehouse, tmp_path_factory):
    """A copy of the session's built warehouse and its serving file, with a Dagster home of its own."""
    warehouse, result = built_warehouse
    assert result.success
    root = tmp_path_factory.mktemp("crash")
    shutil.copy(warehouse, root / "chipwatch.duckdb")
    shutil.copy(warehouse.parent / "serving.duckdb", root / "serving.duckdb")
    (root / "home").mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("CHIPWATCH_SERVING", "FULL")},
        "CHIPWATCH_WAREHOUSE": str(root / "chipwatch.duckdb"),
        "DAGSTER_HOME": str(root / "home"),
        "GX_ANALYTICS_ENABLED": "false",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    return root, env


def commands(root: Path, trial: int) -> dict[str, list[str]]:
    warehouse, serving = str(root / "chipwatch.duckdb"), str(root / "serving.duckdb")
    dbt = str(Path(PYTHON).with_name("dbt"))
    return {
        "ingestion": [PYTHON, str(WORKERS), "ingest", warehouse],
        "dbt": [dbt, "build", "--quiet", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR)],
        "validation": [PYTHON, str(WORKERS), "validate", warehouse],
        "publish": [PYTHON, str(WORKERS), "publish", warehouse, serving, f"crash-trial-{trial}"],
        "build": [PYTHON, "-m", "orchestration.build", "--full"],
    }


def start(command: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: the kill takes dbt's children too
    )


def kill_after(process: subprocess.Popen, delay: float) -> bool:
    """SIGKILL the process group after `delay` seconds; False if it had already finished."""
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return True


# (phase, upper bound of the kill delay in seconds): 20 trials, each phase several times, plus
# two kills of the whole build (early: ingestion; later: dbt and checks).
TRIALS = [
    *[("ingestion", 6.0)] * 5,
    *[("dbt", 25.0)] * 5,
    *[("validation", 12.0)] * 4,
    *[("publish", 4.0)] * 6,
    ("build", 20.0),
    ("build", 60.0),
]


def test_sigkill_at_random_points_never_breaks_the_serving_file_and_the_next_build_completes(sandbox):
    root, env = sandbox
    serving = root / "serving.duckdb"
    first_run, counts = serving_snapshot(serving)
    published = {first_run}
    rng = random.Random(20261128)
    killed = 0
    for trial, (phase, upper) in enumerate(TRIALS):
        delay = rng.uniform(0.3, upper)
        process = start(commands(root, trial)[phase], env)
        was_killed = kill_after(process, delay)
        killed += was_killed
        if not was_killed:
            output = process.stdout.read()
            assert process.returncode == 0, f"{phase} failed on its own:\n{output[-3000:]}"
        published.add(f"crash-trial-{trial}")
        run_id, after = serving_snapshot(serving)
        # The file opens and holds a whole publish: the last one, or one this trial completed.
        assert run_id in published or phase == "build", (phase, delay, run_id)
        assert after == counts, (phase, delay)
        published.add(run_id)
        # The working warehouse opens too (DuckDB replays or discards its write-ahead log).
        with duckdb.connect(str(root / "chipwatch.duckdb")) as con:
            con.execute("select count(*) from raw.chips").fetchone()
    # On a fast machine a phase may finish before its kill; most trials must still be kills.
    assert killed >= 10, f"only {killed} of {len(TRIALS)} trials were killed before they finished"


def test_a_second_build_stops_with_exit_75_while_the_first_runs_and_the_first_completes(sandbox):
    """Also the run after all the kills above: it completes and publishes."""
    root, env = sandbox
    lock = root / "chipwatch.duckdb.lock"
    first = start(commands(root, 0)["build"], env)
    deadline = time.monotonic() + 120
    # A build killed above may have left its PID in the lock file (the flock itself died with it):
    # wait for this build's own PID.
    while not (lock.exists() and lock.read_text().strip() == str(first.pid)):
        assert first.poll() is None, first.stdout.read()
        assert time.monotonic() < deadline, "the first build never took the lock"
        time.sleep(0.2)
    second = subprocess.run(
        [PYTHON, "-m", "orchestration.build"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert second.returncode == EXIT_BUSY, second.stdout + second.stderr
    assert f"Another build (PID {first.pid}) is writing {root / 'chipwatch.duckdb'}: this one stops" in (
        second.stdout
    )
    output, _ = first.communicate(timeout=900)
    assert first.returncode == 0, output[-5000:]
    assert "Build OK" in output
    run_id, counts = serving_snapshot(root / "serving.duckdb")
    assert not run_id.startswith("crash-trial-") and counts
    # Temporary files of the publishes killed above were cleared by this one.
    assert [p.name for p in root.iterdir() if p.name.startswith(".serving.duckdb.")] == []
