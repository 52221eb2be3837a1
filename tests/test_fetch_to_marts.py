"""`make fetch` to the marts: every source fetched from a loopback server, the change detection
selecting exactly the sources that brought a new file, one build of what is downstream of them,
and the marts reading the fetched files; a second fetch downloads nothing and leaves nothing to do.

One fetch and one build for the module: the warehouse before is a copy of the session's shared
build (tests/conftest.py), with its publish record carried along; its inbox is the project's,
as it was before NVIDIA published the Q1 FY2026 PDF and filed the Q2 FY2026 10-Q.
"""

import csv
import io
import shutil
from types import SimpleNamespace

import duckdb
import pytest
from conftest import record_publish, require_shared_data
from dagster import DagsterInstance, build_sensor_context
from loopback_http import LoopbackServer, Route
from publishers import INBOX, SEC_DATA, TODAY, federal_register_pages, publisher_routes

from ingestion.fetch.run import Fetcher, Settings, fetch_sources, report
from ingestion.fetch.sources import FETCH_SOURCES
from orchestration.build import execute_build
from orchestration.changes import watched_sources, what_changed
from orchestration.resources import build_resources
from orchestration.sensors import inbox_sensor
from serving.publish import serving_path

FAST = Settings(timeout=5.0, retries=1, backoff=0.0)
HELD_BACK = ("nvidia_revenue/Rev_by_Mkt_Qtrly_Trend_Q126.pdf", "sec_filings/nvda-20250727-10q.htm")
NEW_CLUSTER = "Loopback test cluster"


NEW_ACCELERATOR = "Loopback test accelerator"


def with_a_row_again(path, name_column: str, pick, new_name: str) -> bytes:
    """An Epoch CSV as the inbox holds it, and one row more: the first row `pick` accepts again,
    under a name made up for the test, so that the new edition is visible in the marts."""
    body = path.read_bytes()
    row = next(row for row in csv.DictReader(io.StringIO(body.decode("utf-8"))) if pick(row))
    line = io.StringIO()
    csv.DictWriter(line, fieldnames=list(row), lineterminator="\n").writerow({**row, name_column: new_name})
    return body.rstrip(b"\r\n") + b"\n" + line.getvalue().encode("utf-8")


def new_editions() -> dict[str, Route]:
    """Epoch's two CSVs with a new China cluster and a new accelerator."""
    clusters = with_a_row_again(
        INBOX / "epoch_gpu_clusters" / "epoch_gpu_clusters.csv",
        "Name",
        lambda r: r["Country"] == "China",
        NEW_CLUSTER,
    )
    hardware = with_a_row_again(
        INBOX / "epoch_ml_hardware" / "epoch_ml_hardware_2025-11.csv",
        "Hardware name",
        lambda r: r["Hardware name"] == "NVIDIA H100 SXM5 80GB",
        NEW_ACCELERATOR,
    )
    return {
        "/data/gpu_clusters.csv": Route.of_bytes(clusters, "text/csv"),
        "/data/ml_hardware.csv": Route.of_bytes(hardware, "text/csv"),
    }


def tick(instance, resource) -> list[str]:
    context = build_sensor_context(instance=instance, resources={"duckdb": resource})
    return sorted(request.job_name for request in inbox_sensor.evaluate_tick(context).run_requests or [])


