"""`make bench [SIZE=10m]`: figures measured side by side in one run, printed and written to
docs/BENCHMARKS.md (one section per size; the other sizes' sections and the hand-written
analysis are kept).

On the same synthetic price file (`bench/synthetic.py`, fixed seed, labelled synthetic):
- ingestion rows/s and peak RSS, each method in its own process: chipwatch's path (read,
  GX raw suite, land), DuckDB's own `read_csv` (the floor), dlt's duckdb destination (the peer);
- the share of chipwatch's ingestion time spent in GX validation, and where the read time goes;
- the card-inventory and procurement connectors against DuckDB's `read_csv`, each on its own
  synthetic file of the same size (up to 10 m rows);
- import cost of the code location against `import dagster_dbt` alone (the floor), and of
  `import great_expectations`;
- a cold build (`--full`) on a fresh temp warehouse, beside its floors measured in the same run
  (a bare `dbt build` and `dbt docs generate` of the project, the imports of dagster_dbt and
  great_expectations, the raw landings without Dagster), where its time goes, and a no-change
  incremental build;
- query latency p50/p95 on that build's serving file, for the README's and the dashboard's
  queries, and with the synthetic prices appended for price queries.

Machines here are shared and noisy: compare the ratios, measured in the same run.

    python bench/run.py [--size 10m] [--repeat N] [--skip-builds --serving FILE] [--out FILE | --no-docs]
    python bench/run.py --cold-build-only [--json FILE]
"""

import argparse
import importlib.util
import json
import os
import platform
import re
import shutil
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

from bench.synthetic import (  # noqa: E402
    parse_size,
    size_label,
    write_card_inventory,
    write_prices,
    write_procurement,
)
from ingestion.backend import MEMORY_LIMIT  # noqa: E402

BENCHMARKS = PROJECT_ROOT / "docs" / "BENCHMARKS.md"
METHODS = ("duckdb", "chipwatch", "dlt")
ANALYSIS_MARKER = "<!-- analysis: kept by make bench -->"
# Every DuckDB connection of the floor, chipwatch and its builds (not dlt's) is capped at this.
DEFAULT_MEMORY_LIMIT = "1GB"
DLT_MAX_ROWS = 10_000_000
# The card-inventory and procurement connectors, on a file of the bench's size (up to this).
CONNECTORS = {
    "inventory": ("card inventory (`raw.card_inventory`)", write_card_inventory),
    "procurement": ("procurement lines (`raw.procurement_lines`)", write_procurement),
}
CONNECTOR_MAX_ROWS = 10_000_000


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


def bench_env(scratch: Path, memory_limit: str | None) -> dict:
    return {
        **os.environ,
        **({MEMORY_LIMIT: memory_limit} if memory_limit else {}),
        "CHIPWATCH_WAREHOUSE": str(scratch / "bench.duckdb"),
        "DAGSTER_HOME": str(scratch),
        "CHIPWATCH_SERVING": str(scratch / "serving.duckdb"),
        "GX_ANALYTICS_ENABLED": "false",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "RUNTIME__DLTHUB_TELEMETRY": "false",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
    }


