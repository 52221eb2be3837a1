"""What the fetchers bring is loaded by the existing machinery: the inbox sensor starts the
source's run, its raw asset lands the new file; the FRED and Federal Register readers land
their formats; an empty folder lands an empty table; no build job runs a fetch."""

import json

import duckdb
import pytest
from conftest import PROJECT_ROOT
from dagster import DagsterInstance, build_schedule_context, build_sensor_context, materialize
from loopback_http import LoopbackServer, Route

from ingestion.errors import SourceFormatError
from ingestion.federal_register import load_federal_register_json
from ingestion.fetch.run import Fetcher, Settings, fetch_sources
from ingestion.fetch.sources import FETCH_SOURCES
from ingestion.fx_fred import load_fred_fx_csv
from orchestration.assets.raw import raw_assets
from orchestration.definitions import defs
from orchestration.resources import build_resources

INBOX = PROJECT_ROOT / "data" / "inbox"
CORPUS = PROJECT_ROOT / "tests" / "fetch_fixtures"
FAST = Settings(timeout=2.0, retries=1, backoff=0.0)


def raw_asset(table: str):
    [asset] = [a for a in raw_assets if a.key.path == ["raw", table]]
    return asset


def tick(resource):
    """The inbox sensor's run requests: (job, run key) each."""
    from orchestration.sensors import inbox_sensor

    with DagsterInstance.ephemeral() as instance:
        result = inbox_sensor.evaluate_tick(
            build_sensor_context(instance=instance, resources={"duckdb": resource})
        )
        return [(r.job_name, r.run_key) for r in result.run_requests or []]


