"""`make bench [SIZE=10m]`: figures measured side by side in one run, printed and written to
docs/BENCHMARKS.md (one section per size; the other sizes' sections and the hand-written
analysis are kept).

On the same synthetic price file (`bench/synthetic.py`, fixed seed, labelled synthetic):
- ingestion rows/s and peak RSS, each method in its own process: chipwatch's path (read,
  GX raw suite, land), DuckDB's own `read_csv` (the floor), dlt's duckdb destination (the peer);
- the share of chipwatch's ingestion time spent in GX validation, and where the read time goes;
- import cost of the code location against `import dagster_dbt` alone (the floor);
- a cold build (`--full`) against a no-change incremental build, on a fresh temp warehouse;
- query latency p50/p95 on that build's serving file, for the README's and the dashboard's
  queries, and with the synthetic prices appended for price queries.

Machines here are shared and noisy: compare the ratios, measured in the same run.

    python bench/run.py [--size 10m] [--repeat N] [--skip-builds --serving FILE] [--out FILE | --no-docs]
"""

import argparse
import importlib.util
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.synthetic import parse_size, size_label, write_prices  # noqa: E402

BENCHMARKS = PROJECT_ROOT / "docs" / "BENCHMARKS.md"
METHODS = ("duckdb", "chipwatch", "dlt")
ANALYSIS_MARKER = "<!-- analysis: kept by make bench -->"


