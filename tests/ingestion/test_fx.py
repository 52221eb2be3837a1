import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from ingestion.fx import FxRatesError, load_fx_rates, to_usd

REPO = Path(__file__).resolve().parents[2]
HEADER = "currency,rate_date,usd_per_unit,source_name,source_url,as_of,confidence\n"


def write_rates(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "fx_rates.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


@pytest.fixture
def rates(tmp_path: Path) -> pl.DataFrame:
    return load_fx_rates(
        write_rates(
            tmp_path,
            "CNY,2025-11-01,0.14,Fed G.5,https://www.federalreserve.gov/releases/g5/,2025-12-01,reported\n"
            "CNY,2025-09-01,0.13,Fed G.5,https://www.federalreserve.gov/releases/g5/,2025-10-01,reported\n"
            "HKD,2025-12-01,0.128,Fed G.5,https://www.federalreserve.gov/releases/g5/,2026-01-02,reported\n"
            "USD,2025-09-01,1.0,Fed H.10,https://www.federalreserve.gov/releases/h10/,2025-09-01,reported\n",
        )
    )


def test_load_fx_rates_types_and_sorts(rates: pl.DataFrame):
    assert rates.schema["rate_date"] == pl.Date
    assert rates.schema["usd_per_unit"] == pl.Float64
    assert rates.select("currency", "rate_date").rows() == [
        ("CNY", dt.date(2025, 9, 1)),
        ("CNY", dt.date(2025, 11, 1)),
        ("HKD", dt.date(2025, 12, 1)),
        ("USD", dt.date(2025, 9, 1)),
    ]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("EUR,2025-01-01,1.05,ECB,,2025-02-01,reported", "unknown currency"),
        ("CNY,2025-01-01,0,Fed,,2025-02-01,reported", "non-positive"),
        ("CNY,2025-01-01,-0.14,Fed,,2025-02-01,reported", "non-positive"),
        ("CNY,2025-01-01,,Fed,,2025-02-01,reported", "non-positive"),
        ("CNY,2025-01-15,0.14,Fed,,2025-02-01,reported", "first of a month"),
        ("CNY,2025-01-01,0.14,Fed,,2025-02-01,guessed", "unknown confidence"),
        ("CNY,2025-01-01,0.14,,,2025-02-01,reported", "missing source_name"),
        ("USD,2025-01-01,0.9,Fed,,2025-02-01,reported", "USD rate other than 1.0"),
    ],
)
def test_load_fx_rates_rejects_bad_rows(tmp_path: Path, row: str, problem: str):
    good = "CNY,2024-12-01,0.137,Fed,,2025-01-02,reported\n"
    with pytest.raises(FxRatesError, match=problem):
        load_fx_rates(write_rates(tmp_path, good + row + "\n"))


def test_load_fx_rates_rejects_duplicates(tmp_path: Path):
    row = "CNY,2025-01-01,0.14,Fed,,2025-02-01,reported\n"
    with pytest.raises(FxRatesError, match="duplicate"):
        load_fx_rates(write_rates(tmp_path, row + row))


def test_load_fx_rates_rejects_unreadable_values(tmp_path: Path):
    with pytest.raises(FxRatesError):
        load_fx_rates(write_rates(tmp_path, "CNY,2025-01-01,seven,Fed,,2025-02-01,reported\n"))


def events(*rows: tuple[object, object, object]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "amount": [r[0] for r in rows],
            "currency": [r[1] for r in rows],
            "event_date": [r[2] for r in rows],
        },
        schema={"amount": pl.Float64, "currency": pl.String, "event_date": pl.Date},
    )


def test_uses_the_rate_of_the_event_month(rates: pl.DataFrame):
    out = to_usd(events((100.0, "CNY", dt.date(2025, 11, 20))), "amount", "currency", "event_date", rates)
    assert out["amount_usd"][0] == pytest.approx(14.0)
    assert out["fx_rate_date"][0] == dt.date(2025, 11, 1)


def test_falls_back_to_the_latest_earlier_rate(rates: pl.DataFrame):
    df = events(
        (100.0, "CNY", dt.date(2025, 10, 31)),  # no October rate: September's
        (100.0, "CNY", dt.date(2026, 3, 1)),  # after the last rate: November's
        (100.0, "HKD", dt.date(2026, 1, 2)),
    )
    out = to_usd(df, "amount", "currency", "event_date", rates)
    assert out["amount_usd"].to_list() == pytest.approx([13.0, 14.0, 12.8])
    assert out["fx_rate_date"].to_list() == [dt.date(2025, 9, 1), dt.date(2025, 11, 1), dt.date(2025, 12, 1)]


