"""The dashboard: built from the serving file, offline, and every chart draws its data in Chromium.

The browser test saves a screenshot of the whole page to `CHIPWATCH_DASHBOARD_SCREENSHOT` (CI keeps
it as an artefact; `docs/dashboard.png` in the README is made this way), else next to the page.
"""

import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml
from plotly.offline import get_plotlyjs

from serving.charts.market import BASELINE_CHIP
from serving.charts.revenue import CHINA_LINES
from serving.dashboard import build_charts, write_dashboard

os.environ.pop("CHIPWATCH_SERVING", None)

MARTS_DIR = Path(__file__).resolve().parents[1] / "dbt_project" / "models" / "marts"
CHART_IDS = [
    "share", "revenue", "china_revenue", "cost", "export", "claims", "funding", "ipo", "financials",
    "compliance", "freshness",
]  # fmt: skip
# With synthetic data off, no observed data centre names its chips: the compliance chart is empty.
CHARTS_WITH_DATA = [chart for chart in CHART_IDS if chart != "compliance"]

# For each chart: its traces, the points they hold (x values, or table rows) and the marks drawn.
CHART_STATE_JS = """() => [...document.querySelectorAll('section[data-chart]')].map(section => {
  const gd = section.querySelector('.js-plotly-plot');
  const data = gd ? gd.data : [];
  return {
    id: section.dataset.chart,
    rows: Number(section.dataset.rows),
    traces: data.length,
    points: data.reduce((n, t) => n + (t.x || (t.cells && t.cells.values[0]) || []).length, 0),
    marks: gd ? gd.querySelectorAll('path.point, g.point path, .cell-text').length : 0,
    asOf: (section.querySelector('.as-of') || {}).textContent,
  };
})"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CHIPWATCH_REQUIRE_CHROMIUM"):
        pytest.fail("chromium is not installed (.ci/run installs Debian's chromium package)")
    pytest.skip("chromium is not installed: apt-get install -y chromium")


def render_in_chromium(html: Path, screenshot: Path) -> dict:
    """Open the page in headless Chromium with the network off; the charts' state, errors, requests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        try:
            context = browser.new_context(offline=True, viewport={"width": 1400, "height": 900})
            page = context.new_page()
            errors, requests = [], []
            page.on("console", lambda message: message.type == "error" and errors.append(message.text))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("request", lambda request: requests.append(request.url))
            page.goto(html.as_uri())
            page.wait_for_function(
                "() => [...document.querySelectorAll('.js-plotly-plot')].every(gd => gd._fullLayout)"
            )
            charts = {chart["id"]: chart for chart in page.evaluate(CHART_STATE_JS)}
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return {"charts": charts, "errors": errors, "requests": requests}


@pytest.fixture(scope="session")
def built_dashboard(serving) -> Path:
    html = serving.with_name("dashboard.html")
    assert html.exists(), "the build did not write the dashboard next to the serving file"
    return html


@pytest.fixture
def serving_copy(built_dashboard, tmp_path) -> Path:
    """A writable copy of the build's serving file."""
    copy = tmp_path / "serving.duckdb"
    shutil.copy(built_dashboard.with_name("serving.duckdb"), copy)
    return copy


@pytest.fixture
def serving_sql(built_dashboard):
    """Run a query against the build's serving file and return all rows."""

    def query(sql: str):
        with duckdb.connect(str(built_dashboard.with_name("serving.duckdb")), read_only=True) as con:
            return con.execute(sql).fetchall()

    return query


def by_id(charts) -> dict:
    return {chart.id: chart for chart in charts}


def test_the_dashboard_is_one_file_that_loads_nothing(built_dashboard):
    html = built_dashboard.read_text(encoding="utf-8")
    assert get_plotlyjs() in html, "plotly.js is not inlined"
    page = html.replace(get_plotlyjs(), "")
    assert "<script src" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    for chart in CHART_IDS:
        assert f'id="chart-{chart}"' in page
    assert page.count('class="provenance"') == len(CHART_IDS)


