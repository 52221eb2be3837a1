"""Running unattended: the asset graph snapshot, schedules, the inbox sensor, price partitions,
incremental builds, freshness and the build lock."""

import json
import os
from contextlib import nullcontext
from datetime import UTC, date, timedelta
from pathlib import Path
from unittest.mock import ANY

import duckdb
import pytest
from conftest import PROJECT_ROOT, record_publish
from dagster import (
    AssetKey,
    DagsterInstance,
    build_schedule_context,
    build_sensor_context,
)
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from ingestion.registry import BY_TABLE
from orchestration.build import build_lock
from orchestration.definitions import defs
from orchestration.freshness import is_fresh, previous_trading_day, summary
from orchestration.resources import build_resources

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.txt"


def graph_snapshot() -> str:
    graph = defs.resolve_asset_graph()
    lines = ["# assets"]
    lines += sorted(key.to_user_string() for key in graph.get_all_asset_keys())
    lines += ["", "# checks"]
    lines += sorted(f"{key.asset_key.to_user_string()}:{key.name}" for key in graph.asset_check_keys)
    lines += ["", "# jobs"]
    lines += sorted(job.name for job in defs.resolve_all_job_defs() if not job.name.startswith("__"))
    lines += ["", "# schedules"]
    repository = defs.get_repository_def()
    lines += sorted(
        f"{s.name} {s.cron_schedule} {s.execution_timezone or 'UTC'} -> {s.job_name}"
        for s in repository.schedule_defs
    )
    lines += ["", "# sensors"]
    lines += sorted(sensor.name for sensor in repository.sensor_defs)
    return "\n".join(lines) + "\n"


def test_the_asset_graph_matches_its_snapshot():
    """A change to the graph shows in review: regenerate with CHIPWATCH_UPDATE_SNAPSHOT=1."""
    current = graph_snapshot()
    if os.environ.get("CHIPWATCH_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(current)
    assert current == SNAPSHOT.read_text()


def test_schedules_run_by_default_and_target_their_jobs():
    schedules = {schedule.name: schedule for schedule in defs.get_repository_def().schedule_defs}
    assert {"market_after_close", "prices_after_close", "reference_every_monday"} <= set(schedules)
    for schedule in schedules.values():
        assert schedule.default_status.value == "RUNNING"
    market = schedules["market_after_close"]
    assert (market.cron_schedule, market.execution_timezone) == ("30 17 * * 1-5", "America/New_York")
    with DagsterInstance.ephemeral() as instance:
        context = build_schedule_context(instance=instance, scheduled_execution_time=_utc(2026, 11, 27, 23))
        [request] = list(schedules["prices_after_close"].evaluate_tick(context).run_requests)
        assert request.partition_key == "2026-11-27"


def _utc(*parts):
    from datetime import datetime

    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def sensor_env(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    for folder in ("epoch_ml_hardware", "epoch_gpu_clusters", "nvidia_revenue", "prices"):
        (inbox / folder).mkdir(parents=True)
    monkeypatch.setenv("CHIPWATCH_INBOX", str(inbox))
    return inbox, build_resources(tmp_path / "w.duckdb")["duckdb"]


def _tick(duckdb_resource, instance=None):
    from orchestration.sensors import inbox_sensor

    with nullcontext(instance) if instance else DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(instance=instance, resources={"duckdb": duckdb_resource})
        return inbox_sensor.evaluate_tick(context).run_requests or []


def test_the_sensor_starts_a_run_for_a_new_file_and_not_for_the_same_file_again(sensor_env):
    inbox, warehouse = sensor_env
    assert _tick(warehouse) == []
    (inbox / "epoch_gpu_clusters" / "clusters.csv").write_text("Name\nA\n")
    [first] = _tick(warehouse)
    assert first.job_name == "inbox_epoch_gpu_clusters"
    # The same file asks for the same run key, which Dagster launches once.
    assert [r.run_key for r in _tick(warehouse)] == [first.run_key]
    (inbox / "epoch_gpu_clusters" / "clusters.csv").write_text("Name\nA\nB\n")
    [changed] = _tick(warehouse)
    assert changed.job_name == "inbox_epoch_gpu_clusters" and changed.run_key != first.run_key


def test_a_file_already_published_triggers_nothing_and_is_not_hashed_again(sensor_env, monkeypatch):
    import ingestion.warehouse
    from orchestration.changes import inbox_sources
    from serving.publish import serving_path

    inbox, warehouse = sensor_env
    path = inbox / "epoch_gpu_clusters" / "clusters.csv"
    path.write_text("Name\nA\n")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns - 10**9))
    with DagsterInstance.ephemeral() as instance:
        record_publish(instance, serving_path(warehouse.database), inbox_sources())

        def no_hashing(path):
            raise AssertionError(f"{path} was hashed though its size and modification time are as published")

        with monkeypatch.context() as patch:
            patch.setattr(ingestion.warehouse, "file_sha256", no_hashing)
            assert _tick(warehouse, instance) == []
        # Saved again with the same content: hashed once, found the same, nothing started.
        path.write_text("Name\nA\n")
        assert _tick(warehouse, instance) == []