def measure_ingestion(csv: Path, rows: int, scratch: Path, env: dict, repeat: int) -> dict:
    """Each method `repeat` times, interleaved; the median time and the largest peak RSS."""
    runs: dict[str, list[dict]] = {m: [] for m in METHODS}
    results: dict[str, dict] = {}
    if importlib.util.find_spec("dlt") is None:
        results["dlt"] = {
            "skipped": "dlt is not installed: `uv sync --frozen --group bench` (make bench does)"
        }
    elif rows > DLT_MAX_ROWS:
        results["dlt"] = {
            "skipped": f"the peer is measured up to {DLT_MAX_ROWS:,} rows (the issue's comparison)"
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
    return results


def measure_connectors(rows: int, scratch: Path, env: dict) -> dict:
    """Each card-file connector against DuckDB's `read_csv` on one synthetic file of `rows` rows."""
    if rows > CONNECTOR_MAX_ROWS:
        return {"skipped": f"measured up to {CONNECTOR_MAX_ROWS:,} rows (the price file is the 100 m load)"}
    results = {}
    for name, (_, write) in CONNECTORS.items():
        csv = scratch / f"{name}.csv"
        write(csv, rows)
        figures: dict = {"csv_bytes": csv.stat().st_size}
        for method, role in (("duckdb", "floor"), (name, "chipwatch")):
            database = scratch / f"connector_{name}_{method}.duckdb"
            done = run_json([sys.executable, "-m", "bench.ingest", method, str(csv), str(database)], env)
            figures[role] = {**done, "rows_per_s": done["rows"] / done["work_s"]}
            for leftover in scratch.glob(f"{database.name}*"):
                leftover.unlink()
        csv.unlink()
        results[name] = figures
    return results


# Runs a command and prints the peak RSS of the largest process in its tree (bytes).
RSS_WRAPPER = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True); "
    "sys.stderr.buffer.write(done.stderr[-3000:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024); sys.exit(done.returncode)"
)


def timed_rss(command: list[str], env: dict) -> tuple[float, int]:
    """Wall time of `command` and the peak RSS of the largest process it ran; it must succeed."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RSS_WRAPPER, *command],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - start, int(done.stdout.strip().splitlines()[-1])


def inbox_with_prices(csv: Path, scratch: Path) -> Path:
    """The project's inbox plus a copy of the synthetic price file (the inbox refuses a hard link)."""
    inbox = scratch / "inbox"
    shutil.copytree(PROJECT_ROOT / "data" / "inbox", inbox)
    shutil.copyfile(csv, inbox / "prices" / "synthetic_prices.csv")
    return inbox


def dbt_command(*arguments: str, warehouse: Path, target: Path) -> list[str]:
    """dbt by hand on `warehouse`, with the `--vars` the build passes, writing into `target`."""
    from orchestration.dbt_profile import profile_vars

    project = str(PROJECT_ROOT / "dbt_project")
    return [
        str(Path(sys.executable).with_name("dbt")),
        *arguments,
        *("--project-dir", project, "--profiles-dir", project, "--target-path", str(target)),
        *profile_vars(warehouse),
    ]


# The code location's own load, timed inside the process once dagster_dbt is imported: the wall
# times above also count each process's exit, which the location's process makes shorter.
LOCATION_WORK = (
    "import json, time, dagster_dbt; start = time.perf_counter(); import orchestration.definitions; "
    "print(json.dumps({'work_s': time.perf_counter() - start}))"
)


def measure_imports(env: dict) -> dict:
    python = sys.executable
    return {
        "import_floor_s": timed([python, "-c", "import dagster_dbt"], env, repeat=3),
        "import_location_s": timed([python, "-c", "import orchestration.definitions"], env, repeat=3),
        "import_location_work_s": statistics.median(
            run_json([python, "-c", LOCATION_WORK], env)["work_s"] for _ in range(3)
        ),
        "import_gx_s": timed([python, "-c", "import great_expectations"], env, repeat=3),
    }


def cold_build_floors(env: dict, scratch: Path) -> dict:
    """What a cold build cannot avoid, measured beside it: one bare `dbt build` of the project and
    one `dbt docs generate` on a copy of the warehouse it built (starting, as it did, from the
    parse `make manifest` saved), and the raw landings without Dagster (`bench/landings.py`; not
    the build's raw steps, whose first pays the GX import the floors count apart)."""
    warehouse = scratch / "floor.duckdb"
    shutil.copyfile(env["CHIPWATCH_WAREHOUSE"], warehouse)
    target = scratch / "floor_target"
    target.mkdir()
    saved_parse = PROJECT_ROOT / "dbt_project" / "target" / "partial_parse.msgpack"
    if saved_parse.exists():
        shutil.copyfile(saved_parse, target / saved_parse.name)
    return {
        "dbt_build_s": timed(dbt_command("build", warehouse=warehouse, target=target), env),
        "dbt_docs_s": timed(
            dbt_command("docs", "generate", "--static", warehouse=warehouse, target=target), env
        ),
        **run_json([sys.executable, "-m", "bench.landings", str(scratch / "landings.duckdb")], env),
    }