def query(warehouse, sql: str):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def fetched(built_warehouse, tmp_path_factory):
    require_shared_data(SEC_DATA)
    built, built_result = built_warehouse
    assert built_result.success
    folder = tmp_path_factory.mktemp("fetch_to_marts")
    warehouse = folder / "chipwatch.duckdb"
    shutil.copy(built, warehouse)
    inbox = folder / "inbox"
    shutil.copytree(INBOX, inbox)  # modification times kept: the files the shared build loaded
    for name in HELD_BACK:
        (inbox / name).unlink()
    routes = publisher_routes()
    routes.update(new_editions())
    del routes["/api/v1/documents.json"]
    routes.update(
        {path: Route.of_bytes(body, "application/json") for path, body in federal_register_pages().items()}
    )
    resources = build_resources(warehouse)
    with (
        pytest.MonkeyPatch.context() as patch,
        LoopbackServer(routes) as server,
        DagsterInstance.ephemeral() as instance,
    ):
        patch.setenv("CHIPWATCH_INBOX", str(inbox))
        patch.setenv("CHIPWATCH_FETCH_LOG", str(folder / "fetch_log.duckdb"))
        patch.setenv("CHIPWATCH_SEC_USER_AGENT", "chipwatch tests tests@example.org")
        for source in FETCH_SOURCES.values():
            patch.setenv(source.base_url_setting, server.url)
        serving = serving_path(warehouse)
        record_publish(instance, serving, watched_sources())
        before = what_changed(instance, watched_sources(), serving)

        first = fetch_sources(None, Fetcher(FAST, today=TODAY))
        changes = what_changed(instance, watched_sources(), serving)
        requested = tick(instance, resources["duckdb"])
        result, selection = execute_build(instance, set(changes.sources), resources=resources)

        second = fetch_sources(None, Fetcher(FAST, today=TODAY))
        yield SimpleNamespace(
            built=built,
            warehouse=warehouse,
            before=before,
            first={r.source: r for r in first},
            changes=changes,
            requested=requested,
            result=result,
            selection=selection,
            second={r.source: r for r in second},
            after=what_changed(instance, watched_sources(), serving),
            requested_after=tick(instance, resources["duckdb"]),
        )


def test_the_fetch_brings_one_file_per_new_release_and_the_change_detection_selects_those_sources(fetched):
    assert not fetched.before.everything and fetched.before.sources == {}
    lines, ok = report(list(fetched.first.values()))
    assert ok, lines
    stamp = TODAY.isoformat()
    written = {source: sorted(result.written) for source, result in fetched.first.items() if result.written}
    assert written["nvidia_revenue"] == [f"Rev_by_Mkt_Qtrly_Trend_Q126_{stamp}.pdf"]
    assert written["sec_filings"] == [f"nvda-20250727-10q_{stamp}.htm"]  # the 10-K is held: not kept again
    assert written["epoch_gpu_clusters"] == [f"epoch_gpu_clusters_{stamp}.csv"]
    assert written["federal_register"] == [f"federal_register_page{n}_{stamp}.json" for n in (1, 2)]
    assert written["epoch_ml_hardware"] == [f"epoch_ml_hardware_{stamp}.csv"]
    assert written["fx_rates"] == [f"fred_EXCHUS_{stamp}.csv", f"fred_EXHKUS_{stamp}.csv"]
    # The by-chip exports' new heads; the owner exports are as the inbox holds them.
    by_chip = (
        "amd_chip_timelines",
        "nvidia_calendar_quarter_chip_timelines",
        "tpu_calendar_quarter_chip_timelines",
    )
    assert written["epoch_ai_chip_counts"] == [
        f"{name}_{stamp}.csv" for name in (*by_chip, "trainium_chip_timelines")
    ]
    changed = {key.path[-1]: files for key, (_, files) in fetched.changes.sources.items()}
    assert changed == {
        "nvidia_revenue_by_market": written["nvidia_revenue"],
        "sec_filing_facts": written["sec_filings"],
        "epoch_gpu_clusters": written["epoch_gpu_clusters"],
        "epoch_ml_hardware": written["epoch_ml_hardware"],
        "epoch_ai_chip_counts": written["epoch_ai_chip_counts"],
        "fred_fx_monthly": written["fx_rates"],
        "federal_register_candidates": written["federal_register"],
    }
    # The inbox sensor asks for the same sources' runs.
    assert fetched.requested == sorted(f"inbox_{folder}" for folder in written)


