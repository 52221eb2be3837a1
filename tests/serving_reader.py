"""A BI client querying the serving file all along while a build runs: `python tests/serving_reader.py
SERVING READY STOP` prints what it saw as JSON when STOP exists. `ServingReader` starts and stops it."""

import json
import subprocess
import sys
import time
from pathlib import Path


def main(serving: Path, ready: Path, stop: Path) -> None:
    import duckdb

    counts = {"queries": 0, "failed": 0, "lock_errors": 0, "errors": [], "run_ids": []}
    config = {"enable_external_access": False}  # as `chipwatch sql` opens it
    # A BI tool keeping its connection open all along: its own database instance, so that the
    # fresh connections below are not served from the same (cached) instance.
    held = duckdb.connect()
    held.execute(f"attach '{serving}' as served (read_only)")
    while not stop.exists():
        try:
            # A fresh connection each time, as a dashboard refresh or `chipwatch sql` makes.
            con = duckdb.connect(str(serving), read_only=True, config=config)
            try:
                run_id = con.execute("select run_id from meta.published").fetchone()[0]
                rows = con.execute("select count(*) from marts.market_share").fetchone()[0]
                assert rows > 0, "empty mart"
            finally:
                con.close()
            held.execute("select count(*) from served.marts.chip_cost_efficiency").fetchone()
            counts["queries"] += 1
            if run_id not in counts["run_ids"]:
                counts["run_ids"].append(run_id)
            ready.touch()
        except Exception as error:
            counts["failed"] += 1
            counts["lock_errors"] += "lock" in str(error).lower()
            counts["errors"].append(str(error)[:300])
        time.sleep(0.1)  # a dashboard refreshing, not a loop that takes a core from the build
    held.close()
    print(json.dumps(counts))


class ServingReader:
    """The reader in a process of its own, started once it has made a first query."""

    def __init__(self, serving: Path, folder: Path, timeout: float = 60):
        self.ready, self.stop = folder / "reader.ready", folder / "reader.stop"
        self.process = subprocess.Popen(
            [sys.executable, __file__, str(serving), str(self.ready), str(self.stop)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + timeout
        while not self.ready.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop.touch()
                raise AssertionError(
                    f"the reader never managed a first query: {self.process.communicate(timeout=30)}"
                )
            time.sleep(0.05)

    def finish(self) -> dict:
        """Stop it and return its counts: queries, failed, lock_errors, errors, run_ids (in order)."""
        self.stop.touch()
        out, err = self.process.communicate(timeout=60)
        assert self.process.returncode == 0, err
        return json.loads(out)


if __name__ == "__main__":
    main(*(Path(argument) for argument in sys.argv[1:4]))