def measure_cold_build(env: dict, scratch: Path) -> dict:
    """A cold build (`--full`) on the fresh warehouse of `env`, its step durations, and its floors."""
    cold, cold_rss = timed_rss([sys.executable, "-m", "orchestration.build", "--full"], env)
    steps = run_json([sys.executable, "-m", "bench.steps"], env)
    return {
        "cold_s": cold,
        "cold_rss": cold_rss,
        "cold_steps": steps,
        **cold_build_floors(env, scratch),
    }


def measure_builds(env: dict, csv: Path, scratch: Path) -> dict:
    python = sys.executable
    build = [python, "-m", "orchestration.build"]
    figures = {**measure_imports(env), **measure_cold_build(env, scratch)}
    unchanged = timed(build, env, repeat=3)
    home = scratch / "prices_build"
    home.mkdir()
    with_prices = {
        **env,
        "CHIPWATCH_INBOX": str(inbox_with_prices(csv, scratch)),
        "CHIPWATCH_WAREHOUSE": str(home / "chipwatch.duckdb"),
        "CHIPWATCH_SERVING": str(home / "serving.duckdb"),
        "DAGSTER_HOME": str(home),
    }
    prices_cold, prices_rss = timed_rss([*build, "--full"], with_prices)
    steps = run_json([python, "-m", "bench.steps"], with_prices)
    prices_unchanged, _ = timed_rss(build, with_prices)
    return {
        **figures,
        "unchanged_s": unchanged,
        "prices_cold_s": prices_cold,
        "prices_cold_rss": prices_rss,
        "prices_unchanged_s": prices_unchanged,
        "prices_steps": steps,
        "serving": with_prices["CHIPWATCH_SERVING"],
    }


def run_bench(
    rows: int,
    scratch: Path,
    repeat: int = 1,
    skip_builds: bool = False,
    serving: Path | None = None,
    memory_limit: str | None = DEFAULT_MEMORY_LIMIT,
    prices: Path | None = None,
) -> dict:
    """Every measurement on `rows` synthetic prices (written to `scratch`, or `prices`: a file
    `bench/synthetic.py` wrote for this size, to save regenerating a big one)."""
    env = bench_env(scratch, memory_limit)
    csv = prices or scratch / "prices.csv"
    start = time.perf_counter()
    if prices is None:
        write_prices(csv, rows)
    results: dict = {
        "rows": rows,
        "size": size_label(rows),
        "generate_s": None if prices else time.perf_counter() - start,
        "csv_bytes": csv.stat().st_size,
        "memory_limit": env.get(MEMORY_LIMIT),
    }
    results["ingestion"] = measure_ingestion(csv, rows, scratch, env, repeat)
    results["connectors"] = measure_connectors(rows, scratch, env)
    if not skip_builds:
        results["builds"] = measure_builds(env, csv, scratch)
        serving, appended = Path(results["builds"]["serving"]), []  # the build landed the prices
    else:
        appended = [str(csv)]  # a given serving file gets the synthetic rows appended
    if serving is not None:
        copy = scratch / "serving_for_queries.duckdb"
        shutil.copyfile(serving, copy)
        results["queries"] = run_json([sys.executable, "-m", "bench.queries", str(copy), *appended], env)
    return results


# --- reporting --------------------------------------------------------------------------------


def _mb(value: int) -> str:
    return f"{value / 2**20:,.0f} MB"


def _rate(value: float) -> str:
    return f"{value:,.0f}"


def _cpu_ratio(floor: dict, method: dict) -> str:
    """Rows per CPU second against the floor's (both read the same rows)."""
    return f"{floor['cpu_s'] / method['cpu_s']:.2f}x"


