"""Query latency (p50, p95) on a serving file, for the README's and the dashboard's queries.

    python -m bench.queries SERVING_FILE [PRICES_CSV] [--repeat N]

With PRICES_CSV, a copy of the serving file gets the synthetic prices appended to
`staging.stg_prices__daily` (labelled `dataset = 'synthetic'`, the table kept in (ticker,
trade_date) order as dbt stores it), the price marts (`marts.price_latest`,
`marts.price_monthly`) are rebuilt in the copy from their dbt models' SQL, and the price queries
run on it; the original file is not modified. Queries run as the dashboard runs them: an in-memory DuckDB
with the file attached read-only. Each query runs once to warm up, then `repeat` times.
Prints one JSON object.
"""

import json
import re
import shutil
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import duckdb

README_QUERIES = {
    "export_control_status (H-series)": (
        "select chip_name, rule_id, tpp, eccn_class from marts.export_control_status "
        "where chip_name like 'NVIDIA H%' order by 1, 2"
    ),
    "market_share China units by origin": (
        "select origin, sum(share) as share from marts.market_share "
        "where market = 'China' and basis = 'units' group by origin"
    ),
    "chip_cost_efficiency vs H200": (
        "select chip_name, memory_gb, memory_bandwidth_tbps, tflops_per_kw, tflops_per_kusd, bf16_vs_h200 "
        "from marts.chip_cost_efficiency order by bf16_vs_h200 desc nulls last"
    ),
    "claims_check verdicts": (
        "select claim_id, verdict, held_detail from marts.claims_check order by claim_id"
    ),
}

PRICE_QUERIES = {
    # What marts.listing_returns computes, served pre-aggregated: one row per ticker.
    "latest close per ticker": (
        "select ticker, latest_trade_date, latest_close from marts.price_latest order by ticker"
    ),
    # The daily rows, sorted by (ticker, trade_date): zone maps skip the other tickers' row groups.
    # The last synthetic ticker and its own last year (its latest day from marts.price_latest: the
    # synthetic tickers end years before the real rows, and finding it must not scan every row).
    "one ticker, last year of closes": (
        "with pick as (select ticker, latest_trade_date - 365 as since from marts.price_latest "
        "where dataset = 'synthetic' order by ticker desc limit 1) "
        "select trade_date, close from staging.stg_prices__daily "
        "where ticker = (select ticker from pick) and trade_date >= (select since from pick) "
        "order by trade_date"
    ),
    # Monthly bars: one row per ticker and month instead of one per day.
    "monthly volume by currency": (
        "select month, currency, sum(volume) as volume from marts.price_monthly group by all order by 1, 2"
    ),
}

# The marts built from the daily prices: rebuilt in the copy after the synthetic rows are appended.
PRICE_MARTS = ("price_latest", "price_monthly")
DBT_MODELS = Path(__file__).resolve().parents[1] / "dbt_project" / "models"
_REF = re.compile(r"\{\{\s*ref\(\s*['\"](\w+)['\"]\s*\)\s*\}\}")


def model_sql(name: str, models: Path = DBT_MODELS) -> str:
    """The select of dbt model `name` as dbt runs it on one DuckDB file, read from the model file
    itself so the aggregation is written once: each `{{ ref('m') }}` becomes `schema.m`, the schema
    being the folder of m's file (dbt_project.yml gives each folder its schema of the same name).
    Any other Jinja is refused rather than guessed."""

    def path_of(model: str) -> Path:
        [path] = models.rglob(f"{model}.sql")
        return path

    def qualified(match: re.Match) -> str:
        model = match.group(1)
        return f"{path_of(model).parent.name}.{model}"

    sql = _REF.sub(qualified, path_of(name).read_text())
    if "{{" in sql or "{%" in sql:
        raise ValueError(f"model {name} uses Jinja other than ref(): build it with dbt instead")
    return sql


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


class _Recorder:
    """Stands in for a DuckDB connection in serving.dashboard and records what it runs."""

    def __init__(self, con, log: list):
        self._con, self._log = con, log

    def execute(self, sql, params=None):
        self._log.append((sql, list(params or [])))
        return self._con.execute(sql, params or [])

    def close(self):
        self._con.close()


