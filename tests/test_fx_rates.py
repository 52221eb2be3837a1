"""The curated FX table: one official series (Federal Reserve H.10/G.5 monthly averages), no gaps."""

from datetime import date

import polars as pl
import pytest
from conftest import PROJECT_ROOT

from ingestion.reference import read_reference_csv
from ingestion.reference_tables import REFERENCE_TABLES

FX = read_reference_csv(PROJECT_ROOT / "data" / "reference" / "fx_rates.csv", REFERENCE_TABLES["fx_rates"])


def months(first: date, last: date) -> list[date]:
    return pl.date_range(first, last, interval="1mo", eager=True).to_list()


@pytest.mark.parametrize("currency", ["CNY", "HKD"])
def test_every_month_from_2019_has_a_rate(currency):
    rates = FX.filter(pl.col("currency") == currency)
    on_file = set(rates["rate_date"].to_list())
    assert not set(months(date(2019, 1, 1), max(on_file))) - on_file
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
        # ALFRED EXCHUS vintage of 2025-03-03 (alfred.stlouisfed.org/series?seid=EXCHUS)
        ("CNY", date(2025, 2, 1), 7.2734, "ALFRED EXCHUS 2025-03-03"),
        # FRED EXCHUS as copied by github.com/datasets/exchange-rates (data/monthly.csv, 2026-07-02)
        ("CNY", date(2025, 12, 1), 7.0432, "FRED EXCHUS"),
        ("HKD", date(2026, 1, 1), 7.7965, "FRED EXHKUS"),
    ],
)
def test_rates_match_the_published_monthly_averages(currency, month, units_per_usd, source):
    [row] = FX.filter((pl.col("currency") == currency) & (pl.col("rate_date") == month)).to_dicts()
    assert row["usd_per_unit"] == pytest.approx(1 / units_per_usd, rel=1e-9), source
    assert f"{units_per_usd:.4f} {currency} per USD" in row["note"]