def tables(results: dict) -> str:
    ingestion = results["ingestion"]
    floor, ours, peer = ingestion["duckdb"], ingestion["chipwatch"], ingestion["dlt"]
    lines = [
        f"Input: {results['rows']:,} synthetic daily price bars, {results['csv_bytes'] / 1e6:,.0f} MB of CSV "
        + (
            f"(written by `bench/synthetic.py` in {results['generate_s']:.1f} s)."
            if results["generate_s"] is not None
            else "(written by `bench/synthetic.py` beforehand, `--prices`)."
        )
        + f" DuckDB memory_limit {results.get('memory_limit') or 'default'} for the floor, chipwatch and "
        "the builds (dlt's own connection keeps DuckDB's default).",
        "",
        "**Ingestion** (same file; each method in its own process; time excludes imports; CPU is user +"
        " system time of all the process's threads, the steadier figure on a shared machine):",
        "",
        "| method | time | rows/s | vs DuckDB read_csv | CPU | CPU vs read_csv | peak RSS "
        "| RSS after imports |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, label in (
        ("duckdb", "DuckDB `read_csv` into a table (floor)"),
        ("chipwatch", "chipwatch: the lander (DuckDB read, rules, GX raw audit, accounting)"),
        ("dlt", "dlt, duckdb destination (peer)"),
    ):
        r = ingestion[name]
        if "skipped" in r:
            lines.append(f"| {label} | skipped: {r['skipped']} | | | | | | |")
            continue
        lines.append(
            f"| {label} | {r['work_s']:.2f} s | {_rate(r['rows_per_s'])} | "
            f"{r['rows_per_s'] / floor['rows_per_s']:.2f}x | {r['cpu_s']:.1f} s | "
            f"{_cpu_ratio(floor, r)} | {_mb(r['peak_rss'])} | {_mb(r['baseline_rss'])} |"
        )
    if "skipped" not in peer:
        lines += ["", f"chipwatch against dlt: {ours['rows_per_s'] / peer['rows_per_s']:.2f}x the rows/s."]
    stages = ours["stages"]
    work = ours["work_s"]
    lines += [
        "",
        "**chipwatch's ingestion, by stage** (share of the whole load, one transaction):",
        "",
        "| stage | time | share |",
        "|---|---|---|",
        f"| DuckDB `read_csv` into `raw.daily_prices` (typed, rejects kept) | {stages['insert']:.2f} s "
        f"| {stages['insert'] / work:.0%} |",
        f"| quarantine rules on suspect rows, repeated-key check, accounting | {stages['rules']:.2f} s "
        f"| {stages['rules'] / work:.0%} |",
        f"| GX raw suite, {ours['expectations']} expectations, before commit "
        f"| {stages['validate']:.2f} s | {stages['validate'] / work:.0%} |",
        "| once per process: import GX + ephemeral context (not in the share) "
        f"| {stages['gx_setup']:.2f} s | |",
    ]
    lines += connector_table(results)
    if "builds" in results:
        lines += build_table(results["builds"], results["rows"])
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


def floors_sum(b: dict) -> float | None:
    """The cold build's unavoidable parts, added up: None when they were not measured."""
    parts = ("dbt_build_s", "dbt_docs_s", "import_floor_s", "import_gx_s", "raw_landings_s")
    return sum(b[part] for part in parts) if all(part in b for part in parts) else None


