"""`make bench`: figures measured side by side in one run, printed and written to docs/BENCHMARKS.md.

- import cost of the code location against `import dagster_dbt` alone (the floor);
- a cold build (`--full`) against a no-change incremental build, on a fresh temp warehouse.

Machines here are shared and noisy: compare the ratios, measured in the same run.
"""

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = PROJECT_ROOT / "docs" / "BENCHMARKS.md"


def timed(command: list[str], env: dict, repeat: int = 1) -> float:
    """Median wall time of `command`, seconds; it must succeed."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    python = sys.executable
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            **os.environ,
            "CHIPWATCH_WAREHOUSE": str(Path(scratch) / "bench.duckdb"),
            "DAGSTER_HOME": scratch,
            "CHIPWATCH_SERVING": str(Path(scratch) / "serving.duckdb"),
        }
        floor = timed([python, "-c", "import dagster_dbt"], env, repeat=3)
        location = timed([python, "-c", "import orchestration.definitions"], env, repeat=3)
        cold = timed([python, "-m", "orchestration.build", "--full"], env)
        unchanged = timed([python, "-m", "orchestration.build"], env, repeat=3)
    rows = [
        ("import dagster_dbt (floor)", f"{floor:.2f} s", ""),
        (
            "import orchestration.definitions",
            f"{location:.2f} s",
            f"+{location - floor:.2f} s over the floor",
        ),
        ("cold build (make run FULL=1)", f"{cold:.1f} s", ""),
        ("no-change build (make run)", f"{unchanged:.2f} s", f"{unchanged / cold:.1%} of the cold build"),
    ]
    table = ["| measurement | time | ratio |", "|---|---|---|"] + [f"| {a} | {b} | {c} |" for a, b, c in rows]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    BENCHMARKS.write_text(
        "# Benchmarks\n\n"
        f"Written by `make bench` on {when} ({machine}). Medians of 3 runs where repeated; "
        "the machine is shared, so read the ratios rather than the absolute times.\n\n"
        + "\n".join(table)
        + "\n"
    )
    print("\n".join(table))
    print(f"\nwritten to {BENCHMARKS.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