def timed(command: list[str], env: dict, repeat: int = 1) -> float:
    """Median wall time of `command`, seconds; it must succeed."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_json(command: list[str], env: dict) -> dict:
    """Run a bench worker; its last stdout line is a JSON object."""
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_env(scratch: Path) -> dict:
    return {
        **os.environ,
        "CHIPWATCH_WAREHOUSE": str(scratch / "bench.duckdb"),
        "DAGSTER_HOME": str(scratch),
        "CHIPWATCH_SERVING": str(scratch / "serving.duckdb"),
        "GX_ANALYTICS_ENABLED": "false",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "RUNTIME__DLTHUB_TELEMETRY": "false",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
    }


def measure_ingestion(csv: Path, scratch: Path, env: dict, repeat: int) -> dict:
    """Each method `repeat` times, interleaved; the median time and the largest peak RSS."""
    runs: dict[str, list[dict]] = {m: [] for m in METHODS}
    results: dict[str, dict] = {}
    if importlib.util.find_spec("dlt") is None:
        results["dlt"] = {
            "skipped": "dlt is not installed: `uv sync --frozen --group bench` (make bench does)"
        }
    for attempt in range(repeat):
        for method in METHODS:
            if method in results:
                continue
            database = scratch / f"ingest_{method}_{attempt}.duckdb"
            runs[method].append(
                run_json([sys.executable, "-m", "bench.ingest", method, str(csv), str(database)], env)
            )
            for leftover in scratch.glob(f"ingest_{method}_{attempt}.duckdb*"):
                leftover.unlink()
    for method, done in runs.items():
        if not done:
            continue
        median = sorted(done, key=lambda r: r["work_s"])[len(done) // 2]
        results[method] = {
            **median,
            "peak_rss": max(r["peak_rss"] for r in done),
            "rows_per_s": median["rows"] / median["work_s"],
        }
    results["profile"] = run_json(
        [sys.executable, "-m", "bench.ingest", "profile", str(csv), str(scratch / "profile.duckdb")], env
    )
    return results


def measure_builds(env: dict) -> dict:
    python = sys.executable
    floor = timed([python, "-c", "import dagster_dbt"], env, repeat=3)
    location = timed([python, "-c", "import orchestration.definitions"], env, repeat=3)
    cold = timed([python, "-m", "orchestration.build", "--full"], env)
    unchanged = timed([python, "-m", "orchestration.build"], env, repeat=3)
    return {"import_floor_s": floor, "import_location_s": location, "cold_s": cold, "unchanged_s": unchanged}


def run_bench(
    rows: int, scratch: Path, repeat: int = 1, skip_builds: bool = False, serving: Path | None = None
) -> dict:
    env = bench_env(scratch)
    csv = scratch / "prices.csv"
    start = time.perf_counter()
    write_prices(csv, rows)
    results: dict = {
        "rows": rows,
        "size": size_label(rows),
        "generate_s": time.perf_counter() - start,
        "csv_bytes": csv.stat().st_size,
    }
    results["ingestion"] = measure_ingestion(csv, scratch, env, repeat)
    if not skip_builds:
        results["builds"] = measure_builds(env)
        serving = scratch / "serving.duckdb"
    if serving is not None:
        copy = scratch / "serving_for_queries.duckdb"
        copy.write_bytes(Path(serving).read_bytes())
        results["queries"] = run_json([sys.executable, "-m", "bench.queries", str(copy), str(csv)], env)
    return results


# --- reporting --------------------------------------------------------------------------------


def _mb(value: int) -> str:
    return f"{value / 2**20:,.0f} MB"


def _rate(value: float) -> str:
    return f"{value:,.0f}"


def tables(results: dict) -> str:
    ingestion = results["ingestion"]
    floor, ours, peer = ingestion["duckdb"], ingestion["chipwatch"], ingestion["dlt"]
    lines = [
        f"Input: {results['rows']:,} synthetic daily price bars, {results['csv_bytes'] / 1e6:,.0f} MB of CSV "
        f"(written by `bench/synthetic.py` in {results['generate_s']:.1f} s).",
        "",
        "**Ingestion** (same file; each method in its own process; time excludes imports):",
        "",
        "| method | time | rows/s | vs DuckDB read_csv | peak RSS | RSS after imports |",
        "|---|---|---|---|---|---|",
    ]
    for name, label in (
        ("duckdb", "DuckDB `read_csv` into a table (floor)"),
        ("chipwatch", "chipwatch: read_price_file + GX raw suite + replace_table"),
        ("dlt", "dlt, duckdb destination (peer)"),
    ):
        r = ingestion[name]
        if "skipped" in r:
            lines.append(f"| {label} | skipped: {r['skipped']} | | | | |")
            continue
        lines.append(
            f"| {label} | {r['work_s']:.2f} s | {_rate(r['rows_per_s'])} | "
            f"{r['rows_per_s'] / floor['rows_per_s']:.2f}x | {_mb(r['peak_rss'])} | "
            f"{_mb(r['baseline_rss'])} |"
        )
    if "skipped" not in peer:
        lines += ["", f"chipwatch against dlt: {ours['rows_per_s'] / peer['rows_per_s']:.2f}x the rows/s."]
    stages = ours["stages"]
    work = ours["work_s"]
    lines += [
        "",
        "**chipwatch's ingestion, by stage** (share of read + validate + land):",
        "",
        "| stage | time | share |",
        "|---|---|---|",
        f"| read_price_file (polars) | {stages['read']:.2f} s | {stages['read'] / work:.0%} |",
        f"| validate_frame: GX raw suite, {ours['expectations']} expectations (incl. to_pandas) "
        f"| {stages['validate']:.2f} s | {stages['validate'] / work:.0%} |",
        f"| replace_table into DuckDB | {stages['land']:.2f} s | {stages['land'] / work:.0%} |",
        "| once per process: import GX + ephemeral context (not in the share) "
        f"| {stages['gx_setup']:.2f} s | |",
        "",
        "Inside the read, each part timed on its own in a separate process:",
        "",
        "| part | time |",
        "|---|---|",
    ]
    labels = {
        "polars_read_text": "`pl.read_csv(infer_schema=False)` (every field as text)",
        "map_columns": "`map_columns` (rename, `source_row`, per-row `extra_json` in Python)",
        "extra_json": "`_extra_json` alone (timed again on its own)",
        "read_price_file": "the whole `read_price_file`",
        "polars_read_typed": "for comparison: `pl.read_csv` with type inference",
        "to_pandas": "`frame.to_pandas()` (what GX validates)",
    }
    for key, label in labels.items():
        if key in ingestion["profile"]["stages"]:
            lines.append(f"| {label} | {ingestion['profile']['stages'][key]:.2f} s |")
    if "builds" in results:
        b = results["builds"]
        lines += [
            "",
            "**Imports and builds** (the curated data; medians of 3 where repeated):",
            "",
            "| measurement | time | ratio |",
            "|---|---|---|",
            f"| import dagster_dbt (floor) | {b['import_floor_s']:.2f} s | |",
            f"| import orchestration.definitions | {b['import_location_s']:.2f} s | "
            f"+{b['import_location_s'] - b['import_floor_s']:.2f} s over the floor |",
            f"| cold build (make run FULL=1) | {b['cold_s']:.1f} s | |",
            f"| no-change build (make run) | {b['unchanged_s']:.2f} s | "
            f"{b['unchanged_s'] / b['cold_s']:.1%} of the cold build |",
        ]
    if "queries" in results:
        q = results["queries"]
        lines += [
            "",
            f"**Query latency** on the serving file of that build, with the {q.get('price_rows', 0):,} "
            f"price rows in `staging.stg_prices__daily` (in-memory DuckDB, file attached read-only as the "
            f"dashboard does; one warm-up, then {q['repeat']} runs of each query):",
            "",
            "| queries | count | p50 | p95 |",
            "|---|---|---|---|",
        ]
        for group, label in (
            ("readme", "README's queries (marts)"),
            ("dashboard", "dashboard's queries (every statement `build_charts` runs)"),
            ("prices", "price queries on the synthetic rows"),
        ):
            if group in q:
                g = q[group]
                lines.append(f"| {label} | {g['queries']} | {g['p50_ms']:.1f} ms | {g['p95_ms']:.1f} ms |")
        for name, figures in q.get("prices", {}).get("per_query", {}).items():
            lines.append(
                f"| &nbsp;&nbsp;{name} | 1 | {figures['p50_ms']:.1f} ms | {figures['p95_ms']:.1f} ms |"
            )
        r = q["dashboard_render"]
        lines.append(
            f"| whole dashboard (`build_charts`: connect, attach, every chart) | 1 | {r['p50_ms']:.1f} ms "
            f"| {r['p95_ms']:.1f} ms |"
        )
    return "\n".join(lines)


def section(results: dict, machine: str, when: str) -> str:
    label = results["size"]
    return (
        f"<!-- bench:{label}:start -->\n"
        f"## {results['rows']:,} rows (`make bench SIZE={label}`)\n\n"
        f"Measured {when} on {machine}.\n\n" + tables(results) + f"\n<!-- bench:{label}:end -->"
    )


HEADER = """# Benchmarks

