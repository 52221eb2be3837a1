"""Funding rounds and listings of the domestic chip makers."""

import plotly.graph_objects as go

from serving.charts.base import Chart, Serving, bar_pattern, dashboard_chart, iso, layout


@dashboard_chart(
    "funding",
    "Money raised by the domestic chip makers, USD",
    "Who raised how much, and when?",
    tables=("marts.funding_summary",),
)
def funding_chart(s: Serving, chart: Chart, synthetic: bool) -> None:
    [table] = chart.tables
    rows = s.rows(
        f"""
        select company, year, stage, currency, amount_raised, amount_raised_usd, fx_rate_date, confidence
        from {table} where amount_raised_usd is not null order by year, company
        """
    )
    figure = go.Figure()
    for stage in dict.fromkeys(r["stage"] for r in rows):
        points = [r for r in rows if r["stage"] == stage]
        figure.add_trace(
            go.Bar(
                x=[p["amount_raised_usd"] / 1e6 for p in points],
                y=[p["company"] for p in points],
                orientation="h",
                name=stage,
                text=[str(p["year"]) for p in points],
                marker={"pattern": {"shape": [bar_pattern(p["confidence"]) for p in points]}},
                customdata=[
                    [
                        p["year"],
                        f"{p['amount_raised']:,.0f} {p['currency']}",
                        iso(p["fx_rate_date"]),
                        p["confidence"],
                    ]
                    for p in points
                ],
                hovertemplate="%{y} %{customdata[0]} ("
                + stage
                + "): USD %{x:,.0f} m<br>%{customdata[1]} at the %{customdata[2]} rate"
                "<br>%{customdata[3]}<extra></extra>",
            )
        )
    figure.update_layout(barmode="stack")
    figure.update_xaxes(title_text="USD millions (at the rate of the event's month)")
    chart.figure, chart.rows = layout(figure), len(rows)
    chart.sources, chart.as_of = s.provenance(table, "amount_raised_usd is not null")
    [undisclosed] = s.rows(f"select count(*) as n from {table} where amount_raised_usd is null")
    chart.note = (
        f"One segment per year and stage, labelled with the year; hatched: estimated (/) or claimed (x). "
        f"{undisclosed['n']} groups with no disclosed amount are not shown."
    )


@dashboard_chart(
    "ipo",
    "IPO first-day returns of the chip makers",
    "How did the listings trade on day one?",
    tables=("marts.ipo_performance",),
)
def ipo_chart(s: Serving, chart: Chart, synthetic: bool) -> None:
    [table] = chart.tables
    where = "first_day_return is not null"
    rows = s.rows(
        f"""
        select company, exchange, listing_date, first_day_return, offer_price, first_day_close, currency,
            oversubscription, proceeds_usd, confidence
        from {table} where {where} order by listing_date
        """
    )
    figure = go.Figure(
        go.Bar(
            x=[f"{r['company']} ({r['exchange']}, {iso(r['listing_date'])})" for r in rows],
            y=[r["first_day_return"] for r in rows],
            marker={"color": "#d62728", "pattern": {"shape": [bar_pattern(r["confidence"]) for r in rows]}},
            customdata=[
                [
                    f"{r['offer_price']} -> {r['first_day_close']} {r['currency']}",
                    "-" if r["oversubscription"] is None else f"{r['oversubscription']:,.0f}x",
                    "-" if r["proceeds_usd"] is None else f"{r['proceeds_usd'] / 1e6:,.0f}",
                    r["confidence"],
                ]
                for r in rows
            ],
            hovertemplate="%{x}: %{y:+.0%}<br>offer -> close %{customdata[0]}<br>retail oversubscription "
            "%{customdata[1]}, proceeds USD %{customdata[2]} m (%{customdata[3]})<extra></extra>",
        )
    )
    figure.update_yaxes(tickformat="+.0%", title_text="first-day close over offer price")
    chart.figure, chart.rows = layout(figure), len(rows)
    chart.sources, chart.as_of = s.provenance(table, where)
    [without] = s.rows(f"select count(*) as n from {table} where not ({where})")
    chart.note = f"{without['n']} listings without a first-day close on file are not shown."
