"""The benchmark's generator and harness on a tiny size; the benchmarks themselves run in `make bench`."""

import hashlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from bench import synthetic
from bench.run import run_bench, tables, write_docs
from tests.landing import landed_rows

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# sha256 of the 1,000-row files for the default seed (numpy and polars as locked in uv.lock):
# a change here changes every benchmark input.
EXPECTED_SHA256 = {
    "prices": "ec5b4b87ce3396fddd2d7f879f2a4b6db5551710019403c2d7628392a082ae18",
    "inventory": "d3046cdead663841124386794d97602c1c918208775a68da486b605e6208a5ca",
    "procurement": "70686b854a1d4be1f09479f75a58fe1619368d2c043aa21ab5efcdffaf01f7bd",
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return synthetic.generate(tmp_path_factory.mktemp("synthetic"), 1_000)


def test_same_seed_same_bytes(generated, tmp_path):
    again = synthetic.generate(tmp_path, 1_000)
    for domain, path in generated.items():
        assert sha256(path) == sha256(again[domain]), domain
        if EXPECTED_SHA256[domain]:
            assert sha256(path) == EXPECTED_SHA256[domain], domain
    other = synthetic.generate(tmp_path / "other", 1_000, seed=synthetic.SEED + 1)
    assert sha256(other["prices"]) != sha256(generated["prices"])


def test_chunking_does_not_change_the_bytes(generated, tmp_path, monkeypatch):
    monkeypatch.setattr(synthetic, "CHUNK_ROWS", 300)
    small_chunks = synthetic.generate(tmp_path, 1_000)
    for domain, path in generated.items():
        assert sha256(path) == sha256(small_chunks[domain]), domain


def test_prices_load_with_the_connector(generated):
    frame = landed_rows("daily_prices", generated["prices"])
    assert frame.height == 1_000
    assert frame["dataset"].unique().to_list() == ["synthetic"]
    assert frame.select(pl.struct("date", "ticker").is_unique().all()).item()
    assert frame["ticker"].n_unique() == synthetic.ticker_count(1_000)
    # source_row is the careful reader's: null for rows DuckDB's reader landed.
    assert frame.drop("source_row").null_count().select(pl.sum_horizontal(pl.all())).item() == 0
    assert (frame["low"] <= frame["open"]).all() and (frame["open"] <= frame["high"]).all()
    assert (frame["low"] <= frame["close"]).all() and (frame["close"] <= frame["high"]).all()
    assert (frame["close"] > 0).all() and (frame["volume"] >= 0).all()


def test_prices_land_through_duckdbs_reader(generated, tmp_path):
    import duckdb

    from ingestion.lander import land
    from ingestion.registry import BY_TABLE

    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        landing = land(con, BY_TABLE["daily_prices"], [generated["prices"]])
    assert (
        landing.accounting.describe()
        == "raw.daily_prices: 1000 rows read = 1000 landed + 0 quarantined (balanced)"
    )
    assert landing.careful_files == ()


def test_inventory_and_procurement_shape(generated):
    for domain in ("inventory", "procurement"):
        frame = pl.read_csv(generated[domain])
        assert frame.height == 1_000, domain
        assert frame["dataset"].unique().to_list() == ["synthetic"], domain
    cards = pl.read_csv(generated["inventory"])
    assert cards["card_serial"].is_unique().all()
    assert set(cards["chip_name"]) <= set(synthetic.CHIPS)
    orders = pl.read_csv(generated["procurement"], try_parse_dates=True)
    assert (orders["delivery_date"] >= orders["order_date"]).all()
    assert (orders["units"] % 8 == 0).all()


def test_sizes_parse():
    assert synthetic.parse_size("1m") == 1_000_000
    assert synthetic.parse_size("10M") == 10_000_000
    assert synthetic.parse_size("2,500") == 2_500
    assert synthetic.size_label(10_000_000) == "10m"
    assert synthetic.size_label(1_000) == "1k"


@pytest.fixture(scope="module")
def serving_file(tmp_path_factory):
    """A small serving file with every mart in its contracted shape (the dashboard tests' one), plus
    the daily prices the price queries read."""
    import duckdb

    from tests.test_dashboard import serving_with_contract_marts

    path = tmp_path_factory.mktemp("serving") / "serving.duckdb"
    serving_with_contract_marts(path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table staging.stg_prices__daily (trade_date date, ticker varchar, open double, "
            "high double, low double, close double, volume double, currency varchar, dataset varchar, "
            "source_name varchar, source_url varchar, as_of date, confidence varchar, _source_file varchar)"
        )
    return path


def test_harness_produces_every_measurement(tmp_path, serving_file):
    results = run_bench(1_000, tmp_path, repeat=1, skip_builds=True, serving=serving_file)
    ingestion = results["ingestion"]
    for method in ("duckdb", "chipwatch"):
        assert ingestion[method]["rows"] == 1_000, method
        assert ingestion[method]["rows_per_s"] > 0 and ingestion[method]["peak_rss"] > 0, method
        assert ingestion[method]["cpu_s"] > 0, method
    chipwatch = ingestion["chipwatch"]
    assert set(chipwatch["stages"]) == {"insert", "rules", "validate", "gx_setup"}
    assert chipwatch["stages"]["insert"] > 0  # the timer finds the lander's read_csv statement
    assert chipwatch["careful_files"] == 0  # the synthetic file takes DuckDB's reader
    if importlib.util.find_spec("dlt") is not None:
        assert ingestion["dlt"]["rows"] == 1_000
    else:  # `make test` syncs without the bench group
        assert "skipped" in ingestion["dlt"]
    for name in ("inventory", "procurement"):
        connector = results["connectors"][name]
        assert connector["floor"]["rows"] == connector["chipwatch"]["rows"] == 1_000, name
        assert connector["chipwatch"]["rows_quarantined"] == 0, name
        assert connector["chipwatch"]["stages"]["validate"] > 0, name
    queries = results["queries"]
    assert queries["price_rows"] == 1_000
    for group in ("readme", "dashboard", "prices"):
        assert queries[group]["p95_ms"] >= queries[group]["p50_ms"] > 0, group
    assert queries["readme"]["queries"] == 4
    assert queries["dashboard_render"]["p50_ms"] > 0

    text = tables(results)
    assert "DuckDB `read_csv`" in text and "GX raw suite" in text and "p95" in text
    assert_tables_rectangular(text)
    assert "card inventory (`raw.card_inventory`)" in text
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("old\n<!-- analysis: kept by make bench -->\n## Where the time goes\nkept\n")
    write_docs(results, out, "test machine", "today")
    write_docs({**results, "size": "2k", "rows": 2_000}, out, "test machine", "today")
    written = out.read_text()
    assert written.index("bench:1k:start") < written.index("bench:2k:start") < written.index("Where the time")
    assert written.count("<!-- bench:1k:start -->") == 1 and "old" not in written.split("\n")[0]


def test_build_measurements_are_reported(tmp_path):
    """The import and build rows render (their timing runs only in `make bench`: a cold build is slow)."""
    results = json.loads(
        json.dumps(
            {
                "rows": 1_000,
                "size": "1k",
                "generate_s": 0.1,
                "csv_bytes": 1,
                "ingestion": {
                    m: {
                        "work_s": 1.0,
                        "cpu_s": 2.0,
                        "rows_per_s": 1.0,
                        "peak_rss": 1,
                        "baseline_rss": 1,
                        "rows": 1,
                    }
                    for m in ("duckdb", "chipwatch", "dlt")
                },
                "builds": {
                    "import_floor_s": 1.0,
                    "import_location_s": 2.0,
                    "import_location_work_s": 0.25,
                    "import_gx_s": 1.5,
                    "cold_s": 10.0,
                    "dbt_build_s": 2.0,
                    "dbt_docs_s": 1.0,
                    "raw_landings_s": 0.5,
                    "cold_steps": {
                        "raw__chips": 0.5,
                        "dbt_staging": 2.0,
                        "dbt_marts_2": 1.0,
                        "dbt_docs": 1.0,
                    },
                    "cold_rss": 2**30,
                    "unchanged_s": 0.5,
                    "prices_cold_s": 20.0,
                    "prices_cold_rss": 2**30,
                    "prices_unchanged_s": 1.0,
                    "prices_steps": {"dbt_staging": 3.0, "staging_expectations": 1.0, "dbt_marts": 9.0},
                },
            }
        )
    )
    results["ingestion"]["chipwatch"].update(
        stages={"insert": 0.5, "validate": 0.3, "rules": 0.2, "gx_setup": 4.0}, expectations=8
    )
    text = tables(results)
    assert "cold build" in text and "5.0% of the cold build" in text
    assert "5.0% of that cold build" in text and "| 1,024 MB |" in text
    assert "| +1.00 s against the floor |" in text and "(exit not counted) | 0.25 s |" in text
    assert "| staging (dbt staging models; their GX suites) | 3.0 s | 1.0 s | 25% |" in text
    assert "marts (dbt" not in text  # no figure, no row
    # The cold build beside its floors: 1.0 + 1.5 + 2.0 + 1.0 + 0.5 = 6.0 s.
    assert "| 10.0 s | 1.67x the floors' sum |" in text and "| &nbsp;&nbsp;floors' sum | 6.0 s |" in text
    assert "| dbt builds (`dbt_staging*`, `dbt_marts*`: one dbt process each) | 2 | 3.0 s | 30% |" in text
    assert "| outside the steps: start-up, imports, Dagster's run set-up and events | | 5.5 s | 55% |" in text
    assert_tables_rectangular(text)


def assert_tables_rectangular(text: str) -> None:
    """Every row of each Markdown table has as many cells as its header (a `|` in a label breaks it)."""
    widths: list[int] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            widths.append(line.count("|"))
        elif widths:
            assert len(set(widths)) == 1, f"a table with rows of {sorted(set(widths))} bars"
            widths = []


def test_the_raw_landings_floor_lands_every_source(tmp_path):
    """The cold build's raw-landings floor (`bench/landings.py`) lands every registry source, as
    the build's raw steps do, without Dagster."""
    import duckdb

    from ingestion.registry import SOURCES

    warehouse = tmp_path / "landings.duckdb"
    done = subprocess.run(
        [sys.executable, "-m", "bench.landings", str(warehouse)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1])["raw_landings_s"] > 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        landed = {
            table
            for (table,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'raw'"
            ).fetchall()
        }
        [(books,)] = con.execute("select count(distinct table_name) from meta.load_accounting").fetchall()
    assert landed == {source.table for source in SOURCES}
    assert books == len(SOURCES)
