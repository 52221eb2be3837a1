"""The offline HTML dashboard: the charts of `serving.charts` on one page, built from the serving file.

plotly.js is inlined once into the page, so the file opens without a network. Markers and bars say
how sure a figure is: filled for reported or derived, open for estimated, open with a dot (or
hatched bars) for claimed. Synthetic rows are left out unless `synthetic=True`, and are labelled
where shown.
"""

from dataclasses import dataclass
from html import escape
from pathlib import Path

import plotly.io as pio
from plotly.offline import get_plotlyjs

from serving.charts import CHARTS
from serving.charts.base import Chart, Serving

PLOT_CONFIG = {"displaylogo": False, "responsive": True}


@dataclass(frozen=True)
class WrittenDashboard:
    path: Path
    charts: dict[str, int]


def published(s: Serving) -> dict:
    if not s.has("meta.published"):
        return {}
    [row] = s.rows("select published_at, run_id from meta.published")
    return {
        "published_at": row["published_at"].isoformat(timespec="seconds") + " UTC",
        "run_id": row["run_id"],
    }


def build_charts(path: Path, synthetic: bool = False) -> tuple[list[Chart], dict]:
    s = Serving(path)
    try:
        return [chart(s, synthetic) for chart in CHARTS], published(s)
    finally:
        s.close()


def _provenance_html(chart: Chart) -> str:
    tables = ", ".join(f"<code>{escape(t)}</code>" for t in chart.tables)
    sources = "; ".join(escape(source) for source in chart.sources) or "no source on these rows"
    lo, hi = chart.as_of
    as_of = "unknown" if not lo else (lo if lo == hi else f"{lo} to {hi}")
    return (
        f'<p class="provenance">Table: {tables}. Sources: {sources}. '
        f'As of: <span class="as-of">{escape(as_of)}</span>.</p>'
    )


def _section(chart: Chart) -> str:
    plot = (
        pio.to_html(
            chart.figure,
            full_html=False,
            include_plotlyjs=False,
            div_id=f"plot-{chart.id}",
            config=PLOT_CONFIG,
            default_width="100%",
        )
        if chart.figure is not None and chart.rows
        else '<div class="empty">No rows to draw.</div>'
    )
    return (
        f'<section class="chart{" wide" if chart.wide else ""}" id="chart-{chart.id}" '
        f'data-chart="{chart.id}" data-rows="{chart.rows}">'
        f"<h2>{escape(chart.title)}</h2>"
        f'<p class="question">{escape(chart.question)}</p>'
        f"{plot}"
        f'<p class="note">{escape(chart.note)}</p>'
        f"{_provenance_html(chart)}</section>"
    )


def render_html(charts: list[Chart], publish: dict, synthetic: bool = False) -> str:
    stamp = (
        f"Published {escape(publish['published_at'])} from run <code>{escape(publish['run_id'])}</code>"
        if publish
        else "Publish time unknown (no meta.published table)"
    )
    stamp += ". Synthetic rows are shown and labelled" if synthetic else ". Synthetic rows are not shown"
    return (
        TEMPLATE.replace("__STAMP__", stamp)
        .replace("__SECTIONS__", "\n".join(_section(chart) for chart in charts))
        .replace("__PLOTLYJS__", get_plotlyjs())
    )


def write_dashboard(serving: Path | str, out: Path | str, synthetic: bool = False) -> WrittenDashboard:
    """Render the dashboard from `serving` into `out` (written to a temp file, then renamed)."""
    charts, publish = build_charts(Path(serving), synthetic)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.write_text(render_html(charts, publish, synthetic), encoding="utf-8")
    temporary.replace(out)
    return WrittenDashboard(path=out, charts={c.id: c.rows for c in charts})


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
  main { display: grid; grid-template-columns: repeat(auto-fill, minmax(620px, 1fr)); gap: 16px;
         padding: 12px 28px 28px; }
  .chart { background: #fff; border: 1px solid #dde1e8; border-radius: 8px; padding: 12px 16px; }
  .chart.wide { grid-column: 1 / -1; }
  .chart h2 { font-size: 15px; margin: 0; }
  .question { margin: 0 0 6px; color: #555e6e; font-style: italic; }
  .note, .provenance { font-size: 12px; color: #555e6e; margin: 6px 0 0; }
  .provenance { color: #6b7383; }
  .empty { padding: 40px 0; text-align: center; color: #8a93a3; }
</style>
<script>__PLOTLYJS__</script>
</head>
<body>
<header>
  <h1>chipwatch: NVIDIA and China's domestic AI-chip makers</h1>
  <p>__STAMP__. Every figure names its source. Markers: filled = reported or derived,
  open = estimated, open with a dot = claimed; bars: hatched / = estimated, x = claimed.</p>
</header>
<main>
__SECTIONS__
</main>
</body>
</html>
"""
