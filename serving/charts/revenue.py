"""NVIDIA's revenue from China, and the listed domestic makers' revenue and profit."""

import plotly.graph_objects as go

from serving.charts.base import Chart, Serving, bar_pattern, dashboard_chart, layout

CHINA = "China (including Hong Kong)"


@dashboard_chart(
    "china_revenue",
    "NVIDIA revenue from China (including Hong Kong), by fiscal year",
    "How much does NVIDIA still earn in China?",
    tables=("marts.nvidia_revenue",),
)
def china_revenue_chart(s: Serving, chart: Chart, synthetic: bool) -> None:
    [table] = chart.tables
    where = f"line_type = 'geography' and line = '{CHINA}' and fiscal_period = 'FY'"
    rows = s.rows(
        f"select fiscal_year, revenue_usd_m, confidence, source_name, has_conflict from {table} "
        f"where {where} and revenue_usd_m is not null order by fiscal_year"
    )
    figure = go.Figure(
        go.Bar(
            x=[f"FY{r['fiscal_year']}" for r in rows],
            y=[r["revenue_usd_m"] for r in rows],
            marker={"color": "#76b900", "pattern": {"shape": [bar_pattern(r["confidence"]) for r in rows]}},
            customdata=[[r["confidence"], r["source_name"]] for r in rows],
            hovertemplate="%{x}: USD %{y:,.0f} m<br>%{customdata[0]}, %{customdata[1]}<extra></extra>",
            name=CHINA,
        )
    )
    figure.update_xaxes(type="category")
    figure.update_yaxes(title_text="USD millions", rangemode="tozero")
    chart.figure, chart.rows = layout(figure), len(rows)
    chart.sources, chart.as_of = s.provenance(table, where)
    chart.note = (
        "Revenue billed to customers in China and Hong Kong, from NVIDIA's 10-K geographic tables; "
        "years no filing in the warehouse covers are left out."
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
