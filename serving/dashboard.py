"""A self-contained, offline HTML dashboard built from the serving file.

Python reads the marts into small JSON payloads; inline JavaScript draws each chart as SVG (no
CDN, no external file). Each chart names its source tables, the `source_name`s of the rows it
draws and their `as_of` range. The marts are still changing, so every reader here checks which
tables and columns exist and falls back to a staging table where a mart is not built yet.
After drawing, each chart's element carries `data-drawn` ("true", "empty" or "error") and
`data-marks` (the number of SVG marks), and `<body>` carries `data-charts-drawn`.
"""

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from html import escape
from pathlib import Path

import duckdb

# The drawing code, inlined into the page so that it works offline.
SCRIPT = Path(__file__).with_name("dashboard.js")

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


@dataclass
class Chart:
    id: str
    title: str
    kind: str
    tables: list[str]
    rows: list[dict] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    as_of: tuple[str | None, str | None] = (None, None)
    note: str = ""
    axes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class WrittenDashboard:
    path: Path
    charts: dict[str, int]


class Serving:
    """Read-only access to the serving file, with the little introspection the charts need."""

    def __init__(self, path: Path):
        # An in-memory database with the file attached read-only: this never conflicts with
        # another connection to the same file in this process, whatever its configuration.
        self.con = duckdb.connect()
        self.con.execute(f"attach '{str(path).replace(chr(39), chr(39) * 2)}' as serving (read_only)")
        self.con.execute("use serving")

    def close(self) -> None:
        self.con.close()

    def columns(self, table: str) -> list[str]:
        schema, name = table.split(".")
        return [
            row[0]
            for row in self.con.execute(
                "select column_name from duckdb_columns() where database_name = 'serving' "
                "and schema_name = ? and table_name = ? order by column_index",
                [schema, name],
            ).fetchall()
        ]

    def has(self, table: str) -> bool:
        return bool(self.columns(table))

    def rows(self, sql: str, params=None) -> list[dict]:
        result = self.con.execute(sql, params or [])
        names = [d[0] for d in result.description]
        return [
            {
                name: None if isinstance(v, float) and not math.isfinite(v) else v
                for name, v in zip(names, row, strict=True)
            }
            for row in result.fetchall()
        ]

    def provenance(self, table: str, where: str = "true") -> tuple[list[str], tuple[str | None, str | None]]:
        columns = self.columns(table)
        sources, as_of = [], (None, None)
        if "source_name" in columns:
            sources = [
                r["source_name"]
                for r in self.rows(
                    f"select distinct source_name from {table} where {where} and source_name is not null "
                    "order by 1"
                )
            ]
        if "as_of" in columns:
            [row] = self.rows(f"select min(as_of) as lo, max(as_of) as hi from {table} where {where}")
            as_of = (_iso(row["lo"]), _iso(row["hi"]))
        return sources, as_of


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat()[:10] if isinstance(value, date | datetime) else str(value)


def _first(columns: list[str], *candidates: str) -> str | None:
    """The first column that equals, else contains, one of the candidates."""
    for candidate in candidates:
        if candidate in columns:
            return candidate
    for candidate in candidates:
        for column in columns:
            if candidate in column:
                return column
    return None


def share_chart(s: Serving) -> Chart:
    chart = Chart(
        "share",
        "Domestic makers vs NVIDIA: share of accelerators",
        "stacked",
        ["marts.market_share"],
        axes={"y": "share"},
    )
    if not s.has("marts.market_share"):
        chart.note = "marts.market_share is not in the serving file yet."
        return chart
    chart.rows = s.rows(
        """
        select period, market, basis,
            case when vendor ilike 'nvidia%' then 'NVIDIA'
                 when origin = 'domestic' then 'Domestic makers'
                 else 'Other foreign' end as grp,
            sum(share) as share
        from marts.market_share
        where share is not null
            and (market = 'China' or not exists (select 1 from marts.market_share where market = 'China'))
        group by all
        order by market, basis, period, grp
        """
    )
    chart.sources, chart.as_of = s.provenance("marts.market_share", "market = 'China'")
    if not chart.sources:
        chart.sources, chart.as_of = s.provenance("marts.market_share")
    chart.note = "China's market where the mart has it, by basis and period."
    return chart