def dashboard_queries(serving: Path) -> list[tuple[str, list]]:
    """Every statement `serving.dashboard.build_charts` runs on this file, in order."""
    from serving import dashboard
    from serving.charts import base

    log: list = []
    real = base.duckdb
    base.duckdb = SimpleNamespace(connect=lambda *a, **k: _Recorder(real.connect(*a, **k), log))
    try:
        dashboard.build_charts(serving)
    finally:
        base.duckdb = real
    # The attach and `use` set the connection up; they are not queries.
    return [(sql, params) for sql, params in log if not sql.lstrip().lower().startswith(("attach", "use "))]


def with_prices(serving: Path, prices_csv: Path, target: Path) -> int:
    """Copy `serving` to `target`, append the synthetic prices keeping the table in (ticker,
    trade_date) order, and rebuild the price marts from them; return the price rows."""
    shutil.copyfile(serving, target)
    with duckdb.connect(str(target)) as con:
        # The table is rewritten rather than appended to, so it stays in the order the dbt model
        # stores it in.
        con.execute(
            """
            create or replace table staging.stg_prices__daily as
            select * from staging.stg_prices__daily
            union all by name
            select "Date" as trade_date, "Ticker" as ticker, "Open" as open, "High" as high,
                   "Low" as low, "Close" as close, "Volume"::double as volume,
                   "Currency" as currency, "Dataset" as dataset,
                   'chipwatch bench synthetic generator' as source_name, null::varchar as source_url,
                   "Date" as as_of, 'claimed' as confidence, ?::varchar as _source_file
            from read_csv(?)
            order by ticker, trade_date
            """,
            [prices_csv.name, str(prices_csv)],
        )
        for mart in PRICE_MARTS:
            con.execute(f"create or replace table marts.{mart} as\n{model_sql(mart)}")
        return con.execute("select count(*) from staging.stg_prices__daily").fetchone()[0]


def _time(con, sql: str, params: list, repeat: int) -> list[float]:
    con.execute(sql, params).fetchall()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        con.execute(sql, params).fetchall()
        times.append(time.perf_counter() - start)
    return times


def _summary(times: list[float]) -> dict:
    return {"p50_ms": 1000 * statistics.median(times), "p95_ms": 1000 * percentile(times, 0.95)}


def measure(serving: Path, prices_csv: Path | None = None, repeat: int = 20) -> dict:
    result: dict = {"repeat": repeat}
    path = serving
    if prices_csv is not None:
        path = serving.with_name(serving.stem + "_with_prices.duckdb")
        with_prices(serving, prices_csv, path)
    con = duckdb.connect()
    con.execute(f"attach '{path}' as serving (read_only)")
    con.execute("use serving")
    # The build landed the synthetic prices, or with_prices appended them.
    [(result["price_rows"],)] = con.execute("select count(*) from staging.stg_prices__daily").fetchall()
    groups = {"readme": list(README_QUERIES.items())}
    dashboard = dashboard_queries(path)
    groups["dashboard"] = [
        (f"dashboard #{i + 1}", (sql, params)) for i, (sql, params) in enumerate(dashboard)
    ]
    if result["price_rows"]:
        groups["prices"] = list(PRICE_QUERIES.items())
    for group, queries in groups.items():
        per_query, every = {}, []
        for name, query in queries:
            sql, params = query if isinstance(query, tuple) else (query, [])
            times = _time(con, sql, params, repeat)
            per_query[name] = _summary(times)
            every += times
        result[group] = {"queries": len(queries), **_summary(every), "per_query": per_query}
    con.close()
    # The whole dashboard as the page builds it: connect, attach, every chart's queries.
    from serving.dashboard import build_charts

    build_charts(path)
    renders = []
    for _ in range(max(3, repeat // 4)):
        start = time.perf_counter()
        build_charts(path)
        renders.append(time.perf_counter() - start)
    result["dashboard_render"] = _summary(renders)
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    repeat = 20
    if "--repeat" in argv:
        at = argv.index("--repeat")
        repeat = int(argv[at + 1])
        argv = argv[:at] + argv[at + 2 :]
    serving = Path(argv[0])
    prices = Path(argv[1]) if len(argv) > 1 else None
    print(json.dumps(measure(serving, prices, repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