Written by `make bench` (`bench/run.py`; `make bench SIZE=10m` for another size): each run
rewrites its size's section and keeps the others and the analysis below. Every method and size
reads the same synthetic file from `bench/synthetic.py` (fixed seed, `Dataset = synthetic`).
The machine is shared and noisy: read the ratios within one section rather than absolute times,
and do not compare absolute times across sections measured at different moments.
"""


def write_docs(results: dict, out: Path, machine: str, when: str) -> None:
    existing = out.read_text() if out.exists() else ""
    blocks = {
        m.group(1): m.group(0)
        for m in re.finditer(r"<!-- bench:(\S+):start -->.*?<!-- bench:\1:end -->", existing, re.S)
    }
    blocks[results["size"]] = section(results, machine, when)
    analysis = existing[existing.index(ANALYSIS_MARKER) :] if ANALYSIS_MARKER in existing else ""
    ordered = [blocks[k] for k in sorted(blocks, key=parse_size)]
    out.write_text(HEADER + "\n" + "\n\n".join(ordered) + "\n" + ("\n" + analysis if analysis else ""))


def machine_description() -> str:
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f", {kb / 2**20:.0f} GB RAM"
    except (OSError, IndexError, ValueError):
        pass
    import duckdb
    import polars

    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores{memory}, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, polars {polars.__version__}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default=os.environ.get("SIZE") or os.environ.get("BENCH_SIZE") or "1m")
    parser.add_argument(
        "--repeat", type=int, help="runs of each ingestion method (default 3 up to 1m, else 1)"
    )
    parser.add_argument("--skip-builds", action="store_true", help="no import or build timings")
    parser.add_argument(
        "--serving", type=Path, help="measure queries on this serving file (with --skip-builds)"
    )
    parser.add_argument("--out", type=Path, default=BENCHMARKS)
    parser.add_argument("--no-docs", action="store_true", help="print only; do not write --out")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)
    rows = parse_size(args.size)
    repeat = args.repeat or (3 if rows <= 1_000_000 else 1)
    with tempfile.TemporaryDirectory(prefix="chipwatch-bench-") as scratch:
        results = run_bench(rows, Path(scratch), repeat, args.skip_builds, args.serving)
    machine = machine_description()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"{results['rows']:,} rows, {when}, {machine}\n")
    print(tables(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if not args.no_docs:
        write_docs(results, args.out, machine, when)
        print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