def test_a_new_price_file_requests_the_partitions_it_covers(sensor_env):
    inbox, warehouse = sensor_env
    (inbox / "prices" / "nvda.csv").write_text(
        "Date,Ticker,Close\n2026-11-23,NVDA,180\n2026-11-25,NVDA,182\n", encoding="utf-8"
    )
    [request] = _tick(warehouse)
    assert request.job_name == "load_prices"
    assert request.tags[ASSET_PARTITION_RANGE_START_TAG] == "2026-11-23"
    assert request.tags[ASSET_PARTITION_RANGE_END_TAG] == "2026-11-25"


def _trading_days(first: date, count: int) -> list[date]:
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _run_prices(first: date, last: date, warehouse: Path):
    job = defs.resolve_job_def("load_prices")
    tags = {ASSET_PARTITION_RANGE_START_TAG: str(first), ASSET_PARTITION_RANGE_END_TAG: str(last)}
    with DagsterInstance.ephemeral() as instance:
        return job.execute_in_process(instance=instance, tags=tags, resources=build_resources(warehouse))


def test_a_backfill_of_25_trading_days_lands_every_day_and_a_rerun_replaces_one_exactly(
    tmp_path, monkeypatch
):
    inbox = tmp_path / "inbox"
    (inbox / "prices").mkdir(parents=True)
    monkeypatch.setenv("CHIPWATCH_INBOX", str(inbox))
    days = _trading_days(date(2026, 1, 5), 25)
    tickers = ["688795.SS", "688802.SS", "NVDA"]
    rows = [f"{day},{ticker},{100 + i},synthetic" for i, day in enumerate(days) for ticker in tickers]
    prices = inbox / "prices" / "synthetic.csv"
    prices.write_text("Date,Ticker,Close,Dataset\n" + "\n".join(rows) + "\n", encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"

    assert _run_prices(days[0], days[-1], warehouse).success
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*), count(distinct date) from raw.daily_prices").fetchone() == (
            75,
            25,
        )

    # A corrected file for one day: re-running that partition replaces its rows, nothing else.
    prices.write_text(
        prices.read_text().replace(f"{days[3]},NVDA,103", f"{days[3]},NVDA,999"), encoding="utf-8"
    )
    assert _run_prices(days[3], days[3], warehouse).success
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.daily_prices").fetchone() == (75,)
        assert con.execute(
            "select close from raw.daily_prices where date = ? and ticker = 'NVDA'", [days[3]]
        ).fetchone() == (999,)