def test_the_build_rebuilds_what_is_downstream_of_the_fetched_sources_only(fetched):
    assert fetched.result.success
    built = {key.to_user_string() for key in fetched.selection}
    assert {"raw/nvidia_revenue_by_market", "marts/nvidia_revenue", "serving_file"} <= built
    assert "raw/chips" not in built and "raw/funding_events" not in built


def test_the_marts_read_the_fetched_files(fetched):
    # A new cluster in Epoch's new edition: a new row of the China datacenter mart.
    new_cluster = f"select country from marts.datacenter_compliance where datacenter_name = '{NEW_CLUSTER}'"
    assert query(fetched.warehouse, new_cluster) == [("China",)]
    assert query(fetched.built, new_cluster) == []
    # A new accelerator in Epoch's new edition: classified month by month, from its own figures.
    accelerator = (
        f"select distinct tpp from marts.export_control_status where chip_name = '{NEW_ACCELERATOR}'"
    )
    h100_tpp = "select tpp from staging.stg_epoch__ml_hardware where hardware_name = 'NVIDIA H100 SXM5 80GB'"
    assert query(fetched.warehouse, accelerator) == query(fetched.warehouse, h100_tpp) != [(None,)]
    assert query(fetched.built, accelerator) == []
    # NVIDIA's Q1 FY2026 PDF and Q2 FY2026 10-Q, fetched: the mart's figures come from those files.
    pdf_files = (
        "select distinct landed.source_file from raw.nvidia_revenue_by_market "
        "join meta.landed_files as landed on landed.file_id = _file_id where edition = 'Q1 FY26'"
    )
    assert query(fetched.warehouse, pdf_files) == [(f"Rev_by_Mkt_Qtrly_Trend_Q126_{TODAY}.pdf",)]
    revenue = (
        "select revenue_usd_m, source_name from marts.nvidia_revenue where fiscal_year = 2026 "
        "and fiscal_period = '{}' and line = '{}'"
    )
    assert query(fetched.warehouse, revenue.format("Q1", "Data Center")) == [
        (39112.0, "NVIDIA, Revenue by Market quarterly trend (Q1 FY26 edition)")
    ]
    assert query(fetched.warehouse, revenue.format("Q2", "China (including Hong Kong)")) == [
        (2769.0, f"NVIDIA CORP Form 10-Q for the period ended 2025-07-27 (nvda-20250727-10q_{TODAY}.htm)")
    ]
    # Epoch's chip counts: the fetched exports replace the rows they repeat, counted once.
    estimates = "select count(*) from staging.stg_epoch__ai_chip_counts"
    assert query(fetched.warehouse, estimates) == query(fetched.built, estimates)
    from_fetched = (
        f"select count(*) from staging.stg_epoch__ai_chip_counts where _source_file like '%_{TODAY}.csv'"
    )
    assert query(fetched.warehouse, from_fetched)[0][0] > 0
    shares = "select period, market, basis, vendor, value, share from marts.market_share order by all"
    assert query(fetched.warehouse, shares) == query(fetched.built, shares)
    # The FX months FRED's download covers win over the curated rows.
    [(source, replaced)] = query(
        fetched.warehouse,
        "select fx_source, curated_row_replaced from intermediate.int_fx_rates__monthly "
        "where currency = 'CNY' and rate_date = date '2022-06-01'",
    )
    assert (source, replaced) == ("fetched", True)
    # Two pages of four rows, one document in both: three candidates.
    assert query(fetched.warehouse, "select count(*) from raw.federal_register_candidates") == [(4,)]
    assert query(
        fetched.warehouse,
        "select document_number from staging.stg_federal_register__candidates order by 1",
    ) == [("2022-21658",), ("2023-23055",), ("2025-00636",)]


def test_a_second_fetch_downloads_nothing_and_leaves_nothing_to_do(fetched):
    assert all(result.written == [] for result in fetched.second.values())
    assert not fetched.after.everything and fetched.after.sources == {}
    assert fetched.requested_after == []
