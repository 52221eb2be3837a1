"""Export controls, the article's claims and data-centre compliance."""

from datetime import datetime

import plotly.graph_objects as go

from serving.charts.base import Chart, Serving, dashboard_chart, iso, layout, marker_symbol

# The chips the export-control chart follows, in this order, where the mart has them.
MAIN_CHIPS = (
    "NVIDIA A100 SXM 80GB",
    "NVIDIA A800 SXM 80GB",
    "NVIDIA H100 SXM5",
    "NVIDIA H800 SXM5",
    "NVIDIA H20",
    "NVIDIA H200 SXM",
    "NVIDIA B200",
    "NVIDIA L20",
    "NVIDIA GeForce RTX 4090",
    "AMD Instinct MI308X",
    "Huawei Ascend 910B",
    "Huawei Ascend 910C",
    "Cambricon MLU590",
)

LICENCE_COLOURS = {
    "not controlled": "#9ecae1",
    "case-by-case": "#fdae6b",
    "licence required": "#e6550d",
    "prohibited": "#7f0000",
    "undecided": "#d9d9d9",
}
VERDICT_COLOURS = {
    "supported": "#d9f0d3",
    "partly supported": "#fff2b3",
    "contradicted": "#f4c7c3",
    "misattributed": "#f4c7c3",
    "unverified": "#eeeeee",
    "model": "#dde7f5",
}


@dashboard_chart(
    "export",
    "Export-control status of the main chips, month by month",
    "What licence does a sale of each chip to China need, and since when?",
    tables=(
        "marts.export_control_status",
        "staging.stg_reference__export_control_rules",
        "staging.stg_reference__policy_events",
    ),
)
def export_chart(s: Serving, chart: Chart, synthetic: bool) -> None:
    table, rules, events = chart.tables
    rows = s.rows(
        f"""
        select chip_name, month, coalesce(china_licence_status, 'undecided') as status, eccn_class,
            decided_by, decision_note, confidence
        from {table} where chip_name in ? order by month
        """,
        [list(MAIN_CHIPS)],
    )
    [evidence] = s.rows(
        f"select max(as_of) as last from (select as_of from {rules} union all select as_of from {events})"
    )
    figure = go.Figure()
    for status, colour in LICENCE_COLOURS.items():
        points = [r for r in rows if r["status"] == status]
        figure.add_trace(
            go.Scatter(
                x=[p["month"] for p in points],
                y=[p["chip_name"] for p in points],
                mode="markers",
                name=status,
                marker={
                    "symbol": [marker_symbol(p["confidence"], "square") for p in points],
                    "size": 9,
                    "color": colour,
                    "line": {"width": 1, "color": colour},
                },
                customdata=[
                    [
                        p["eccn_class"] or "undecided",
                        p["decided_by"] or "-",
                        p["decision_note"] or "",
                        p["confidence"],
                    ]
                    for p in points
                ],
                hovertemplate="%{y}, %{x|%Y-%m}: "
                + status
                + "<br>ECCN %{customdata[0]}, decided by %{customdata[1]} (%{customdata[3]})"
                "<br>%{customdata[2]}<extra></extra>",
            )
        )
    chips = [chip for chip in MAIN_CHIPS if any(r["chip_name"] == chip for r in rows)]
    figure.update_yaxes(categoryorder="array", categoryarray=list(reversed(chips)))
    if evidence["last"] is not None:
        last = datetime.combine(evidence["last"], datetime.min.time())
        figure.add_vline(x=last.timestamp() * 1000, line={"dash": "dash", "color": "#333"})
        figure.add_annotation(
            x=last, y=1.02, yref="paper", text=f"evidence ends {iso(last)}", showarrow=False, xanchor="left"
        )
    chart.figure, chart.rows = layout(figure, height=460), len(rows)
    chart.sources, chart.as_of = s.provenance(table, "chip_name in ('" + "', '".join(MAIN_CHIPS) + "')")
    chart.note = (
        f"The newest rule or policy event on file is dated {iso(evidence['last'])}: months after the dashed "
        "line carry the last known status forward, they are not observed. Open squares: the deciding "
        "measure's figure is estimated or claimed."
    )


