"""NVIDIA's revenue from China, and the listed domestic makers' revenue and profit."""

import plotly.graph_objects as go

from serving.charts.base import Chart, Serving, bar_pattern, dashboard_chart, layout

# NVIDIA's revenue from China on its two geographic bases: two lines of marts.nvidia_revenue that
# neither add up nor compare, and their legend labels.
CHINA_BILLING = "China (including Hong Kong)"
CHINA_HEADQUARTERS = "China (including Hong Kong), customer headquarters"
CHINA_LINES = {
    CHINA_BILLING: "China, by billing location (NVIDIA's basis to Q2 FY26)",
    CHINA_HEADQUARTERS: "China, by customer headquarters (its basis from Q3 FY26; FY24-FY25 recast)",
}
CHINA_LINES_SQL = ", ".join(f"'{line}'" for line in CHINA_LINES)


@dashboard_chart(
    "china_revenue",
    "NVIDIA revenue from China (including Hong Kong), by fiscal year",
    "How much does NVIDIA still earn in China?",
    tables=("marts.nvidia_revenue",),
)
def china_revenue_chart(s: Serving, chart: Chart, synthetic: bool) -> None:
    [table] = chart.tables
    where = f"line_type = 'geography' and line in ({CHINA_LINES_SQL}) and fiscal_period = 'FY'"
    rows = s.rows(
        f"select fiscal_year, line, revenue_usd_m, confidence, source_name, has_conflict from {table} "
        f"where {where} and revenue_usd_m is not null order by fiscal_year"
    )
    figure = go.Figure()
    for line, colour in ((CHINA_BILLING, "#76b900"), (CHINA_HEADQUARTERS, "#1f6f8b")):
        label, points = CHINA_LINES[line], [r for r in rows if r["line"] == line]
        patterns = [bar_pattern(p["confidence"]) for p in points]
        figure.add_trace(
            go.Bar(
                x=[f"FY{p['fiscal_year']}" for p in points],
                y=[p["revenue_usd_m"] for p in points],
                marker={"color": colour, "pattern": {"shape": patterns}},
                customdata=[[p["confidence"], p["source_name"]] for p in points],
                hovertemplate=f"{label}<br>%{{x}}: USD %{{y:,.0f}} m<br>%{{customdata[0]}}, "
                "%{customdata[1]}<extra></extra>",
                name=label,
            )
        )
    figure.update_layout(barmode="group")
    figure.update_xaxes(type="category", categoryorder="category ascending")
    figure.update_yaxes(title_text="USD millions", rangemode="tozero")
    chart.figure, chart.rows = layout(figure), len(rows)
    chart.sources, chart.as_of = s.provenance(table, where)
    chart.note = (
        "Revenue from customers in China and Hong Kong, chiefly from NVIDIA's 10-K geographic tables, on two "
        "bases that do not compare: by billing location (up to Q2 FY26) and by the direct customer's "
        "headquarters (from Q3 FY26, with earlier years recast). Years no source in the warehouse "
        "states are left out."
    )


@dashboard_chart(
    "financials",
    "Domestic makers: revenue and net profit by year (USD)",
    "Are China's listed AI-chip makers growing, and do they make money?",
    tables=("marts.company_financials",),
    wide=True,
)
def financials_chart(s: Serving, chart: Chart, synthetic: bool) -> None:
    [table] = chart.tables
    where = "metric in ('revenue', 'net_profit') and value_usd is not null"
    rows = s.rows(
        f"select company, fiscal_year, metric, value_usd, confidence, source_name from {table} "
        f"where {where} order by company, fiscal_year"
    )
    figure = go.Figure()
    for metric, colour in (("revenue", "#1f77b4"), ("net_profit", "#d62728")):
        points = [r for r in rows if r["metric"] == metric]
        figure.add_trace(
            go.Bar(
                x=[f"{p['company']} {p['fiscal_year']}" for p in points],
                y=[p["value_usd"] / 1e6 for p in points],
                name=metric.replace("_", " "),
                marker={
                    "color": colour,
                    "pattern": {"shape": [bar_pattern(p["confidence"]) for p in points]},
                },
                customdata=[[p["confidence"], p["source_name"]] for p in points],
                hovertemplate="%{x}: USD %{y:,.0f} m<br>%{customdata[0]}, %{customdata[1]}<extra></extra>",
            )
        )
    figure.update_layout(barmode="group")
    figure.update_xaxes(type="category", categoryorder="category ascending")
    figure.update_yaxes(title_text="USD millions")
    chart.figure, chart.rows = layout(figure, height=460), len(rows)
    chart.sources, chart.as_of = s.provenance(table, where)
    chart.note = (
        "Annual revenue and net profit in USD at the fiscal year's average Federal Reserve rate; "
        "hatched bars are estimated or claimed figures; a year no source states is left out."
    )
