"""Running unattended: the asset graph snapshot, schedules, the inbox sensor, price partitions,
incremental builds, freshness and the build lock."""

import json
import os
from datetime import UTC, date, timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_ROOT
from dagster import (
    DagsterInstance,
    build_schedule_context,
    build_sensor_context,
)
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from orchestration.build import build_lock, selected_raw_keys
from orchestration.definitions import defs
from orchestration.freshness import WINDOWS, is_fresh, previous_trading_day, summary
from orchestration.resources import build_resources
from orchestration.state import changed_inputs, input_fingerprints

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


def _tick(cursor, duckdb_resource):
    from orchestration.sensors import inbox_sensor

    with DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(
            instance=instance, cursor=cursor, resources={"duckdb": duckdb_resource}
        )
        result = inbox_sensor.evaluate_tick(context)
        return result.run_requests or [], result.cursor


def test_the_sensor_starts_a_run_for_a_new_file_and_not_for_the_same_file_again(sensor_env):
    inbox, warehouse = sensor_env
    requests, cursor = _tick(None, warehouse)
    assert requests == []
    (inbox / "epoch_gpu_clusters" / "clusters.csv").write_text("Name\nA\n")
    requests, cursor = _tick(cursor, warehouse)
    assert [r.job_name for r in requests] == ["inbox_epoch_gpu_clusters"]
    requests, cursor = _tick(cursor, warehouse)
    assert requests == []
    (inbox / "epoch_gpu_clusters" / "clusters.csv").write_text("Name\nA\nB\n")
    requests, cursor = _tick(cursor, warehouse)
    assert [r.job_name for r in requests] == ["inbox_epoch_gpu_clusters"]


def test_a_file_already_in_the_warehouse_triggers_nothing(sensor_env):
    from ingestion.warehouse import file_sha256

    inbox, warehouse = sensor_env
    path = inbox / "epoch_gpu_clusters" / "clusters.csv"
    path.write_text("Name\nA\n")
    with duckdb.connect(warehouse.database) as con:
        con.execute("create schema raw")
        con.execute("create table raw.epoch_gpu_clusters as select ? as _source_sha256", [file_sha256(path)])
    requests, _ = _tick(None, warehouse)
    assert requests == []


def test_a_new_price_file_requests_the_partitions_it_covers(sensor_env):
    inbox, warehouse = sensor_env
    (inbox / "prices" / "nvda.csv").write_text(
        "Date,Ticker,Close\n2026-11-23,NVDA,180\n2026-11-25,NVDA,182\n", encoding="utf-8"
    )
    [request], _ = _tick(None, warehouse)
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


def test_fingerprints_change_with_a_reference_file_and_select_only_its_asset(tmp_path, monkeypatch):
    import shutil

    reference = tmp_path / "reference"
    shutil.copytree(PROJECT_ROOT / "data" / "reference", reference)
    monkeypatch.setenv("CHIPWATCH_REFERENCE_DIR", str(reference))
    before = input_fingerprints()
    assert changed_inputs(before, input_fingerprints()) == []
    with open(reference / "funding_events.csv", "a", encoding="utf-8") as handle:
        handle.write("\n")
    changed = changed_inputs(input_fingerprints(), before)
    assert changed == ["reference/funding_events"]
    assert {key.to_user_string() for key in selected_raw_keys(changed)} == {"raw/funding_events"}


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
    prices = next(w for w in WINDOWS if w.table == "daily_prices")
    chips = next(w for w in WINDOWS if w.table == "chips")
    assert is_fresh(date(2026, 11, 27), prices, date(2026, 11, 30))
    assert not is_fresh(date(2026, 11, 26), prices, date(2026, 11, 30))
    assert is_fresh(date(2026, 11, 1), chips, date(2026, 11, 28))
    assert not is_fresh(date(2026, 10, 1), chips, date(2026, 11, 28))
    assert not is_fresh(None, chips, date(2026, 11, 28))


def test_a_monthly_fx_table_is_current_until_the_next_average_is_due():
    fx = next(w for w in WINDOWS if w.table == "fx_rates")
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