def test_every_chart_draws_its_data_offline_in_chromium(built_dashboard):
    screenshot = Path(os.environ.get("CHIPWATCH_DASHBOARD_SCREENSHOT") or built_dashboard.with_suffix(".png"))
    page = render_in_chromium(built_dashboard, screenshot)
    assert page["errors"] == []
    assert [url for url in page["requests"] if not url.startswith(("file:", "data:", "blob:"))] == []
    charts = page["charts"]
    assert sorted(charts) == sorted(CHART_IDS)
    for chart in CHARTS_WITH_DATA:
        state = charts[chart]
        assert state["rows"] > 0 and state["traces"] > 0, state
        # Every row the chart read is a point of the figure, and the browser drew marks for them.
        assert state["points"] == state["rows"], state
        assert state["marks"] >= state["rows"], state
        assert re.match(r"\d{4}-\d\d-\d\d", state["asOf"]), state
    assert charts["compliance"]["rows"] == 0 and charts["compliance"]["traces"] == 0
    assert screenshot.stat().st_size > 50_000


def test_the_charts_hold_the_marts_figures_with_their_confidence(built_dashboard, serving_sql):
    charts = by_id(build_charts(built_dashboard.with_name("serving.duckdb"))[0])

    # Share: one line per group and publisher, and estimated figures drawn with open markers.
    share = charts["share"]
    publishers = {
        name
        for (name,) in serving_sql(
            "select distinct publisher from marts.market_share where share is not null"
        )
    }
    assert {trace.name.split(" (", 1)[1][:-1] for trace in share.figure.data} == publishers
    [(period, publisher, nvidia, confidence)] = serving_sql(
        "select period, publisher, sum(share), any_value(confidence) from (select * from marts.market_share "
        "where market = 'China' and basis = 'units' and vendor ilike 'nvidia%' and share is not null "
        "qualify published_date = max(published_date) over (partition by period, publisher)) "
        "group by period, publisher order by period desc, publisher limit 1"
    )
    [trace] = [t for t in share.figure.data if t.name == f"NVIDIA ({publisher})" and period in t.x]
    index = list(trace.x).index(period)
    assert trace.y[index] == pytest.approx(nvidia)
    assert trace.marker.symbol[index] == {"estimated": "circle-open", "claimed": "circle-open-dot"}.get(
        confidence, "circle"
    )

    # NVIDIA's China revenue: each geographic basis its own labelled trace holding that line's figures
    # (FY2025: 17,108 by billing location, 25,048 by customer headquarters, never one series).
    china = {
        trace.name: dict(zip(trace.x, trace.y, strict=True)) for trace in charts["china_revenue"].figure.data
    }
    assert set(china) == set(CHINA_LINES.values())
    for line, label in CHINA_LINES.items():
        figures = serving_sql(
            "select fiscal_year, revenue_usd_m from marts.nvidia_revenue where line_type = 'geography' "
            f"and line = '{line}' and fiscal_period = 'FY' and revenue_usd_m is not null"
        )
        assert china[label] == {f"FY{year}": revenue for year, revenue in figures} and figures, line
    assert "customer headquarters" in charts["china_revenue"].figure.data[1].name

    # Export controls: a mark where the evidence (the newest rule or policy event) ends.
    [(evidence_ends,)] = serving_sql(
        "select max(as_of) from (select as_of from staging.stg_reference__export_control_rules "
        "union all select as_of from staging.stg_reference__policy_events)"
    )
    export = charts["export"]
    assert f"evidence ends {evidence_ends.isoformat()}" in [a.text for a in export.figure.layout.annotations]
    assert any(shape.type == "line" for shape in export.figure.layout.shapes)

    # Claims: every claim with its verdict.
    [table] = charts["claims"].figure.data
    verdicts = dict(zip(table.cells.values[0], table.cells.values[4], strict=True))
    assert verdicts == dict(serving_sql("select claim_id, verdict from marts.claims_check"))

    # Freshness: every source's check, the stale ones named.
    [table] = charts["freshness"].figure.data
    stale = {
        asset
        for asset, fresh in zip(table.cells.values[0], table.cells.values[1], strict=True)
        if fresh == "STALE"
    }
    assert stale == {
        asset
        for (asset,) in serving_sql(
            "select asset from meta.checks where check_name = 'freshness' and not passed"
        )
    }