def cost_chart(s: Serving) -> Chart:
    chart = Chart(
        "cost",
        "Cost-efficiency: TFLOPS per kW against TFLOPS per USD 1,000",
        "scatter",
        ["marts.chip_cost_efficiency"],
        axes={"x": "BF16 TFLOPS per USD 1,000 of price", "y": "BF16 TFLOPS per kW of TDP"},
    )
    if not s.has("marts.chip_cost_efficiency"):
        chart.note = "marts.chip_cost_efficiency is not in the serving file yet."
        return chart
    where = "tflops_per_kw is not null and tflops_per_kusd is not null"
    # Main chips first, then domestic ones: they get a label where labels would collide.
    chart.rows = s.rows(
        f"select chip_name as label, vendor, origin, tflops_per_kusd as x, tflops_per_kw as y "
        f"from marts.chip_cost_efficiency where {where} "
        "order by chip_name in ? desc, origin = 'domestic' desc, chip_name",
        [list(MAIN_CHIPS)],
    )
    [row] = s.rows(f"select count(*) as n from marts.chip_cost_efficiency where not ({where})")
    chart.note = f"{row['n']} chips without a known price or power figure are not shown."
    chart.sources, chart.as_of = s.provenance("marts.chip_cost_efficiency", where)
    return chart


def _months(start: date, end: date) -> list[date]:
    months, current = [], date(start.year, start.month, 1)
    while current <= end:
        months.append(current)
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    return months


def _segments(by_month: dict[str, list[tuple[date, str, str]]]) -> list[dict]:
    """Merge consecutive months with the same status into one bar per run."""
    segments = []
    for chip, months in by_month.items():
        for month, status, detail in sorted(months):
            last = segments[-1] if segments else None
            if last and last["chip"] == chip and last["status"] == status and last["detail"] == detail:
                last["end"] = _iso(month)
                last["months"] += 1
                continue
            segments.append(
                {"chip": chip, "start": _iso(month), "end": _iso(month), "status": status}
                | {"detail": detail, "months": 1}
            )
    return segments


def export_chart(s: Serving, today: date | None = None) -> Chart:
    table = "marts.export_control_status"
    chart = Chart(
        "export",
        "Export-control status of the main chips over time (ECCN 3A090 class)",
        "timeline",
        [table],
    )
    columns = s.columns(table)
    if not columns:
        chart.note = f"{table} is not in the serving file yet."
        return chart
    chips = [r["chip_name"] for r in s.rows(f"select distinct chip_name from {table}")]
    main = [chip for chip in MAIN_CHIPS if chip in chips] or sorted(chips)[:12]
    today = today or datetime.now(UTC).date()
    by_month: dict[str, list[tuple[date, str, str]]] = {chip: [] for chip in main}
    status_of = "coalesce(eccn_class, 'undecided')"
    if "month" in columns:
        # One row per chip and month (the mart extended to time): colour by the China licence
        # status where the mart has it, else by the ECCN class.
        licence = _first(columns, "china_licence_status", "licence_status", "license_status")
        status, detail = (
            (f"coalesce({licence}, 'unknown')", f"'ECCN ' || {status_of}")
            if licence
            else (status_of, "rule_id" if "rule_id" in columns else "''")
        )
        month = (
            "coalesce(try_cast(month as date), cast(try_strptime(cast(month as varchar), '%Y-%m') as date))"
        )
        for r in s.rows(
            f"select chip_name, {month} as month, {status} as status, "
            f"coalesce(cast({detail} as varchar), '') as detail from {table} where chip_name in ?",
            [main],
        ):
            if r["month"] is not None:
                by_month[r["chip_name"]].append((r["month"], r["status"], r["detail"]))
        chart.title = (
            "Export-control status of the main chips over time (China licence status)"
            if licence
            else chart.title
        )
        chart.note = (
            "Colour: the China licence status that month; hover a bar for the ECCN class."
            if licence
            else "Colour: the ECCN class that month."
        )
    elif {"rule_id", "rule_effective_date"} <= set(columns):
        # One row per chip and rule version: the class holds from the rule's effective date
        # until a later rule takes effect or the rule is rescinded.
        rescinded = "rule_rescinded_date" if "rule_rescinded_date" in columns else "null::date"
        rows = s.rows(
            f"select chip_name, rule_id, rule_effective_date as effective, {rescinded} as rescinded, "
            f"{status_of} as status from {table} where chip_name in ? and rule_effective_date is not null",
            [main],
        )
        if rows:
            start = min(r["effective"] for r in rows)
            for month in _months(start, today):
                in_force = [
                    r
                    for r in rows
                    if r["effective"] <= month and (r["rescinded"] is None or r["rescinded"] > month)
                ]
                for chip in main:
                    latest = [r for r in in_force if r["chip_name"] == chip]
                    if latest:
                        rule = max(latest, key=lambda r: r["effective"])
                        by_month[chip].append((month, rule["status"], f"rule {rule['rule_id']}"))
        chart.note = (
            "Colour: ECCN class under the rule version in force that month (from its effective date)."
        )
    else:
        chart.note = (
            f"{table} has neither a month nor a rule_effective_date column: nothing to place in time."
        )
        return chart
    chart.rows = _segments(by_month)
    chart.axes = {"chips": [chip for chip in main if by_month[chip]], "today": _iso(today)}
    chart.sources, chart.as_of = s.provenance(table)
    return chart