def build_table(b: dict, rows: int) -> list[str]:
    """The import and cold-build rows, each beside the floor measured in the same run."""
    floors = floors_sum(b)
    cold_ratio = f"{b['cold_s'] / floors:.2f}x the floors' sum" if floors else ""
    lines = [
        "",
        "**Imports and builds** (imports: medians of 3; peak RSS of the largest process; the floors"
        " are measured in the same run, after the cold build, on a copy of its warehouse):",
        "",
        "| measurement | time | ratio | peak RSS |",
        "|---|---|---|---|",
        f"| import dagster_dbt (floor) | {b['import_floor_s']:.2f} s | | |",
        f"| import orchestration.definitions | {b['import_location_s']:.2f} s | "
        f"{b['import_location_s'] - b['import_floor_s']:+.2f} s against the floor | |",
        *(
            [
                "| &nbsp;&nbsp;its load after dagster_dbt, timed in the process (exit not counted) "
                f"| {b['import_location_work_s']:.2f} s | | |"
            ]
            if "import_location_work_s" in b
            else []
        ),
        f"| cold build, curated data (make run FULL=1) | {b['cold_s']:.1f} s | {cold_ratio} "
        f"| {_mb(b['cold_rss'])} |",
    ]
    if floors:
        lines += [
            f"| &nbsp;&nbsp;floor: bare `dbt build` of the project | {b['dbt_build_s']:.1f} s | | |",
            f"| &nbsp;&nbsp;floor: `dbt docs generate` | {b['dbt_docs_s']:.1f} s | | |",
            f"| &nbsp;&nbsp;floor: import dagster_dbt | {b['import_floor_s']:.1f} s | | |",
            f"| &nbsp;&nbsp;floor: import great_expectations | {b['import_gx_s']:.1f} s | | |",
            f"| &nbsp;&nbsp;floor: raw landings (every source, without Dagster, GX set up) "
            f"| {b['raw_landings_s']:.1f} s | | |",
            f"| &nbsp;&nbsp;floors' sum | {floors:.1f} s | | |",
        ]
    if "unchanged_s" in b:
        lines.append(
            f"| no-change build, curated data (make run) | {b['unchanged_s']:.2f} s | "
            f"{b['unchanged_s'] / b['cold_s']:.1%} of the cold build | |"
        )
    if "prices_cold_s" in b:
        lines += [
            f"| cold build with the {rows:,} synthetic prices in the inbox "
            f"| {b['prices_cold_s']:.1f} s | | {_mb(b['prices_cold_rss'])} |",
            f"| no-change build with them | {b['prices_unchanged_s']:.2f} s | "
            f"{b['prices_unchanged_s'] / b['prices_cold_s']:.1%} of that cold build | |",
        ]
    lines += cold_step_table(b)
    return lines + (step_table(b["prices_steps"]) if "prices_steps" in b else [])


# The cold build's steps by kind (Dagster step keys; a dbt asset split by Dagster runs as several).
STEP_KINDS = (
    ("raw landings (`raw__*`: read, rules, GX raw suite)", lambda step: step.startswith("raw__")),
    (
        "dbt builds (`dbt_staging*`, `dbt_marts*`: one dbt process each)",
        lambda step: step.startswith(("dbt_staging", "dbt_marts")),
    ),
    ("GX staging and mart suites (`*_expectations*`)", lambda step: "_expectations" in step),
    ("`dbt docs generate` (`dbt_docs`)", lambda step: step == "dbt_docs"),
    ("serving file and dashboard", lambda step: step in ("serving_file", "dashboard")),
    ("source freshness", lambda step: step == "source_freshness"),
)


def cold_step_table(b: dict) -> list[str]:
    """Where the cold build's time goes: its Dagster steps by kind, and what is outside them."""
    steps = b.get("cold_steps")
    if not steps:
        return []
    lines = [
        "",
        "Where the cold build's time goes (Dagster step durations of that build):",
        "",
        "| part | steps | time | share |",
        "|---|---|---|---|",
    ]
    counted = 0.0
    for label, belongs in STEP_KINDS:
        chosen = [seconds for step, seconds in steps.items() if belongs(step)]
        counted += sum(chosen)
        lines.append(f"| {label} | {len(chosen)} | {sum(chosen):.1f} s | {sum(chosen) / b['cold_s']:.0%} |")
    rest = b["cold_s"] - counted
    lines.append(
        f"| outside the steps: start-up, imports, Dagster's run set-up and events | | {rest:.1f} s "
        f"| {rest / b['cold_s']:.0%} |"
    )
    return lines