def test_the_h200_is_the_baseline_even_without_a_price(serving_copy):
    with duckdb.connect(str(serving_copy)) as con:
        [(tflops_per_kw,)] = con.execute(
            "select tflops_per_kw from marts.chip_cost_efficiency where chip_name = ?", [BASELINE_CHIP]
        ).fetchall()
        assert tflops_per_kw, "the H200's power figure is what the baseline line is drawn at"
        con.execute(
            "update marts.chip_cost_efficiency set price_usd = null, modelled_price_usd = null, "
            "tflops_per_kusd = null, tflops_per_kusd_modelled = null where chip_name = ?",
            [BASELINE_CHIP],
        )
    cost = by_id(build_charts(serving_copy)[0])["cost"]
    baselines = [s for s in cost.figure.layout.shapes if s.y0 == s.y1 == pytest.approx(tflops_per_kw)]
    assert len(baselines) == 2  # across both panels
    assert "(no price on file)" in cost.note
    unpriced = [
        t for t in cost.figure.data if t.xaxis == "x2" and BASELINE_CHIP in [c[0] for c in t.customdata]
    ]
    assert unpriced, "the H200 is drawn among the chips with a power figure only"


def test_the_share_chart_draws_the_estimate_range_where_the_mart_carries_one(serving_copy):
    with duckdb.connect(str(serving_copy), read_only=True) as con:
        [(period, low, nvidia_share, high)] = con.execute(
            "select period, sum(share_low), sum(share), sum(share_high) from marts.market_share "
            "where basis = 'compute' and vendor ilike 'nvidia%' and share_low is not null "
            "and market = 'global' group by period, publisher order by period limit 1"
        ).fetchall()
    share = by_id(build_charts(serving_copy)[0])["share"]
    [nvidia] = [t for t in share.figure.data if t.name.startswith("NVIDIA (") and t.error_y.array is not None]
    index = list(nvidia.x).index(period)
    assert nvidia.y[index] == pytest.approx(nvidia_share)
    assert nvidia.error_y.array[index] == pytest.approx(high - nvidia_share)
    assert nvidia.error_y.arrayminus[index] == pytest.approx(nvidia_share - low)
    assert "estimate range" in share.note


def test_synthetic_rows_are_off_by_default_and_labelled_when_shown(built_dashboard, tmp_path):
    serving = built_dashboard.with_name("serving.duckdb")
    assert by_id(build_charts(serving)[0])["compliance"].rows == 0
    written = write_dashboard(serving, tmp_path / "dashboard.html", synthetic=True)
    assert written.charts["compliance"] > 0
    compliance = by_id(build_charts(serving, synthetic=True)[0])["compliance"]
    assert "synthetic (generated, not observed)" in [trace.name for trace in compliance.figure.data]
    assert "Synthetic rows are shown and labelled" in written.path.read_text(encoding="utf-8")


def serving_with_contract_marts(path: Path) -> None:
    """A serving file holding every mart with exactly its contracted columns, empty, and `meta.*`."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema staging; create schema meta")
        con.execute(
            "create table meta.published as select timestamp '2026-01-31 06:00:00' as published_at, "
            "'run-x' as run_id"
        )
        con.execute(
            "create table meta.checks (asset varchar, check_name varchar, passed boolean, "
            "blocking boolean, detail varchar)"
        )
        for spec in sorted(MARTS_DIR.glob("*.yml")):
            for model in yaml.safe_load(spec.read_text(encoding="utf-8"))["models"]:
                columns = ", ".join(f'"{c["name"]}" {c["data_type"]}' for c in model["columns"])
                con.execute(f"create table marts.{model['name']} ({columns})")


def test_empty_marts_draw_empty_charts_rather_than_failing(tmp_path):
    serving = tmp_path / "serving.duckdb"
    serving_with_contract_marts(serving)
    written = write_dashboard(serving, tmp_path / "dashboard.html")
    assert set(written.charts) == set(CHART_IDS) and set(written.charts.values()) == {0}


def test_a_serving_file_without_marts_names_what_is_missing(tmp_path):
    serving = tmp_path / "serving.duckdb"
    with duckdb.connect(str(serving)) as con:
        con.execute("create schema marts")
    written = write_dashboard(serving, tmp_path / "dashboard.html")
    assert set(written.charts.values()) == {0}
    assert "marts.market_share not in the serving file yet" in written.path.read_text(encoding="utf-8")