def test_a_changed_reference_file_selects_only_its_asset_and_changed_code_everything(tmp_path, monkeypatch):
    import shutil

    import orchestration.changes
    from orchestration.changes import watched_sources, what_changed

    reference = tmp_path / "reference"
    shutil.copytree(PROJECT_ROOT / "data" / "reference", reference)
    monkeypatch.setenv("CHIPWATCH_REFERENCE_DIR", str(reference))
    monkeypatch.setenv("CHIPWATCH_INBOX", str(tmp_path / "inbox"))
    serving = tmp_path / "serving.duckdb"
    with DagsterInstance.ephemeral() as instance:
        changes = what_changed(instance, watched_sources(), serving)
        assert changes.everything  # nothing published yet
        # Files modified before the loading run started are what it loaded.
        for path in reference.iterdir():
            os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns - 10**9))
        record_publish(instance, serving, watched_sources())
        changes = what_changed(instance, watched_sources(), serving)
        assert not changes.everything and changes.sources == {}
        assert what_changed(instance, watched_sources(), tmp_path / "other.duckdb").everything

        with open(reference / "funding_events.csv", "a", encoding="utf-8") as handle:
            handle.write("\n")
        changes = what_changed(instance, watched_sources(), serving)
        assert not changes.everything
        assert {key.to_user_string() for key in changes.sources} == {"raw/funding_events"}
        _, changed_files = changes.sources[AssetKey(["raw", "funding_events"])]
        assert changed_files == ["funding_events.csv"]

        monkeypatch.setattr(orchestration.changes, "code_version", lambda: "another code version")
        assert what_changed(instance, watched_sources(), serving).everything


def test_a_file_modified_after_its_load_started_is_not_recorded_as_published(tmp_path, monkeypatch):
    from dagster import AssetMaterialization

    from ingestion.warehouse import file_sha256
    from orchestration.changes import published_inputs

    inbox = tmp_path / "inbox"
    (inbox / "epoch_gpu_clusters").mkdir(parents=True)
    monkeypatch.setenv("CHIPWATCH_INBOX", str(inbox))
    loaded, late = (inbox / "epoch_gpu_clusters" / name for name in ("loaded.csv", "late.csv"))
    loaded.write_text("Name\nA\n")
    os.utime(loaded, ns=(loaded.stat().st_atime_ns, loaded.stat().st_mtime_ns - 10**9))
    with DagsterInstance.ephemeral() as instance:
        instance.report_runless_asset_event(AssetMaterialization(AssetKey(["raw", "epoch_gpu_clusters"])))
        late.write_text("Name\nB\n")
        os.utime(late, ns=(late.stat().st_atime_ns, late.stat().st_mtime_ns + 10**9))
        inputs = published_inputs(instance, None)
    # Only the source that was loaded is recorded, and only with the file it could have read.
    assert inputs == {"raw/epoch_gpu_clusters": {"loaded.csv": [ANY, ANY, file_sha256(loaded)]}}


def test_a_second_build_is_refused_while_the_first_holds_the_lock(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    with build_lock(warehouse) as first:
        assert first is None
        with build_lock(warehouse) as second:
            assert second == str(os.getpid())


@pytest.mark.parametrize(
    ("today", "expected"),
    [(date(2026, 11, 30), date(2026, 11, 27)), (date(2026, 11, 27), date(2026, 11, 26))],
)
def test_previous_trading_day_skips_weekends(today, expected):
    assert previous_trading_day(today) == expected


def test_freshness_windows():
    prices, chips = BY_TABLE["daily_prices"].freshness, BY_TABLE["chips"].freshness
    assert is_fresh(date(2026, 11, 27), prices, date(2026, 11, 30))
    assert not is_fresh(date(2026, 11, 26), prices, date(2026, 11, 30))
    assert is_fresh(date(2026, 11, 1), chips, date(2026, 11, 28))
    assert not is_fresh(date(2026, 10, 1), chips, date(2026, 11, 28))
    assert not is_fresh(None, chips, date(2026, 11, 28))


def test_a_monthly_fx_table_is_current_until_the_next_average_is_due():
    fx = BY_TABLE["fx_rates"].freshness
    # On 2026-11-30 the November average is not out yet: October's is the newest there can be.
    assert is_fresh(date(2026, 10, 1), fx, date(2026, 11, 30))
    assert not is_fresh(date(2026, 6, 1), fx, date(2026, 12, 1))
    assert "first business day" in summary(date(2026, 6, 1), 183, False, fx)
    assert summary(date(2026, 11, 1), 30, True, fx) == "newest figure 2026-11-01, 30 days old"


def test_the_build_summary_reports_freshness(built_warehouse):
    _, result = built_warehouse
    freshness = [e for e in result.get_asset_check_evaluations() if e.check_name == "freshness"]
    assert {e.asset_key.to_user_string() for e in freshness} >= {"raw/chips", "raw/daily_prices"}
    assert all(json.dumps(e.metadata["summary"].value) for e in freshness)
