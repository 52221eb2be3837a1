"""The status of the warehouse, read in one way: the checks of a run, each source's freshness, the
loads, the published serving file and the last pipeline run.

The build summary (`orchestration.build`), the serving file's `meta.checks` (written by the
`serving_file` asset), `chipwatch status` and the dashboard's freshness chart all read and render
these records. Dagster is imported only by the functions that read a run or an instance.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from serving.health import Published, ServingFileDamaged, check_serving, connect_read_only

FRESHNESS_CHECK = "freshness"
PIPELINE_JOB = "build_warehouse"


@dataclass(frozen=True)
class CheckResult:
    """One asset check evaluated in a run."""

    asset: str
    check: str
    passed: bool
    blocking: bool
    detail: str = ""

    @classmethod
    def from_evaluation(cls, evaluation) -> "CheckResult":
        """From a Dagster `AssetCheckEvaluation`: blocking means it stops what is downstream."""
        from dagster import AssetCheckSeverity

        summary = evaluation.metadata.get("summary")
        return cls(
            asset=evaluation.asset_key.to_user_string(),
            check=evaluation.check_name,
            passed=evaluation.passed,
            blocking=bool(evaluation.blocking) and evaluation.severity == AssetCheckSeverity.ERROR,
            detail=str(summary.value) if summary is not None else "",
        )

    @property
    def failure(self) -> str:
        kind = "BLOCKING" if self.blocking else "warning"
        return f"  FAILED [{kind}] {self.asset} {self.check}: {self.detail}".rstrip(": ")


@dataclass(frozen=True)
class LoadCount:
    """The latest load of a raw table: rows read = landed + quarantined (+ other partitions)."""

    table: str
    rows_read: int
    rows_landed: int
    rows_quarantined: int
    rows_other_partitions: int
    balanced: bool


@dataclass(frozen=True)
class PublishedStatus:
    """The serving file: its publish record and what the publishing run found."""

    published: Published
    checks: list[CheckResult]
    loads: list[LoadCount]


@dataclass(frozen=True)
class RunStatus:
    """A pipeline run as the Dagster instance recorded it."""

    run_id: str
    status: str
    ended: datetime | None
    checks: list[CheckResult]

    @property
    def in_progress(self) -> bool:
        return self.status in ("QUEUED", "STARTING", "STARTED")

    @property
    def failed(self) -> bool:
        return self.status in ("FAILURE", "CANCELED")


@dataclass(frozen=True)
class Status:
    """What `chipwatch status` shows: the serving file (or why there is none), the last fetches,
    and the last pipeline run (or why it is unknown)."""

    serving: Path
    published: PublishedStatus | None
    serving_problem: str | None
    fetch_lines: list[str]
    dagster_home: Path
    run: RunStatus | None
    run_problem: str | None

    @property
    def healthy(self) -> bool:
        return self.published is not None


def check_results(evaluations) -> list[CheckResult]:
    """Dagster check evaluations as results, ordered by asset and check."""
    return sorted(
        (CheckResult.from_evaluation(evaluation) for evaluation in evaluations),
        key=lambda check: (check.asset, check.check),
    )


def run_checks(instance, run_id: str) -> list[CheckResult]:
    """Every asset check the instance's event log holds for the run `run_id`."""
    from dagster import DagsterEventType

    records = instance.get_records_for_run(
        run_id=run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION, limit=100_000
    ).records
    return check_results(record.event_log_entry.dagster_event.event_specific_data for record in records)


def freshness(checks: list[CheckResult]) -> list[CheckResult]:
    """Each source's freshness check (its raw table's newest figure against the source's window),
    stale sources first."""
    sources = [check for check in checks if check.check == FRESHNESS_CHECK]
    return sorted(sources, key=lambda check: (check.passed, check.asset))