@pytest.fixture
def env(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    monkeypatch.setenv("CHIPWATCH_INBOX", str(inbox))
    monkeypatch.setenv("CHIPWATCH_FETCH_LOG", str(tmp_path / "fetch_log.duckdb"))
    routes = {
        "/data/ml_hardware.csv": Route.of_file(
            INBOX / "epoch_ml_hardware" / "epoch_ml_hardware_2025-11.csv", "text/csv"
        ),
        "/graph/fredgraph.csv?id=EXCHUS": Route.of_file(CORPUS / "fred_EXCHUS.csv", "text/csv"),
        "/graph/fredgraph.csv?id=EXHKUS": Route.of_file(CORPUS / "fred_EXHKUS.csv", "text/csv"),
        "/api/v1/documents.json": Route.of_file(
            CORPUS / "federal_register_documents.json", "application/json"
        ),
    }
    with LoopbackServer(routes) as server:
        for source in FETCH_SOURCES.values():
            monkeypatch.setenv(source.base_url_setting, server.url)
        yield inbox, build_resources(tmp_path / "w.duckdb")


def test_a_fetched_epoch_csv_starts_its_run_and_lands_in_raw(env):
    inbox, resources = env
    [result] = fetch_sources(["epoch_ml_hardware"], Fetcher(FAST))
    [written] = result.written
    [(job, run_key)] = tick(resources["duckdb"])
    assert job == "inbox_epoch_ml_hardware"
    assert materialize([raw_asset("epoch_ml_hardware")], resources=resources).success
    with duckdb.connect(resources["duckdb"].database, read_only=True) as con:
        files = con.execute(
            "select distinct landed.source_file from raw.epoch_ml_hardware "
            "join meta.landed_files as landed on landed.file_id = _file_id"
        ).fetchall()
        rows = con.execute("select count(*) from raw.epoch_ml_hardware").fetchone()[0]
    assert files == [(written,)] and rows >= 50
    # Fetched again: nothing new is written, so the sensor asks for the same run key, which Dagster
    # launches once.
    [again] = fetch_sources(["epoch_ml_hardware"], Fetcher(FAST))
    assert again.written == []
    assert tick(resources["duckdb"]) == [(job, run_key)]


def test_fred_and_federal_register_downloads_land_in_their_raw_tables(env):
    inbox, resources = env
    fetch_sources(["fx_rates", "federal_register"], Fetcher(FAST))
    assert {job for job, _ in tick(resources["duckdb"])} == {"inbox_fx_rates", "inbox_federal_register"}
    assets = [raw_asset("fred_fx_monthly"), raw_asset("federal_register_candidates")]
    assert materialize(assets, resources=resources).success
    with duckdb.connect(resources["duckdb"].database, read_only=True) as con:
        fx = con.execute(
            "select currency, observation_date::varchar, units_per_usd from raw.fred_fx_monthly "
            "where observation_date = date '2022-06-01' order by currency"
        ).fetchall()
        documents = con.execute(
            "select document_number, publication_date::varchar "
            "from raw.federal_register_candidates order by 1"
        ).fetchall()
    assert fx == [("CNY", "2022-06-01", 6.6952), ("HKD", "2022-06-01", 7.8481)]
    assert documents == [
        ("2022-21658", "2022-10-13"),
        ("2023-23055", "2023-10-25"),
        ("2025-00636", "2025-01-15"),
    ]


def test_empty_fetch_folders_land_empty_tables(env):
    inbox, resources = env
    assets = [raw_asset("fred_fx_monthly"), raw_asset("federal_register_candidates")]
    assert materialize(assets, resources=resources).success
    with duckdb.connect(resources["duckdb"].database, read_only=True) as con:
        for table in ("fred_fx_monthly", "federal_register_candidates"):
            assert con.execute(f"select count(*) from raw.{table}").fetchone()[0] == 0
            columns = {row[0] for row in con.execute(f"describe raw.{table}").fetchall()}
            assert "_file_id" in columns


def test_the_fred_reader_reads_both_headers_and_quarantines_a_missing_value(tmp_path):
    old = tmp_path / "EXHKUS.csv"
    old.write_text("DATE,EXHKUS\n2023-04-01,7.8496\n2023-05-01,.\n")
    load = load_fred_fx_csv(old)
    assert load.landable()["units_per_usd"].to_list() == [7.8496]
    assert load.quarantined.height == 1 and "units_per_usd" in load.quarantined["reason"][0]
    assert load.balanced
    other = tmp_path / "DEXJPUS.csv"
    other.write_text("observation_date,DEXJPUS\n2023-04-03,132.7\n")
    with pytest.raises(SourceFormatError, match="DEXJPUS"):
        load_fred_fx_csv(other)


def test_the_federal_register_reader_refuses_what_is_not_an_api_answer(tmp_path):
    page = tmp_path / "answer.json"
    page.write_text(json.dumps({"errors": {"per_page": "must be at most 1000"}}))
    with pytest.raises(SourceFormatError, match="results"):
        load_federal_register_json(page)
    nothing = tmp_path / "none.json"
    nothing.write_text(json.dumps({"count": 0, "description": "none"}))
    assert load_federal_register_json(nothing).rows_read == 0


def test_no_build_job_fetches_and_the_schedule_fetches_only_when_enabled(monkeypatch):
    for name in ("build_warehouse", "market_daily", "reference_weekly"):
        keys = defs.resolve_job_def(name).asset_layer.selected_asset_keys
        assert not any(key.path[0] == "fetch" for key in keys), name
    fetch_keys = defs.resolve_job_def("fetch_sources").asset_layer.selected_asset_keys
    assert {key.path[-1] for key in fetch_keys} == set(FETCH_SOURCES)
    schedule = defs.get_repository_def().get_schedule_def("fetch_daily")
    with DagsterInstance.ephemeral() as instance:
        monkeypatch.delenv("CHIPWATCH_FETCH", raising=False)
        assert not list(schedule.evaluate_tick(build_schedule_context(instance=instance)).run_requests or [])
        monkeypatch.setenv("CHIPWATCH_FETCH", "1")
        [request] = schedule.evaluate_tick(build_schedule_context(instance=instance)).run_requests
        assert request.job_name in (None, "fetch_sources")