@dashboard_chart(
    "claims",
    "The article's claims and what the data says",
    "Which figures circulating in the press does the warehouse support?",
    tables=("marts.claims_check",),
    wide=True,
)
def claims_chart(s: Serving, chart: Chart, synthetic: bool) -> None:
    [table] = chart.tables
    rows = s.rows(
        f"""
        select claim_id, claim_en, claimed_value, claimed_unit, held_value, held_unit, verdict,
            held_detail, evidence_source_name, evidence_as_of, evidence_confidence
        from {table} order by cast(substr(claim_id, 2) as integer), claim_id
        """
    )

    def figure_text(value, unit) -> str:
        return "-" if value is None else f"{value:,.4g} {unit or ''}".strip()

    columns = {
        "claim": [r["claim_id"] for r in rows],
        "what the article says": [r["claim_en"] for r in rows],
        "claimed": [figure_text(r["claimed_value"], r["claimed_unit"]) for r in rows],
        "held": [figure_text(r["held_value"], r["held_unit"]) for r in rows],
        "verdict": [r["verdict"] for r in rows],
        "evidence": [
            f"{r['evidence_source_name'] or 'no evidence row'} ({r['evidence_confidence'] or '-'}, "
            f"{iso(r['evidence_as_of']) or 'no date'})"
            for r in rows
        ],
    }
    fill = [VERDICT_COLOURS.get(r["verdict"], "#ffffff") for r in rows]
    figure = go.Figure(
        go.Table(
            columnwidth=[30, 420, 70, 70, 70, 220],
            header={"values": list(columns), "fill_color": "#e8ebf0", "align": "left"},
            cells={
                "values": list(columns.values()),
                "fill_color": [["#ffffff"] * len(rows)] * 4 + [fill] + [["#ffffff"] * len(rows)],
                "align": "left",
                "height": 24,
            },
        )
    )
    # Table rows grow with their wrapped text: about 95 characters a line for the claim, 40 for the evidence.
    lines = sum(
        max(-(-len(c) // 95), -(-len(e) // 40), 1)
        for c, e in zip(columns["what the article says"], columns["evidence"], strict=True)
    )
    chart.figure, chart.rows = layout(figure, height=90 + 16 * lines + 12 * len(rows)), len(rows)
    chart.sources, chart.as_of = s.provenance(table, source="evidence_source_name", as_of="evidence_as_of")
    chart.note = "Evidence: the row the verdict rests on, with its confidence and as-of date."


@dashboard_chart(
    "compliance",
    "Data-centre compliance: domestic-card share against the share required",
    "Does each data centre meet the domestic-chip share its sector must meet?",
    tables=("marts.datacenter_compliance",),
)
def compliance_chart(s: Serving, chart: Chart, synthetic: bool) -> None:
    [table] = chart.tables
    where = "domestic_share_cards is not null" + ("" if synthetic else " and dataset <> 'synthetic'")
    rows = s.rows(
        f"""
        select datacenter_id, datacenter_name, dataset, sector, domestic_share_cards, required_share,
            requirement_confidence, compliant, shortfall_cards
        from {table} where {where} order by shortfall_cards desc nulls last, datacenter_id limit 25
        """
    )
    [excluded] = s.rows(f"select count(*) as n from {table} where dataset = 'synthetic'")
    figure = go.Figure()
    for dataset in dict.fromkeys(r["dataset"] for r in rows):
        points = [r for r in rows if r["dataset"] == dataset]
        label = "synthetic (generated, not observed)" if dataset == "synthetic" else dataset
        figure.add_trace(
            go.Bar(
                x=[p["domestic_share_cards"] for p in points],
                y=[f"{p['datacenter_id']} {p['datacenter_name']}" for p in points],
                orientation="h",
                name=label,
                marker={"color": "#bbbbbb" if dataset == "synthetic" else "#d62728"},
                customdata=[[p["sector"], p["shortfall_cards"]] for p in points],
                hovertemplate="%{y} (%{customdata[0]}): %{x:.0%} domestic, %{customdata[1]} cards short"
                "<extra>" + label + "</extra>",
            )
        )
    required = [r for r in rows if r["required_share"] is not None]
    figure.add_trace(
        go.Scatter(
            x=[r["required_share"] for r in required],
            y=[f"{r['datacenter_id']} {r['datacenter_name']}" for r in required],
            mode="markers",
            name="required share",
            marker={
                "symbol": [marker_symbol(r["requirement_confidence"], "diamond-tall") for r in required],
                "size": 12,
                "line": {"width": 1.5, "color": "#000"},
            },
            customdata=[[r["requirement_confidence"]] for r in required],
            hovertemplate="required %{x:.0%} (%{customdata[0]})<extra></extra>",
        )
    )
    figure.update_xaxes(tickformat=".0%", range=[0, 1.05])
    figure.update_yaxes(automargin=True)
    chart.figure, chart.rows = layout(figure, height=140 + 22 * len(rows)), len(rows)
    chart.sources, chart.as_of = s.provenance(table, where)
    chart.note = (
        f"Synthetic rows shown, in grey and named so ({excluded['n']} generated data centres, not facts). "
        if synthetic
        else f"Synthetic data centres are off ({excluded['n']} rows; `chipwatch dashboard --synthetic`). "
    ) + "Observed (Epoch AI) data centres do not name their chips, so their share is unknown."