def connector_table(results: dict) -> list[str]:
    """The card-inventory and procurement connectors against the floor on the same file."""
    connectors = results.get("connectors")
    if not connectors:
        return []
    lines = ["", "**Card-inventory and procurement connectors** (`ingestion/lander.py`): "]
    if "skipped" in connectors:
        return [*lines[:-1], lines[-1] + f"skipped: {connectors['skipped']}."]
    lines[-1] += (
        f"a synthetic file of {results['rows']:,} rows each (`bench/synthetic.py`); each method in its own "
        "process, time excludes imports:"
    )
    lines += [
        "",
        "| file | CSV | DuckDB `read_csv` (floor) | chipwatch: the lander (read, rules, GX raw audit, "
        "accounting) | vs floor | CPU vs floor | GX share | peak RSS |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, (label, _) in CONNECTORS.items():
        if name not in connectors:
            continue
        figures = connectors[name]
        floor, ours = figures["floor"], figures["chipwatch"]
        lines.append(
            f"| {label} | {figures['csv_bytes'] / 1e6:,.0f} MB | {floor['work_s']:.2f} s | "
            f"{ours['work_s']:.2f} s ({_rate(ours['rows_per_s'])} rows/s) | "
            f"{ours['rows_per_s'] / floor['rows_per_s']:.2f}x | {_cpu_ratio(floor, ours)} | "
            f"{ours['stages']['validate'] / ours['work_s']:.0%} | {_mb(ours['peak_rss'])} |"
        )
    return lines


# Build steps whose time is GX validation, and the steps whose output they validate.
VALIDATION_STAGES = {
    "staging (dbt staging models; their GX suites)": ("dbt_staging", "staging_expectations"),
    "marts (dbt marts; their GX suites)": ("dbt_marts", "marts_expectations"),
}


def step_table(steps: dict[str, float]) -> list[str]:
    """The share of each build stage's time spent in GX validation."""
    lines = [
        "",
        "Share of each stage of that cold build spent in GX validation (Dagster step durations; "
        "the raw price step's own share is the ingestion table's):",
        "",
        "| stage | work | GX validation | share |",
        "|---|---|---|---|",
    ]
    for label, (work, validation) in VALIDATION_STAGES.items():
        done, checked = steps.get(work), steps.get(validation)
        if done is None or checked is None:
            continue
        lines.append(f"| {label} | {done:.1f} s | {checked:.1f} s | {checked / (done + checked):.0%} |")
    return lines


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


def cold_build_only(memory_limit: str | None, json_out: Path | None) -> int:
    """The import and cold-build rows alone, on a fresh temp warehouse and Dagster instance."""
    with tempfile.TemporaryDirectory(prefix="chipwatch-bench-") as scratch:
        env = bench_env(Path(scratch), memory_limit)
        figures = {**measure_imports(env), **measure_cold_build(env, Path(scratch))}
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"{when}, {machine_description()}")
    print("\n".join(build_table(figures, 0)))
    if json_out:
        json_out.write_text(json.dumps(figures, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default=os.environ.get("SIZE") or os.environ.get("BENCH_SIZE") or "1m")
    parser.add_argument(
        "--repeat", type=int, help="runs of each ingestion method (default 3 up to 1m, else 1)"
    )
    parser.add_argument("--skip-builds", action="store_true", help="no import or build timings")
    parser.add_argument(
        "--cold-build-only",
        action="store_true",
        help="only the import and cold-build rows with their floors (printed; --out is not written)",
    )
    parser.add_argument(
        "--memory-limit", default=DEFAULT_MEMORY_LIMIT, help="DuckDB memory_limit for every method and build"
    )
    parser.add_argument(
        "--serving", type=Path, help="measure queries on this serving file (with --skip-builds)"
    )
    parser.add_argument("--prices", type=Path, help="an existing `bench.synthetic` prices file of this size")
    parser.add_argument("--out", type=Path, default=BENCHMARKS)
    parser.add_argument("--no-docs", action="store_true", help="print only; do not write --out")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)
    if args.cold_build_only:
        return cold_build_only(args.memory_limit, args.json)
    rows = parse_size(args.size)
    repeat = args.repeat or (3 if rows <= 1_000_000 else 1)
    with tempfile.TemporaryDirectory(prefix="chipwatch-bench-") as scratch:
        results = run_bench(
            rows, Path(scratch), repeat, args.skip_builds, args.serving, args.memory_limit, args.prices
        )
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
