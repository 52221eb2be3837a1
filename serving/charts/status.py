"""The state of the sources behind the last publish."""

import plotly.graph_objects as go

from serving.charts.base import Chart, Serving, dashboard_chart, iso, layout
from serving.status import freshness, published_checks


@dashboard_chart(
    "freshness",
    "Freshness of each source in the last published run",
    "Which sources are current, and which are older than their window?",
    tables=("meta.checks",),
)
def freshness_chart(s: Serving, chart: Chart, synthetic: bool) -> None:
    rows = freshness(published_checks(s.con))
    figure = go.Figure(
        go.Table(
            columnwidth=[200, 80, 300],
            header={"values": ["source (raw table)", "fresh", "newest figure"], "fill_color": "#e8ebf0"},
            cells={
                "values": [
                    [r.asset for r in rows],
                    ["yes" if r.passed else "STALE" for r in rows],
                    [r.detail for r in rows],
                ],
                "fill_color": [
                    ["#ffffff"] * len(rows),
                    ["#d9f0d3" if r.passed else "#f4c7c3" for r in rows],
                ],
                "align": "left",
                "height": 24,
            },
        )
    )
    chart.figure, chart.rows = layout(figure, height=100 + 26 * len(rows)), len(rows)
    stale = sum(not r.passed for r in rows)
    chart.note = (
        f"{stale} of {len(rows)} sources are older than their window (a warning, not a failed build)."
    )
    [published] = (
        s.rows("select max(published_at) as at from meta.published") if s.has("meta.published") else [{}]
    )
    chart.sources = ["chipwatch run checks"]
    chart.as_of = (iso(published.get("at")),) * 2