def compliance_chart(s: Serving) -> Chart:
    table = "marts.datacenter_compliance"
    chart = Chart(
        "compliance",
        "Data-centre compliance: domestic-chip share against the share required",
        "bullet",
        [table],
        axes={"x": "domestic share of cards"},
    )
    columns = s.columns(table)
    label = _first(columns, "datacenter_name", "datacenter", "data_centre", "facility", "site", "name")
    observed = _first(columns, "domestic_share_cards", "domestic_share_units", "domestic_share")
    required = _first(columns, "required_share", "required_domestic_share", "min_domestic_share", "required")
    if columns and label and observed:
        compliant = _first(columns, "compliant", "is_compliant")
        sector = _first(columns, "sector")
        shortfall = _first(columns, "shortfall_cards", "shortfall")
        order = f"{shortfall} desc nulls last, " if shortfall else ""
        status = (
            f"case when {compliant} then 'compliant' when not {compliant} then 'not compliant' "
            "else 'no requirement' end"
            if compliant
            else "null"
        )
        chart.rows = s.rows(
            f"""
            select cast({label} as varchar) as label,
                {f"cast({sector} as varchar)" if sector else "null"} as "group",
                {observed} as value,
                {required if required else "null"} as target,
                {status} as status
            from {table}
            where {observed} is not null
            order by {order} label
            limit 20
            """
        )
        [count] = s.rows(f"select count(*) as n from {table}")
        note = f"{min(count['n'], 20)} of {count['n']} data centres shown (largest shortfall first)"
        if "dataset" in columns:
            [synthetic] = s.rows(f"select count(*) as n from {table} where dataset = 'synthetic'")
            note += f"; {synthetic['n']} rows are synthetic (dataset = 'synthetic'), not facts"
        chart.note = note + ". Tick: the share the sector must meet."
        chart.sources, chart.as_of = s.provenance(table)
        return chart
    # Fallback until the mart exists: the policy requirements against China's domestic share.
    policies, shares = "staging.stg_reference__policy_events", "marts.market_share"
    chart.tables = [policies, shares]
    if not (s.has(policies) and s.has(shares)):
        chart.note = f"Neither {table} nor {policies} with {shares} is in the serving file yet."
        return chart
    share_rows = s.rows(
        f"""
        select period, sum(share) filter (where origin = 'domestic') as domestic
        from {shares} where market = 'China' and basis = 'units'
        group by period order by period desc limit 1
        """
    )
    if not share_rows:
        chart.note = "No China unit shares to compare the requirements with."
        return chart
    chart.rows = s.rows(
        f"""
        select coalesce(sector, 'all') || ' (' || event_id || ', ' || confidence || ')' as label,
            sector as "group", ? as value, min_domestic_share as target,
            case when ? >= min_domestic_share then 'meets' else 'below' end as status
        from {policies}
        where min_domestic_share is not null and share_basis ilike '%domestic chips%'
        order by event_date, event_id
        """,
        [share_rows[0]["domestic"], share_rows[0]["domestic"]],
    )
    where = "min_domestic_share is not null and share_basis ilike '%domestic chips%'"
    policy_sources, policy_as_of = s.provenance(policies, where)
    share_sources, share_as_of = s.provenance(shares, "market = 'China'")
    chart.sources = sorted(set(policy_sources) | set(share_sources))
    dates = [d for d in (*policy_as_of, *share_as_of) if d]
    chart.as_of = (min(dates), max(dates)) if dates else (None, None)
    chart.note = (
        f"{table} is not built yet: each bar is China's domestic share of accelerator units in "
        f"{share_rows[0]['period']} against a policy's required share (tick), not a single data centre."
    )
    return chart


def ipo_chart(s: Serving) -> Chart:
    chart = Chart(
        "ipo", "IPO first-day returns of the chip makers", "bars", [], axes={"x": "first-day return"}
    )
    mart, staging = "marts.ipo_performance", "staging.stg_reference__funding_events"
    columns = s.columns(mart)
    company = _first(columns, "company", "issuer", "name")
    ret = _first(columns, "first_day_return", "first_day_close_return", "day_one_return")
    if columns and company and ret:
        when = _first(columns, "listing_date", "event_date", "ipo_date", "date")
        table, where = mart, f"{ret} is not null"
    elif s.has(staging):
        table, company, ret, when = staging, "company", "first_day_return", "event_date"
        where = "event_type = 'ipo' and first_day_return is not null"
        chart.note = f"{mart} is not built yet: read from {staging}."
    else:
        chart.note = f"Neither {mart} nor {staging} is in the serving file yet."
        return chart
    chart.tables = [table]
    exchange = "exchange" if "exchange" in s.columns(table) else None
    label = f"{company}"
    if exchange:
        label += f" || ' (' || coalesce({exchange}, '?')"
        label += f" || coalesce(', ' || cast({when} as varchar), '') || ')'" if when else " || ')'"
    chart.rows = s.rows(
        f"select {label} as label, {ret} as value from {table} where {where} "
        f"order by {when + ' desc' if when else 'value desc'}"
    )
    chart.sources, chart.as_of = s.provenance(table, where)
    return chart


