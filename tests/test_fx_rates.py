"""The curated FX table: one official series (Federal Reserve H.10/G.5 monthly averages), no gaps;
and the one FX table the marts read (intermediate.int_fx_rates__monthly), where a FRED download
dropped into the fx_rates inbox takes precedence over the curated month."""

import shutil
from datetime import date

import duckdb
import polars as pl
import pytest
from conftest import PROJECT_ROOT, run_dbt

from ingestion.reference import read_reference_csv
from ingestion.reference_tables import REFERENCE_TABLES

FX = read_reference_csv(PROJECT_ROOT / "data" / "reference" / "fx_rates.csv", REFERENCE_TABLES["fx_rates"])


def months(first: date, last: date) -> list[date]:
    return pl.date_range(first, last, interval="1mo", eager=True).to_list()


@pytest.mark.parametrize("currency", ["CNY", "HKD"])
def test_every_month_from_2018_has_a_rate(currency):
    rates = FX.filter(pl.col("currency") == currency)
    on_file = set(rates["rate_date"].to_list())
    # From 2018-01: the earliest funding event converted (Enflame, 2018-08) needs its own month.
    assert not set(months(date(2018, 1, 1), max(on_file))) - on_file
    assert max(on_file) >= date(2026, 6, 1)


@pytest.mark.parametrize("currency", ["CNY", "HKD"])
def test_one_series_for_each_currency(currency):
    rates = FX.filter(pl.col("currency") == currency)
    series = {"CNY": "EXCHUS", "HKD": "EXHKUS"}[currency]
    assert set(rates["source_url"]) == {f"https://fred.stlouisfed.org/series/{series}"}
    assert set(rates["confidence"]) == {"derived"}


@pytest.mark.parametrize(
    ("currency", "month", "units_per_usd", "source"),
    [
        # Federal Reserve G.5 release of 2019-03-01 (federalreserve.gov/releases/G5/20190301/)
        ("CNY", date(2019, 2, 1), 6.7367, "G.5 2019-03-01"),
        ("HKD", date(2019, 1, 1), 7.8411, "G.5 2019-03-01"),
        # Federal Reserve G.5 release of 2023-07-03 (federalreserve.gov/releases/g5/20230703/)
        ("CNY", date(2023, 6, 1), 7.1614, "G.5 2023-07-03"),
        ("HKD", date(2023, 6, 1), 7.8330, "G.5 2023-07-03"),
        # Federal Reserve G.5 release of 2024-07-01 (federalreserve.gov/Releases/G5/current/, as read)
        ("CNY", date(2024, 6, 1), 7.2547, "G.5 2024-07-01"),
        ("CNY", date(2024, 4, 1), 7.2374, "G.5 2024-07-01"),
        ("HKD", date(2024, 6, 1), 7.8100, "G.5 2024-07-01"),
        ("HKD", date(2024, 5, 1), 7.8119, "G.5 2024-07-01"),
        # ALFRED EXCHUS vintage of 2025-03-03 (alfred.stlouisfed.org/series?seid=EXCHUS)
        ("CNY", date(2025, 2, 1), 7.2734, "ALFRED EXCHUS 2025-03-03"),
        ("CNY", date(2024, 10, 1), 7.0881, "ALFRED EXCHUS 2025-03-03"),
        # FRED EXCHUS as copied by github.com/datasets/exchange-rates (data/monthly.csv, 2026-07-21)
        ("CNY", date(2018, 8, 1), 6.8453, "FRED EXCHUS"),
        ("HKD", date(2018, 12, 1), 7.8194, "FRED EXHKUS"),
        # FRED EXCHUS as copied by github.com/datasets/exchange-rates (data/monthly.csv, 2026-07-02)
        ("CNY", date(2025, 12, 1), 7.0432, "FRED EXCHUS"),
        ("HKD", date(2026, 1, 1), 7.7965, "FRED EXHKUS"),
    ],
)
def test_rates_match_the_published_monthly_averages(currency, month, units_per_usd, source):
    [row] = FX.filter((pl.col("currency") == currency) & (pl.col("rate_date") == month)).to_dicts()
    assert row["usd_per_unit"] == pytest.approx(1 / units_per_usd, rel=1e-9), source
    assert f"{units_per_usd:.4f} {currency} per USD" in row["note"]


FETCH_FIXTURES = PROJECT_ROOT / "tests" / "fetch_fixtures"


def _query(warehouse, sql: str):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_fred_download_in_the_fx_inbox_wins_over_the_curated_month_in_the_marts(
    built_warehouse, tmp_path, monkeypatch
):
    from dagster import materialize

    from orchestration.assets.raw import raw_assets
    from orchestration.resources import build_resources

    built, result = built_warehouse
    assert result.success
    warehouse = tmp_path / "chipwatch.duckdb"
    shutil.copy(built, warehouse)
    listing = (
        "select proceeds_usd, fx_rate_date::varchar, fx_rate_basis from marts.ipo_performance "
        "where company = 'Moore Threads'"
    )
    # The curated month: FRED EXCHUS 2025-12, 7.0432 CNY per USD.
    [(proceeds_usd, rate_date, basis)] = _query(warehouse, listing)
    assert proceeds_usd == pytest.approx(8.0e9 / 7.0432)
    assert (rate_date, basis) == ("2025-12-01", "own month")

    folder = tmp_path / "inbox" / "fx_rates"
    folder.mkdir(parents=True)
    # FRED's download format with the G.5 averages of 2022-06, 2023-04 and 2023-05 (the same
    # values as the curated rows), and a later download that revises the listing month: the
    # revised value is made up for the test, so the change is visible in the mart.
    shutil.copy(FETCH_FIXTURES / "fred_EXCHUS.csv", folder / "fred_EXCHUS_2026-11-02.csv")
    (folder / "fred_EXCHUS_2026-12-01.csv").write_text("observation_date,EXCHUS\n2025-12-01,7.1000\n")
    monkeypatch.setenv("CHIPWATCH_INBOX", str(folder.parent))
    [fred] = [asset for asset in raw_assets if asset.key.path == ["raw", "fred_fx_monthly"]]
    assert materialize([fred], resources=build_resources(warehouse)).success
    dbt = run_dbt(warehouse, "stg_fx__fred_monthly+")
    assert dbt.returncode == 0, dbt.stdout[-3000:]

    [(proceeds_usd, rate_date, basis)] = _query(warehouse, listing)
    assert proceeds_usd == pytest.approx(8.0e9 / 7.1)
    assert (rate_date, basis) == ("2025-12-01", "own month")
    rates = dict(
        ((month, (source, replaced, usd_per_unit)))
        for month, source, replaced, usd_per_unit in _query(
            warehouse,
            "select rate_date::varchar, fx_source, curated_row_replaced, usd_per_unit "
            "from intermediate.int_fx_rates__monthly where currency = 'CNY'",
        )
    )
    assert rates["2025-12-01"] == ("fetched", True, pytest.approx(1 / 7.1))
    # FRED states CNY per USD: usd_per_unit, its inverse, is derived in staging as in the FX table.
    assert _query(warehouse, "select distinct confidence from staging.stg_fx__fred_monthly") == [("derived",)]
    assert rates["2022-06-01"] == ("fetched", True, pytest.approx(1 / 6.6952))
    # A month no download covers keeps the curated row.
    assert rates["2023-10-01"] == ("curated", False, pytest.approx(1 / 7.3071))
