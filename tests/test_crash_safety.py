"""Crashes and concurrent builds (issue 7): SIGKILL at random points never breaks the serving file,
the next build completes, a second build started during the first stops with exit code 75, and a
reader querying the serving file through that whole build and its publish never fails.

The trials kill real subprocesses: the whole build (`python -m orchestration.build --full`),
and, to reach every phase many times without paying a whole build each time, its phases run
alone: ingestion (reading and landing every source), dbt (`dbt run`: every model), validation (the staging
Great Expectations suites) and publish. Each phase runs in a process forked from a server that
has imported dbt, Great Expectations and polars once (tests/crash_workers.py), so a kill lands in
the phase's work rather than in Python's start-up. `CHIPWATCH_SKIP_CRASH_TESTS=1` skips them.
"""

import json
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from conftest import DBT_DIR, PROJECT_ROOT, dbt_target_path
from serving_reader import ServingReader

from orchestration.dbt_profile import profile_vars

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
    """Each phase as the phase server runs it (`[worker phase, *arguments]`), and the whole build."""
    warehouse, serving = str(root / "chipwatch.duckdb"), str(root / "serving.duckdb")
    target = str(dbt_target_path(root))
    return {
        "ingestion": ["ingest", warehouse],
        # `dbt run`: every model rewritten, as in a build; a build's dbt tests only read.
        "dbt": [
            *["dbt", "run", "--quiet", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR)],
            *["--target-path", target, "--log-path", target, *profile_vars(warehouse)],
        ],
        "validation": ["validate", warehouse],
        "publish": ["publish", warehouse, serving, f"crash-trial-{trial}"],
        "build": [PYTHON, "-m", "orchestration.build", "--full"],
    }


class PhaseServer:
    """tests/crash_workers.py `serve`: runs each phase in a child forked from it (imports paid once)."""

    def __init__(self, env: dict):
        self.process = subprocess.Popen(
            [PYTHON, str(WORKERS), "serve"],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read_lines, daemon=True).start()
        assert self.next_line(timeout=300) == "ready", "the phase server did not start"

    def _read_lines(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)

    def next_line(self, timeout: float) -> str:
        try:
            return self.lines.get(timeout=timeout).strip()
        except queue.Empty:
            return ""

    def run_and_kill(self, command: list[str], log: Path, delay: float) -> tuple[bool, int]:
        """Run `command` forked; SIGKILL its process group after `delay` seconds unless it has ended.
        Returns (killed, exit code)."""
        phase, *args = command
        self.process.stdin.write(json.dumps([phase, args, str(log)]) + "\n")
        self.process.stdin.flush()
        started = self.next_line(timeout=60)
        assert started.startswith("started "), started
        pid = int(started.split()[1])
        ended = self.next_line(timeout=delay)
        if not ended:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # it ended as the delay ran out
            ended = self.next_line(timeout=60)
        assert ended.startswith(f"ended {pid} "), ended
        code = int(ended.split()[2])
        return code == -signal.SIGKILL, code

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


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


# 20 trials of the phases, each several times, killed at a random point of the phase's work (its
# duration, measured once before them), plus two kills of the whole build at a random delay up to
# the bound given in seconds (early: ingestion; later: dbt and checks).
PHASE_TRIALS = ["ingestion"] * 5 + ["dbt"] * 5 + ["validation"] * 4 + ["publish"] * 6
BUILD_TRIALS = [("build", 20.0), ("build", 60.0)]


def test_sigkill_at_random_points_never_breaks_the_serving_file_and_the_next_build_completes(sandbox):
    root, env = sandbox
    serving = root / "serving.duckdb"
    first_run, counts = serving_snapshot(serving)
    published = {first_run}
    rng = random.Random(20261128)
    killed = 0
    server = PhaseServer(env)
    # How long each phase's work takes here, run through once to its end (its publish is a whole one).
    durations = {}
    for phase in dict.fromkeys(PHASE_TRIALS):
        log, started = root / f"measure-{phase}.log", time.monotonic()
        assert server.run_and_kill(commands(root, -1)[phase], log, 900) == (False, 0), log.read_text()[-3000:]
        durations[phase] = time.monotonic() - started
    published.add("crash-trial--1")
    trials = [(phase, durations[phase]) for phase in PHASE_TRIALS] + BUILD_TRIALS
    for trial, (phase, upper) in enumerate(trials):
        delay = rng.uniform(0.05, 0.95) * upper if phase != "build" else rng.uniform(0.3, upper)
        command = commands(root, trial)[phase]
        if phase == "build":
            process = start(command, env)
            was_killed = kill_after(process, delay)
            output, code = (process.stdout.read(), process.returncode) if not was_killed else ("", None)
        else:
            log = root / f"trial-{trial}.log"
            was_killed, code = server.run_and_kill(command, log, delay)
            output = log.read_text() if not was_killed else ""
        killed += was_killed
        if not was_killed:
            assert code == 0, f"{phase} failed on its own:\n{output[-3000:]}"
        published.add(f"crash-trial-{trial}")
        run_id, after = serving_snapshot(serving)
        # The file opens and holds a whole publish: the last one, or one this trial completed.
        assert run_id in published or phase == "build", (phase, delay, run_id)
        assert after == counts, (phase, delay)
        published.add(run_id)
        # The working warehouse opens too (DuckDB replays or discards its write-ahead log).
        with duckdb.connect(str(root / "chipwatch.duckdb")) as con:
            con.execute("select count(*) from raw.chips").fetchone()
    server.close()
    # On a fast machine a phase may finish before its kill; most trials must still be kills.
    assert killed >= 10, f"only {killed} of {len(trials)} trials were killed before they finished"


def test_a_second_build_stops_with_exit_75_and_a_reader_never_fails_while_the_first_runs(sandbox):
    """Also the run after all the kills above: it completes and publishes, while a BI client
    queries the serving file all along without one failure or lock error (every step writes the
    working warehouse; the last one swaps a new serving file in)."""
    root, env = sandbox
    old_run, _ = serving_snapshot(root / "serving.duckdb")
    reader = ServingReader(root / "serving.duckdb", root)
    try:
        first = start(commands(root, 0)["build"], env)
        output = second_build_stops_while_first_runs(first, root, env)
        time.sleep(1)  # let the reader query the new file a few times
    finally:
        seen = reader.finish()
    assert first.returncode == 0, output[-5000:]
    assert "Build OK" in output
    run_id, counts = serving_snapshot(root / "serving.duckdb")
    assert not run_id.startswith("crash-trial-") and counts
    # Temporary files of the publishes killed above were cleared by this one.
    assert [p.name for p in root.iterdir() if p.name.startswith(".serving.duckdb.")] == []
    assert seen["failed"] == 0, seen["errors"][:5]
    assert seen["lock_errors"] == 0
    assert seen["queries"] > 20
    assert seen["run_ids"][0] == old_run and seen["run_ids"][-1] == run_id


def second_build_stops_while_first_runs(first: subprocess.Popen, root: Path, env: dict) -> str:
    """Start a second build once `first` holds the lock: it stops with exit 75. `first`'s output."""
    lock = root / "chipwatch.duckdb.lock"
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
    return output
