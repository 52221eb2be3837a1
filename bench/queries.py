"""Query latency (p50, p95) on a serving file, for the README's and the dashboard's queries.

    python -m bench.queries SERVING_FILE [PRICES_CSV] [--repeat N]

With PRICES_CSV, a copy of the serving file gets the synthetic prices appended to
`staging.stg_prices__daily` (labelled `dataset = 'synthetic'`) and the price queries run on it;
the original file is not modified. Queries run as the dashboard runs them: an in-memory DuckDB
with the file attached read-only. Each query runs once to warm up, then `repeat` times.
Prints one JSON object.
"""

import json
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
    # What marts.listing_returns computes: the latest close of every ticker (a whole-table scan).
    "latest close per ticker": (
        "select ticker, trade_date, close from staging.stg_prices__daily "
        "qualify row_number() over (partition by ticker order by trade_date desc) = 1"
    ),
    "one ticker, last year of closes": (
        "select trade_date, close from staging.stg_prices__daily "
        "where ticker = (select max(ticker) from staging.stg_prices__daily where dataset = 'synthetic') "
        "and trade_date >= (select max(trade_date) from staging.stg_prices__daily) - interval 365 day "
        "order by trade_date"
    ),
    "monthly volume by currency": (
        "select date_trunc('month', trade_date) as month, currency, sum(volume) as volume "
        "from staging.stg_prices__daily group by all order by 1, 2"
    ),
}


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

    log: list = []
    real = dashboard.duckdb
    dashboard.duckdb = SimpleNamespace(connect=lambda *a, **k: _Recorder(real.connect(*a, **k), log))
    try:
        dashboard.build_charts(serving)
    finally:
        dashboard.duckdb = real
    # The attach and `use` set the connection up; they are not queries.
    return [(sql, params) for sql, params in log if not sql.lstrip().lower().startswith(("attach", "use "))]


def with_prices(serving: Path, prices_csv: Path, target: Path) -> int:
    """Copy `serving` to `target` and append the synthetic prices; return the price rows."""
    shutil.copyfile(serving, target)
    with duckdb.connect(str(target)) as con:
        con.execute(
            """
            insert into staging.stg_prices__daily by name
            select "Date" as trade_date, "Ticker" as ticker, "Open" as open, "High" as high,
                   "Low" as low, "Close" as close, "Volume"::double as volume,
                   "Currency" as currency, "Dataset" as dataset,
                   'chipwatch bench synthetic generator' as source_name, null as source_url,
                   "Date" as as_of, 'claimed' as confidence, ? as _source_file
            from read_csv(?)
            """,
            [prices_csv.name, str(prices_csv)],
        )
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
        result["price_rows"] = with_prices(serving, prices_csv, path)
    con = duckdb.connect()
    con.execute(f"attach '{path}' as serving (read_only)")
    con.execute("use serving")
    groups = {"readme": list(README_QUERIES.items())}
    dashboard = dashboard_queries(path)
    groups["dashboard"] = [
        (f"dashboard #{i + 1}", (sql, params)) for i, (sql, params) in enumerate(dashboard)
    ]
    if prices_csv is not None:
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