def published(s: Serving) -> dict:
    if not s.has("meta.published"):
        return {}
    [row] = s.rows("select published_at, run_id from meta.published")
    return {
        "published_at": row["published_at"].isoformat(timespec="seconds") + " UTC",
        "run_id": row["run_id"],
    }


def build_charts(path: Path, today: date | None = None) -> tuple[list[Chart], dict]:
    s = Serving(path)
    try:
        charts = [share_chart(s), cost_chart(s), export_chart(s, today), compliance_chart(s), ipo_chart(s)]
        return charts, published(s)
    finally:
        s.close()


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)
    return _iso(value)


def _json_for_script(payload) -> str:
    text = json.dumps(payload, default=_json_default, ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _provenance_html(chart: Chart) -> str:
    tables = ", ".join(f"<code>{escape(t)}</code>" for t in chart.tables) or "none"
    sources = "; ".join(escape(source) for source in chart.sources) or "no source_name on these rows"
    lo, hi = chart.as_of
    as_of = "unknown" if not lo else (lo if lo == hi else f"{lo} to {hi}")
    return (
        f'<p class="provenance">Table: {tables}. Sources: {sources}. '
        f'As of: <span class="as-of">{escape(as_of)}</span>.</p>'
    )


def render_html(charts: list[Chart], publish: dict) -> str:
    sections = []
    for chart in charts:
        sections.append(
            f'<section class="chart" id="chart-{chart.id}" data-chart="{chart.id}" data-drawn="pending">'
            f"<h2>{escape(chart.title)}</h2>"
            f'<div class="plot"></div>'
            f'<p class="note">{escape(chart.note)}</p>'
            f"{_provenance_html(chart)}</section>"
        )
    payload = [{"id": c.id, "kind": c.kind, "rows": c.rows, "axes": c.axes, "note": c.note} for c in charts]
    stamp = (
        f"Published {escape(publish['published_at'])} from run <code>{escape(publish['run_id'])}</code>"
        if publish
        else "Publish time unknown (no meta.published table)"
    )
    return (
        TEMPLATE.replace("__STAMP__", stamp)
        .replace("__SECTIONS__", "\n".join(sections))
        .replace("__DATA__", _json_for_script(payload))
        .replace("__SCRIPT__", SCRIPT.read_text(encoding="utf-8"))
    )


def write_dashboard(serving: Path | str, out: Path | str, today: date | None = None) -> WrittenDashboard:
    """Render the dashboard from `serving` into `out` (written to a temp file, then renamed)."""
    charts, publish = build_charts(Path(serving), today)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.write_text(render_html(charts, publish), encoding="utf-8")
    temporary.replace(out)
    return WrittenDashboard(path=out, charts={c.id: len(c.rows) for c in charts})


TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chipwatch: NVIDIA and China's domestic AI chips</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
         background: #f6f7f9; color: #1d2330; }
  header { padding: 18px 28px 8px; }
  header h1 { margin: 0 0 4px; font-size: 22px; }
  header p { margin: 0; color: #555e6e; }
  main { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px;
         padding: 12px 28px 28px; }
  .chart { background: #fff; border: 1px solid #dde1e8; border-radius: 8px; padding: 12px 16px; }
  .chart h2 { font-size: 15px; margin: 0 0 8px; }
  .plot svg { width: 100%; height: auto; display: block; }
  .note, .provenance { font-size: 12px; color: #555e6e; margin: 6px 0 0; }
  .provenance { color: #6b7383; }
  .empty { padding: 40px 0; text-align: center; color: #8a93a3; }
  svg text { font: 11px system-ui, sans-serif; fill: #3a4150; }
  svg .axis line, svg .axis path { stroke: #b9c0cc; }
  svg .grid { stroke: #eceff3; }
  .legend span { display: inline-block; margin-right: 12px; font-size: 12px; }
  .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; }
</style>
</head>
<body data-charts-drawn="0">
<header>
  <h1>chipwatch: NVIDIA and China's domestic AI-chip makers</h1>
  <p>__STAMP__. Every figure names its source; estimated and claimed figures are labelled so
  in the marts.</p>
</header>
<main>
__SECTIONS__
</main>
<script type="application/json" id="chart-data">__DATA__</script>
<script>
__SCRIPT__
</script>
</body>
</html>
"""
