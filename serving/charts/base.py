"""What every chart shares: the serving-file reader, the chart record, and how confidence is drawn."""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import plotly.graph_objects as go

from ingestion.backend import without_progress_bar
from ingestion.warehouse import sql_string
from validation.expectations import CONFIDENCE_LEVELS


def marker_symbol(confidence: str | None, base: str = "circle") -> str:
    """Filled for reported or derived figures, open for estimated ones, open with a dot for claimed."""
    if confidence == "estimated":
        return f"{base}-open"
    if confidence == "claimed":
        return f"{base}-open-dot"
    return base


def bar_pattern(confidence: str | None) -> str:
    return {"estimated": "/", "claimed": "x"}.get(confidence or "", "")


def weakest(*confidences: str | None) -> str | None:
    """The weakest of several confidences (claimed is weaker than estimated, and so on)."""
    known = [c for c in confidences if c in CONFIDENCE_LEVELS]
    return max(known, key=CONFIDENCE_LEVELS.index) if known else None


@dataclass
class Chart:
    id: str
    title: str
    question: str
    tables: list[str]
    figure: go.Figure | None = None
    rows: int = 0
    sources: list[str] = field(default_factory=list)
    as_of: tuple[str | None, str | None] = (None, None)
    note: str = ""
    wide: bool = False  # spans the page's width


class Serving:
    """Read-only access to the serving file."""

    def __init__(self, path: Path):
        # An in-memory database with the file attached read-only: this never conflicts with
        # another connection to the same file in this process, whatever its configuration.
        self.con = without_progress_bar(duckdb.connect())
        self.con.execute(f"attach {sql_string(str(path))} as serving (read_only)")
        self.con.execute("use serving")

    def close(self) -> None:
        self.con.close()

    def has(self, table: str) -> bool:
        schema, name = table.split(".")
        return bool(
            self.con.execute(
                "select 1 from duckdb_tables() where database_name = 'serving' "
                "and schema_name = ? and table_name = ?",
                [schema, name],
            ).fetchone()
        )

    def rows(self, sql: str, params=None) -> list[dict]:
        result = self.con.execute(sql, params or [])
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    def provenance(
        self, table: str, where: str = "true", source: str = "source_name", as_of: str = "as_of"
    ) -> tuple[list[str], tuple[str | None, str | None]]:
        [row] = self.rows(
            f"select list(distinct {source} order by {source}) filter (where {source} is not null) "
            f"as sources, min({as_of}) as lo, max({as_of}) as hi from {table} where {where}"
        )
        return row["sources"] or [], (iso(row["lo"]), iso(row["hi"]))


def iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat()[:10] if isinstance(value, date | datetime) else str(value)


def layout(figure: go.Figure, height: int = 420, **layout) -> go.Figure:
    figure.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 60, "r": 20, "t": 30, "b": 50},
        legend={"orientation": "h", "y": -0.18},
        font={"size": 11},
        **layout,
    )
    return figure


def dashboard_chart(
    id: str, title: str, question: str, tables: tuple[str, ...], wide: bool = False
) -> Callable[[Callable[[Serving, Chart, bool], None]], Callable[[Serving, bool], Chart]]:
    """Declare a chart: `draw(s, chart, synthetic)` fills in the figure, rows, sources and note of a
    `Chart` that names `tables`; where one of them is not in the serving file, the chart says so."""

    def declare(draw: Callable[[Serving, Chart, bool], None]) -> Callable[[Serving, bool], Chart]:
        @functools.wraps(draw)
        def build(s: Serving, synthetic: bool) -> Chart:
            chart = Chart(id, title, question, list(tables), wide=wide)
            missing = [table for table in tables if not s.has(table)]
            if missing:
                chart.note = f"{', '.join(missing)} not in the serving file yet."
            else:
                draw(s, chart, synthetic)
            return chart

        return build

    return declare