def published_checks(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """`meta.checks` of a serving file: the checks of the run that published it."""
    rows = con.execute("select asset, check_name, passed, blocking, detail from meta.checks order by 1, 2")
    return [CheckResult(*row) for row in rows.fetchall()]


def published_loads(con: duckdb.DuckDBPyConnection) -> list[LoadCount]:
    """`meta.load_accounting` of a serving file; empty when it has none."""
    try:
        rows = con.execute(
            "select table_name, rows_read, rows_landed, rows_quarantined, rows_other_partitions, balanced "
            "from meta.load_accounting order by table_name"
        ).fetchall()
    except duckdb.Error:
        return []
    return [LoadCount(*row) for row in rows]


def read_published(path: Path) -> PublishedStatus:
    """The serving file's status once it has been read in full (`check_serving`)."""
    published = check_serving(path)
    with connect_read_only(path) as con:
        return PublishedStatus(published, published_checks(con), published_loads(con))


def last_run(home: Path, job: str = PIPELINE_JOB) -> RunStatus | None:
    """The newest run of `job` in the Dagster instance at `home`; None when it holds none."""
    if not (home / "history").is_dir():
        return None
    from dagster import DagsterInstance, RunsFilter

    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs(filters=RunsFilter(job_name=job), limit=1)
        if not runs:
            return None
        [run] = runs
        record = instance.get_run_record_by_id(run.run_id)
        ended = (record.end_time or record.start_time) if record else None
        return RunStatus(
            run_id=run.run_id,
            status=run.status.value,
            ended=datetime.fromtimestamp(ended, UTC) if ended else None,
            checks=run_checks(instance, run.run_id),
        )


def read_status(serving: Path, dagster_home: Path) -> Status:
    from ingestion.fetch.log import last_fetch_lines

    published, serving_problem = None, None
    try:
        published = read_published(serving)
    except FileNotFoundError:
        serving_problem = (
            "not published yet: run `make run`; it publishes only after every blocking check passes"
        )
    except ServingFileDamaged as error:
        serving_problem = f"DAMAGED: {error}"
    run, run_problem = None, None
    try:
        run = last_run(dagster_home)
    except Exception as error:  # the instance is optional: say so rather than fail
        run_problem = f"could not read the Dagster instance in {dagster_home}: {error}"
    else:
        run_problem = None if run else f"none recorded in {dagster_home}"
    return Status(serving, published, serving_problem, last_fetch_lines(), dagster_home, run, run_problem)


# Rendering: the same lines wherever a status is shown.


def check_lines(title: str, checks: list[CheckResult]) -> list[str]:
    """A count of passed and failed checks, then every failed one but freshness (shown apart)."""
    failed = [check for check in checks if not check.passed]
    lines = [f"{title}: {len(checks) - len(failed)} passed, {len(failed)} failed"]
    return lines + [check.failure for check in failed if check.check != FRESHNESS_CHECK]


def freshness_lines(title: str, sources: list[CheckResult]) -> list[str]:
    stale = sum(not source.passed for source in sources)
    lines = [f"{title}: {len(sources) - stale} fresh, {stale} stale"]
    for source in sources:
        name = source.asset.removeprefix("raw/")
        lines.append(f"  {name:<40} {'fresh' if source.passed else 'STALE':<6} {source.detail}")
    return lines


def load_lines(loads: list[LoadCount]) -> list[str]:
    quarantined = sum(load.rows_quarantined for load in loads)
    lines = [
        f"Loads (rows read = landed + quarantined): {quarantined} rows in quarantine"
        + (" (see: chipwatch sql 'select * from meta.quarantine')" if quarantined else "")
    ]
    for load in loads:
        extra = f" + {load.rows_other_partitions} other days" if load.rows_other_partitions else ""
        flag = "" if load.balanced else "  NOT BALANCED"
        lines.append(
            f"  raw.{load.table:<46} {load.rows_read:>7} read {load.rows_landed:>7} landed "
            f"{load.rows_quarantined:>5} quarantined{extra}{flag}"
        )
    return lines


def _age(moment: datetime, now: datetime) -> str:
    seconds = max(0, (now - moment).total_seconds())
    if seconds < 3600:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h ago"
    return f"{seconds / 86400:.0f} days ago"


def published_lines(status: PublishedStatus, now: datetime) -> list[str]:
    published = status.published
    lines = [
        f"  published {published.published_at:%Y-%m-%d %H:%M:%S} UTC ({_age(published.published_at, now)}) "
        f"by run {published.run_id}; DuckDB {published.duckdb_version}, storage {published.storage_version}",
        "",
        f"Tables (each read in full, row counts as published): {len(published.table_rows)}",
    ]
    lines += [f"  {table:<57} {rows:>8} rows" for table, rows in sorted(published.table_rows.items())]
    lines += ["", *check_lines("Checks in the published run", status.checks)]
    if status.loads:
        lines += ["", *load_lines(status.loads)]
    title = "Sources (freshness against each source's own window, at the publish)"
    return lines + ["", *freshness_lines(title, freshness(status.checks))]


def run_lines(status: Status) -> list[str]:
    run = status.run
    if run is None:
        return [f"Last pipeline run: {status.run_problem}"]
    when = f"{run.ended:%Y-%m-%d %H:%M:%S} UTC" if run.ended else "?"
    lines = [f"Last pipeline run: {run.run_id} {run.status} ({when}, from {status.dagster_home})"]
    lines += check_lines("  Checks in that run", run.checks)
    published_run = status.published.published.run_id if status.published else None
    if published_run and run.run_id != published_run:
        if run.failed:
            lines.append("  That run did not publish: the serving file is still the last good one.")
        elif run.in_progress:
            lines.append("  That run is in progress: it publishes only if every blocking check passes.")
    return lines


def render_status(status: Status, now: datetime) -> str:
    lines = [f"Serving file: {status.serving}"]
    if status.published:
        lines += published_lines(status.published, now)
    else:
        lines.append(f"  {status.serving_problem}")
    return "\n".join([*lines, *status.fetch_lines, "", *run_lines(status)])
