"""Build the whole warehouse headless and print what was built and what the checks found.

`python -m orchestration.build` runs the `build_warehouse` job in this process against the
Dagster instance in `DAGSTER_HOME` (so `dagster dev` shows the run), then prints each table
with its row count and every asset check. It exits 1 when the run failed or a blocking
check failed.
"""

import os
import sys
from dataclasses import dataclass

import duckdb
from dagster import AssetCheckSeverity, DagsterInstance, ExecuteInProcessResult

from ingestion.paths import PROJECT_ROOT, warehouse_path

SCHEMAS = ("raw", "staging", "marts")


@dataclass(frozen=True)
class CheckLine:
    asset: str
    check: str
    passed: bool
    blocking: bool
    detail: str


def check_lines(result: ExecuteInProcessResult) -> list[CheckLine]:
    lines = []
    for evaluation in result.get_asset_check_evaluations():
        summary = evaluation.metadata.get("summary")
        lines.append(
            CheckLine(
                asset=evaluation.asset_key.to_user_string(),
                check=evaluation.check_name,
                passed=evaluation.passed,
                blocking=evaluation.blocking and evaluation.severity == AssetCheckSeverity.ERROR,
                detail=str(summary.value) if summary is not None else "",
            )
        )
    return sorted(lines, key=lambda line: (line.asset, line.check))


def table_row_counts(path) -> list[tuple[str, int]]:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ? order by table_schema, table_name",
            [list(SCHEMAS)],
        ).fetchall()
        return [
            (f"{schema}.{table}", con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0])
            for schema, table in tables
        ]


def render_summary(result: ExecuteInProcessResult, warehouse, expected_assets) -> tuple[str, bool]:
    """The summary text, and whether the build is good (run succeeded, no blocking check failed)."""
    checks = check_lines(result)
    failed = [line for line in checks if not line.passed]
    blocking_failed = [line for line in failed if line.blocking]
    out = [f"Warehouse: {warehouse}", "", "Tables:"]
    if warehouse.exists():
        try:
            out += [f"  {name:<55} {rows:>8} rows" for name, rows in table_row_counts(warehouse)]
        except duckdb.IOException as error:
            out.append(f"  (cannot read the warehouse: {error})")
    out += ["", f"Checks: {len(checks) - len(failed)} passed, {len(failed)} failed"]
    for line in failed:
        kind = "BLOCKING" if line.blocking else "warning"
        out.append(f"  FAILED [{kind}] {line.asset} {line.check}: {line.detail}".rstrip(": "))
    for failure in result.get_step_failure_events():
        out.append(f"  STEP FAILED {failure.step_key}: {failure.event_specific_data.error.message.strip()}")
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    not_built = sorted(key.to_user_string() for key in set(expected_assets) - materialized)
    if not_built:
        out.append(f"  Not rebuilt (an upstream step or blocking check failed): {', '.join(not_built)}")
    good = result.success and not blocking_failed and not not_built
    out += ["", "Build OK" if good else "Build FAILED"]
    return "\n".join(out), good


def main() -> int:
    from orchestration.definitions import defs

    dagster_home = os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster_home"))
    os.makedirs(dagster_home, exist_ok=True)
    warehouse = warehouse_path()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    job = defs.resolve_job_def("build_warehouse")
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            # The event log keeps every step's details for `dagster dev`; the terminal gets the summary.
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
    expected_assets = defs.resolve_asset_graph().get_all_asset_keys()
    text, good = render_summary(result, warehouse, expected_assets)
    print(text)
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
