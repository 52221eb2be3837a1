"""Share, NVIDIA's revenue and cost-efficiency: who is winning, and on what terms."""

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from serving.charts.base import Chart, Serving, dashboard_chart, iso, layout, marker_symbol, weakest
from serving.charts.revenue import CHINA_BILLING, CHINA_HEADQUARTERS, CHINA_LINES

BASELINE_CHIP = "NVIDIA H200 SXM"

GROUP_COLOURS = {"Domestic makers": "#d62728", "NVIDIA": "#76b900", "Other foreign": "#7f7f7f"}
ORIGIN_COLOURS = {"domestic": "#d62728", "foreign": "#8c96a5", "origin unknown": "#c9ccd2"}

SHARE_GROUP = (
    "case when vendor ilike 'nvidia%' then 'NVIDIA' when origin = 'domestic' then 'Domestic makers' "
    "else 'Other foreign' end"
)


@dashboard_chart(
    "share",
    "Domestic makers vs NVIDIA: share over time",
    "Who is winning share of the accelerators China and the world buy?",
    tables=("marts.market_share",),
)
def share_chart(s: Serving, chart: Chart, synthetic: bool) -> None:
    [table] = chart.tables
    # Each publisher's latest estimate of a period, side by side, never averaged.
    rows = s.rows(
        f"""
        with latest as (
            select * from {table} where share is not null
            qualify published_date = max(published_date) over (partition by market, basis, period, publisher)
        )
        select market, basis, period, {SHARE_GROUP} as grp, publisher as source_name, max(as_of) as as_of,
            sum(share) as share, sum(share_low) as share_low, sum(share_high) as share_high,
            list(distinct confidence) as confidences
        from latest
        group by all order by market, basis, period, grp, source_name
        """
    )
    for r in rows:
        r["confidence"] = weakest(*r["confidences"])
    panels = list(dict.fromkeys((r["market"], r["basis"]) for r in rows))
    # Two panels a row, one per market and basis.
    cols = min(max(len(panels), 1), 2)
    figure = make_subplots(
        rows=-(-max(len(panels), 1) // cols), cols=cols, subplot_titles=[f"{m}, by {b}" for m, b in panels]
    )
    for index, panel in enumerate(panels):
        row, col = index // cols + 1, index % cols + 1
        panel_rows = [r for r in rows if (r["market"], r["basis"]) == panel]
        for grp, publisher in dict.fromkeys((r["grp"], r["source_name"]) for r in panel_rows):
            points = [r for r in panel_rows if (r["grp"], r["source_name"]) == (grp, publisher)]
            error = None
            if any(p["share_low"] is not None for p in points):
                error = {
                    "type": "data",
                    "symmetric": False,
                    "array": [(p["share_high"] or p["share"]) - p["share"] for p in points],
                    "arrayminus": [p["share"] - (p["share_low"] or p["share"]) for p in points],
                }
            figure.add_trace(
                go.Scatter(
                    x=[p["period"] for p in points],
                    y=[p["share"] for p in points],
                    error_y=error,
                    mode="lines+markers",
                    name=f"{grp} ({publisher})",
                    legendgroup=grp,
                    line={"color": GROUP_COLOURS[grp]},
                    marker={"size": 10, "symbol": [marker_symbol(p["confidence"]) for p in points]},
                    customdata=[[p["confidence"], publisher, iso(p["as_of"])] for p in points],
                    hovertemplate=f"{grp} %{{x}}: %{{y:.1%}}<br>%{{customdata[0]}}, "
                    "%{customdata[1]} (as of %{customdata[2]})<extra></extra>",
                ),
                row=row,
                col=col,
            )
        figure.update_xaxes(type="category", row=row, col=col)
    figure.update_yaxes(tickformat=".0%", rangemode="tozero", title_text="share")
    chart.figure, chart.rows = layout(figure, height=200 + 260 * -(-max(len(panels), 1) // cols)), len(rows)
    chart.sources, chart.as_of = s.provenance(table)
    bases = {basis for _, basis in panels}
    chart.note = (
        "One line per group and publisher; publishers are never averaged. "
        + ("Bars: the publisher's estimate range. " if any(r["share_low"] is not None for r in rows) else "")
        + ("" if "revenue" in bases else "No source gives revenue by vendor yet.")
    )


@dashboard_chart(
    "revenue",
    "NVIDIA revenue by quarter: Data Center, the total and China",
    "How much does NVIDIA earn, and how much of it from data centres (and China)?",
    tables=("marts.nvidia_revenue",),
)
def nvidia_revenue_chart(s: Serving, chart: Chart, synthetic: bool) -> None:
    [table] = chart.tables
    lines = {"Data Center": "market", "Total": "total"} | dict.fromkeys(CHINA_LINES, "geography")
    where = (
        "fiscal_period like 'Q%' and revenue_usd_m is not null and ("
        + " or ".join(f"(line = '{line}' and line_type = '{kind}')" for line, kind in lines.items())
        + ")"
    )
    rows = s.rows(
        f"select fiscal_year, fiscal_quarter, line, revenue_usd_m, confidence, source_name, has_conflict "
        f"from {table} where {where} order by fiscal_year, fiscal_quarter"
    )
    figure = go.Figure()
    styles = {
        "Data Center": ("Data Center", go.Bar, {"marker_color": "#76b900"}),
        "Total": ("Total", go.Scatter, {"mode": "lines+markers"}),
        CHINA_BILLING: (
            CHINA_LINES[CHINA_BILLING],
            go.Scatter,
            {"mode": "lines+markers", "line": {"color": "#d62728"}},
        ),
        CHINA_HEADQUARTERS: (
            CHINA_LINES[CHINA_HEADQUARTERS],
            go.Scatter,
            {"mode": "lines+markers", "line": {"color": "#9467bd", "dash": "dot"}},
        ),
    }
    for line, (name, kind, style) in styles.items():
        points = [r for r in rows if r["line"] == line]
        figure.add_trace(
            kind(
                x=[f"Q{p['fiscal_quarter']} FY{p['fiscal_year'] % 100:02d}" for p in points],
                y=[p["revenue_usd_m"] for p in points],
                name=name,
                customdata=[[p["confidence"], p["source_name"]] for p in points],
                hovertemplate=f"{name} %{{x}}: USD %{{y:,.0f}} m<br>%{{customdata[0]}}, "
                "%{customdata[1]}<extra></extra>",
                **style,
            )
        )
    figure.update_xaxes(
        type="category",
        categoryorder="array",
        categoryarray=sorted(
            {f"Q{r['fiscal_quarter']} FY{r['fiscal_year'] % 100:02d}" for r in rows},
            key=lambda label: (label[-2:], label[:2]),
        ),
    )
    figure.update_yaxes(title_text="USD millions", rangemode="tozero")
    chart.figure, chart.rows = layout(figure), len(rows)
    chart.sources, chart.as_of = s.provenance(table, where)
    chart.note = (
        "Each quarter's chosen figure (filings first, then NVIDIA's releases, then press); Data Center "
        "is one series across the Q1 FY27 change; China's part is shown for the quarters a filing "
        "discloses it, by billing location and by customer headquarters (two bases that do not compare)."
    )


@dashboard_chart(
    "cost",
    "Cost-efficiency of every chip with a price and a power figure",
    "What does compute cost on each chip, per watt and per dollar, against the H200?",
    tables=("marts.chip_cost_efficiency",),
)
def cost_chart(s: Serving, chart: Chart, synthetic: bool) -> None:
    [table] = chart.tables
    rows = s.rows(
        f"""
        select chip_name, coalesce(origin, 'origin unknown') as origin, tflops_per_kw,
            tflops_per_kusd_modelled, modelled_price_source,
            confidence as spec_confidence, modelled_price_confidence
        from {table} where tflops_per_kw is not null order by origin, chip_name
        """
    )
    for r in rows:
        r["confidence"] = weakest(r["spec_confidence"], r["modelled_price_confidence"])
    priced = [r for r in rows if r["tflops_per_kusd_modelled"] is not None]
    figure = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.72, 0.28],
        shared_yaxes=True,
        subplot_titles=["with a price", "with a power figure only"],
    )
    shown = set()
    for origin, colour in ORIGIN_COLOURS.items():
        for col, points in ((1, priced), (2, [r for r in rows if r["tflops_per_kusd_modelled"] is None])):
            points = [p for p in points if p["origin"] == origin]
            figure.add_trace(
                go.Scatter(
                    x=[p["tflops_per_kusd_modelled"] for p in points] if col == 1 else [origin] * len(points),
                    y=[p["tflops_per_kw"] for p in points],
                    mode="markers+text" if col == 1 else "markers",
                    # Labels for the domestic chips and the baseline; every other chip on hover.
                    text=[
                        p["chip_name"] if origin == "domestic" or p["chip_name"] == BASELINE_CHIP else ""
                        for p in points
                    ]
                    if col == 1
                    else None,
                    textposition="top center",
                    textfont={"size": 9, "color": colour},
                    name=origin,
                    legendgroup=origin,
                    showlegend=origin not in shown and bool(points),
                    marker={
                        "size": 11 if origin == "domestic" else 8,
                        "color": colour,
                        "symbol": [marker_symbol(p["confidence"]) for p in points],
                        "line": {"width": 1.5, "color": colour},
                    },
                    customdata=[
                        [
                            p["chip_name"],
                            p["spec_confidence"],
                            p["modelled_price_source"] or "no price",
                            p["modelled_price_confidence"] or "-",
                        ]
                        for p in points
                    ],
                    hovertemplate="%{customdata[0]}<br>%{y:.0f} TFLOPS per kW (specs %{customdata[1]})"
                    + ("<br>%{x:.1f} TFLOPS per USD 1,000" if col == 1 else "")
                    + "<br>price: %{customdata[2]} (%{customdata[3]})<extra></extra>",
                ),
                row=1,
                col=col,
            )
            shown |= {origin} if points else set()
    baseline = next((r for r in rows if r["chip_name"] == BASELINE_CHIP), None)
    if baseline:
        line = {"y": baseline["tflops_per_kw"], "line": {"dash": "dot", "color": "#76b900"}, "row": 1}
        figure.add_hline(**line, col=1, annotation_text="H200 baseline", annotation_position="bottom right")
        figure.add_hline(**line, col=2)
        if baseline["tflops_per_kusd_modelled"] is not None:
            figure.add_vline(
                x=baseline["tflops_per_kusd_modelled"], line={"dash": "dot", "color": "#76b900"}, row=1, col=1
            )
    figure.update_xaxes(
        title_text="dense BF16 TFLOPS per USD 1,000 (modelled price)",
        type="log",
        tickvals=[1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
        row=1,
        col=1,
    )
    figure.update_yaxes(title_text="dense BF16 TFLOPS per kW of TDP", row=1, col=1)
    chart.figure, chart.rows = layout(figure, height=480), len(rows)
    chart.sources, chart.as_of = s.provenance(table, "tflops_per_kw is not null")
    [unknown] = s.rows(f"select count(*) as n from {table} where tflops_per_kw is null")
    chart.note = (
        f"{len(priced)} chips with a price and a power figure, {len(rows) - len(priced)} with a power figure "
        f"only; {unknown['n']} chips without a power figure are not shown. Red: domestic makers. "
        f"Dotted: the {BASELINE_CHIP}"
        + ("" if baseline and baseline["tflops_per_kusd_modelled"] is not None else " (no price on file)")
        + ". The weaker of the specs' and the price's confidence sets the marker."
    )
