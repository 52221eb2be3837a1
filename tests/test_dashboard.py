"""The static dashboard: built from the serving file, offline, and every chart draws in Chromium."""

import os
import re
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import duckdb
import pytest

from serving.dashboard import build_charts, write_dashboard

os.environ.pop("CHIPWATCH_SERVING", None)

CHART_IDS = ["share", "cost", "export", "compliance", "ipo"]
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CHIPWATCH_REQUIRE_CHROMIUM"):
        pytest.fail("chromium is not installed (.ci/run installs Debian's chromium package)")
    pytest.skip("chromium is not installed: apt-get install -y chromium")


def render_dom(html: Path) -> str:
    with tempfile.TemporaryDirectory() as profile:
        completed = subprocess.run(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", html.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


def chart_states(dom: str) -> dict[str, dict[str, str]]:
    states = {}
    for tag in re.findall(r"<section [^>]*data-chart=[^>]*>", dom):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        states[attrs["data-chart"]] = attrs
    return states


@pytest.fixture(scope="session")
def built_dashboard(built_warehouse) -> Path:
    warehouse, result = built_warehouse
    assert result.success
    html = warehouse.parent / "dashboard.html"
    assert html.exists(), "the build did not write the dashboard next to the serving file"
    return html


def test_the_dashboard_is_self_contained(built_dashboard):
    html = built_dashboard.read_text(encoding="utf-8")
    assert "<script src" not in html and "<link" not in html and "@import" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    for chart in CHART_IDS:
        assert f'id="chart-{chart}"' in html
    assert "Sources:" in html and "As of:" in html


def test_every_chart_draws_in_headless_chromium(built_dashboard):
    dom = render_dom(built_dashboard)
    states = chart_states(dom)
    assert sorted(states) == sorted(CHART_IDS)
    for chart, attrs in states.items():
        assert attrs["data-drawn"] == "true", (chart, attrs)
        assert int(attrs["data-marks"]) > 0, chart
    assert 'data-charts-drawn="5"' in dom
    # Each chart names its sources and as-of dates.
    assert dom.count('class="provenance"') == 5
    assert len(re.findall(r'class="as-of">\d{4}-\d\d-\d\d', dom)) == 5


def _serving_with_the_new_grains(path: Path) -> None:
    """A small serving file with the marts as issue 4 reshapes them (month grain, new marts)."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema staging; create schema meta")
        con.execute(
            "create table meta.published as select timestamp '2026-01-31 06:00:00' as published_at, "
            "'run-x' as run_id"
        )
        con.execute(
            """
            create table marts.market_share as
            select * from (values
                ('2024', 'China', 'units', 'NVIDIA', 'foreign', 0.66),
                ('2024', 'China', 'units', 'Huawei', 'domestic', 0.34),
                ('2025', 'China', 'units', 'NVIDIA', 'foreign', 0.55),
                ('2025', 'China', 'units', 'Huawei', 'domestic', 0.45)
            ) t(period, market, basis, vendor, origin, share),
            (select 'IDC' as source_name, date '2026-04-01' as as_of)
            """
        )
        con.execute(
            """
            create table marts.chip_cost_efficiency as
            select * from (values
                ('NVIDIA H100 SXM5', 'NVIDIA', 'foreign', 1413.4, 29.4),
                ('Huawei Ascend 910B', 'Huawei', 'domestic', 905.0, 20.1),
                ('NVIDIA H200 SXM', 'NVIDIA', 'foreign', 1413.6, null)
            ) t(chip_name, vendor, origin, tflops_per_kw, tflops_per_kusd),
            (select 'Epoch AI' as source_name, date '2025-11-12' as as_of)
            """
        )
        con.execute(
            """
            create table marts.export_control_status as
            select chip_name, month, eccn_class,
                case when chip_name = 'NVIDIA H20' and month >= date '2025-04-01' then 'licence required'
                     when eccn_class = '3A090.a' then 'licence required' else 'not controlled' end
                    as china_licence_status,
                'Federal Register' as source_name, date '2026-01-15' as as_of
            from (values ('NVIDIA H100 SXM5', '3A090.a'), ('NVIDIA H20', 'none')) c(chip_name, eccn_class),
                (select unnest(generate_series(date '2022-10-01', date '2026-01-01', interval 1 month))::date
                    as month)
            """
        )
        con.execute(
            """
            create table marts.datacenter_compliance as
            select * from (values
                ('DC-1', 'state-funded', 0.8, 1.0, false, 200, 'synthetic'),
                ('DC-2', 'intelligent computing', 0.4, 0.35, true, 0, 'synthetic'),
                ('DC-3', 'commercial', 0.1, null, null, null, 'synthetic')
            ) t(datacenter_name, sector, domestic_share_cards, required_share, compliant, shortfall_cards,
                dataset),
            (select 'chipwatch synthetic set' as source_name, date '2026-01-01' as as_of)
            """
        )
        con.execute(
            """
            create table marts.ipo_performance as
            select * from (values
                ('Moore Threads', 'SSE STAR', date '2025-12-05', 4.25),
                ('Biren', 'HKEX', date '2026-01-02', 0.77)
            ) t(company, exchange, listing_date, first_day_return),
            (select 'Exchange filings' as source_name, date '2026-01-08' as as_of)
            """
        )


def test_the_charts_read_the_marts_in_their_new_shapes(tmp_path):
    serving = tmp_path / "serving.duckdb"
    _serving_with_the_new_grains(serving)
    charts, published = build_charts(serving, today=date(2026, 2, 1))
    by_id = {chart.id: chart for chart in charts}
    assert published["run_id"] == "run-x"
    assert all(by_id[chart].rows for chart in CHART_IDS), {c.id: len(c.rows) for c in charts}
    assert by_id["compliance"].tables == ["marts.datacenter_compliance"]
    assert by_id["ipo"].tables == ["marts.ipo_performance"]
    h20 = [row for row in by_id["export"].rows if row["chip"] == "NVIDIA H20"]
    assert [(row["status"], row["start"]) for row in h20] == [
        ("not controlled", "2022-10-01"),
        ("licence required", "2025-04-01"),
    ]
    assert by_id["cost"].note.startswith("1 chips")
    html = write_dashboard(serving, tmp_path / "dashboard.html", today=date(2026, 2, 1)).path
    states = chart_states(render_dom(html))
    assert {chart: attrs["data-drawn"] for chart, attrs in states.items()} == dict.fromkeys(CHART_IDS, "true")


def test_a_serving_file_without_marts_draws_empty_charts_rather_than_failing(tmp_path):
    serving = tmp_path / "serving.duckdb"
    with duckdb.connect(str(serving)) as con:
        con.execute("create schema marts")
    written = write_dashboard(serving, tmp_path / "dashboard.html")
    assert set(written.charts.values()) == {0}
    html = written.path.read_text(encoding="utf-8")
    assert "not in the serving file yet" in html