def test_never_uses_a_later_rate(rates: pl.DataFrame):
    out = to_usd(events((100.0, "CNY", dt.date(2025, 8, 31))), "amount", "currency", "event_date", rates)
    assert out["amount_usd"][0] is None
    assert out["fx_rate_date"][0] is None


def test_rates_are_per_currency(rates: pl.DataFrame):
    # HKD has no rate before December: it must not borrow CNY's November rate.
    out = to_usd(events((100.0, "HKD", dt.date(2025, 11, 15))), "amount", "currency", "event_date", rates)
    assert out["amount_usd"][0] is None


def test_usd_amounts_are_kept(rates: pl.DataFrame):
    df = events((4.5e9, "USD", dt.date(2025, 10, 1)), (5.0e7, "USD", dt.date(2020, 1, 1)), (1.0, "USD", None))
    out = to_usd(df, "amount", "currency", "event_date", rates)
    assert out["amount_usd"].to_list() == [4.5e9, 5.0e7, 1.0]


def test_nulls_and_unknown_currencies_give_null_without_error(rates: pl.DataFrame):
    df = events(
        (None, "CNY", dt.date(2025, 11, 2)),
        (100.0, "EUR", dt.date(2025, 11, 2)),
        (100.0, None, dt.date(2025, 11, 2)),
        (100.0, "CNY", None),
    )
    out = to_usd(df, "amount", "currency", "event_date", rates)
    assert out["amount_usd"].to_list() == [None, None, None, None]
    assert out.height == 4


def test_keeps_rows_order_and_columns(rates: pl.DataFrame):
    df = events(
        (100.0, "HKD", dt.date(2026, 1, 2)),
        (100.0, "CNY", dt.date(2025, 9, 5)),
        (7.0, "USD", dt.date(2025, 12, 1)),
        (100.0, "CNY", dt.date(2025, 12, 5)),
    ).with_columns(pl.Series("company", ["Biren", "A", "B", "Moore Threads"]))
    out = to_usd(df, "amount", "currency", "event_date", rates)
    assert out.columns == [*df.columns, "amount_usd", "fx_rate_date"]
    assert out["company"].to_list() == ["Biren", "A", "B", "Moore Threads"]
    assert out["amount_usd"].to_list() == pytest.approx([12.8, 13.0, 7.0, 14.0])


def test_accepts_datetime_and_text_dates_and_lower_case_codes(rates: pl.DataFrame):
    df = pl.DataFrame(
        {
            "amt": [100, 100],
            "cur": ["cny", " CNY "],
            "at": [dt.datetime(2025, 11, 30, 23, 0), dt.datetime(2025, 9, 1, 0, 0)],
            "day": ["2025-11-30", "2025-09-01"],
        }
    )
    by_datetime = to_usd(df, "amt", "cur", "at", rates)
    by_text = to_usd(df, "amt", "cur", "day", rates)
    assert by_datetime["amt_usd"].to_list() == pytest.approx([14.0, 13.0])
    assert by_text["amt_usd"].to_list() == pytest.approx([14.0, 13.0])


def test_converting_twice_replaces_the_added_columns(rates: pl.DataFrame):
    df = events((100.0, "CNY", dt.date(2025, 11, 20)))
    once = to_usd(df, "amount", "currency", "event_date", rates)
    twice = to_usd(once, "amount", "currency", "event_date", rates)
    assert twice.columns == once.columns
    assert twice.equals(once)


def test_the_reference_table_loads_and_covers_the_funding_events():
    rates = load_fx_rates(REPO / "data" / "reference" / "fx_rates.csv")
    assert set(rates["currency"]) == {"CNY", "HKD", "USD"}
    assert rates["source_url"].null_count() == 0
    usd = rates.filter(pl.col("currency") == "USD")
    assert usd["rate_date"].min() == dt.date(2022, 1, 1)
    assert usd["rate_date"].max() == dt.date(2026, 11, 1)
    units_per_usd = rates.filter(pl.col("currency") != "USD").with_columns(per_usd=1 / pl.col("usd_per_unit"))
    cny = units_per_usd.filter(pl.col("currency") == "CNY")["per_usd"]
    hkd = units_per_usd.filter(pl.col("currency") == "HKD")["per_usd"]
    assert cny.min() >= 6.3 and cny.max() <= 7.35
    assert hkd.min() >= 7.75 and hkd.max() <= 7.85
    ipo = events((8.0e9, "CNY", dt.date(2025, 12, 5)), (5.583e9, "HKD", dt.date(2026, 1, 2)))
    out = to_usd(ipo, "amount", "currency", "event_date", rates)
    assert out["amount_usd"].null_count() == 0
