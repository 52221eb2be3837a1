"""Company financials, the 2026 policy events and the Cambricon placement, as their sources state them.

Each expected value names its source (the row's source_url says where to read it).
"""

from datetime import date

import polars as pl
import pytest
from conftest import PROJECT_ROOT

from ingestion.funding import with_amounts_as_written
from ingestion.reference import read_reference_csv
from ingestion.reference_tables import REFERENCE_TABLES

REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"


def reference(name: str) -> pl.DataFrame:
    table = REFERENCE_TABLES[name]
    return read_reference_csv(REFERENCE_DIR / table.file_name, table)


FINANCIALS = reference("company_financials")


def observations(company: str, fiscal_year: int, metric: str) -> dict[str, float]:
    rows = FINANCIALS.filter(
        (pl.col("company") == company) & (pl.col("fiscal_year") == fiscal_year) & (pl.col("metric") == metric)
    )
    return {row["source_kind"] + ": " + row["source_name"]: row["value"] for row in rows.to_dicts()}


@pytest.mark.parametrize(
    ("company", "fiscal_year", "metric", "source_kind", "value", "source"),
    [
        # Cambricon 2024 annual report: 营业收入117,446.44万元, 归母净利润 -45,233.88万元
        ("Cambricon", 2024, "revenue", "filing", 1174.4644, "2024 annual report"),
        ("Cambricon", 2024, "net_profit_attributable", "filing", -452.3388, "2024 annual report"),
        # Cambricon 2023 annual report summary: 归母净利润 -84,844.01万元
        ("Cambricon", 2023, "net_profit_attributable", "filing", -848.4401, "2023 annual report summary"),
        # Anue (cnyes), 2026-03-13: 2025 營收64.97億元, 歸母淨利潤20.59億元
        ("Cambricon", 2025, "revenue", "press", 6497, "Anue"),
        ("Cambricon", 2025, "net_profit_attributable", "press", 2059, "Anue"),
        # Stock Analysis (SHA:688041 income statement, CNY m): revenue 9,162; net income to common 1,931
        ("Hygon", 2024, "revenue", "aggregator", 9162, "Stock Analysis"),
        ("Hygon", 2024, "net_profit_attributable", "aggregator", 1931, "Stock Analysis"),
        # IT Home on the Moore Threads listing announcement: 归母净利润 -170,290.58万元 (2023)
        ("Moore Threads", 2023, "net_profit_attributable", "press", -1702.9058, "IT Home"),
        # Dianman Finance on the MetaX prospectus: 归母净利润 -140,887.94万元 (2024)
        ("MetaX", 2024, "net_profit_attributable", "press", -1408.8794, "Dianman Finance"),
        # X-Techcon on the Biren prospectus: 2023 收入6203万元
        ("Biren", 2023, "revenue", "press", 62.03, "X-Techcon"),
        # Reportify on the Iluvatar CoreX listing: 净利润 -8.92亿元 (2024)
        ("Iluvatar CoreX", 2024, "net_profit", "press", -892, "Reportify"),
    ],
)
def test_financial_figures_match_their_sources(company, fiscal_year, metric, source_kind, value, source):
    found = observations(company, fiscal_year, metric)
    assert any(key.startswith(source_kind) and v == pytest.approx(value) for key, v in found.items()), (
        source,
        found,
    )


def test_disagreeing_sources_are_both_kept():
    # Cambricon 2022: the preliminary flash (业绩快报) says -116,648.40万元, the annual report -12.57亿元.
    assert sorted(observations("Cambricon", 2022, "net_profit_attributable").values()) == [-1257, -1166.484]


def test_every_maker_has_revenue_and_profit_for_2022_to_2024():
    makers = ["Cambricon", "Hygon", "Moore Threads", "MetaX", "Biren", "Iluvatar CoreX"]
    for company in makers:
        for year in (2022, 2023, 2024):
            assert observations(company, year, "revenue"), (company, year)
            profit = {
                **observations(company, year, "net_profit_attributable"),
                **observations(company, year, "net_profit"),
            }
            assert profit, (company, year)


def test_the_2026_us_tariff_and_the_chinese_h200_block_are_dated():
    events = {row["event_id"]: row for row in reference("policy_events").to_dicts()}
    # Covington & Burling: the proclamation of 2026-01-14 imposes a 25% ad valorem duty.
    assert events["us_2026_01_chip_tariff"]["event_date"] == date(2026, 1, 14)
    assert "25%" in events["us_2026_01_chip_tariff"]["title"]
    # Reuters via News.Az, 2026-01-14: customs told agents H200 chips are not permitted.
    assert events["cn_2026_01_h200_customs"]["event_date"] == date(2026, 1, 13)
    assert events["cn_2026_01_h200_customs"]["jurisdiction"] == "CN"


def test_the_cambricon_placement_reads_as_written():
    # Cambricon's placement results announcement (cfi.cn): 3,334,946 shares at CNY 1,195.02,
    # gross proceeds 人民币3,985,327,168.92元.
    funding = with_amounts_as_written(reference("funding_events"))
    [row] = funding.filter(
        (pl.col("company") == "Cambricon") & (pl.col("event_type") == "placement")
    ).to_dicts()
    assert row["offer_price"] == 1195.02
    assert row["amount_raised"] == pytest.approx(3_985_327_168.92)
    assert row["amount_matches_as_written"]


def test_the_mart_shows_the_filing_and_keeps_the_press_figure_beside_it(warehouse_sql):
    [(value, kind, observations_count, alternatives, conflict)] = warehouse_sql(
        "select value, source_kind, observations, alternatives, has_conflict from marts.company_financials "
        "where company = 'Cambricon' and fiscal_year = 2024 and metric = 'revenue'"
    )
    assert (value, kind, observations_count) == (pytest.approx(1174.4644), "filing", 2)
    assert "1174.0 (press" in alternatives
    assert conflict is False  # 11.74亿元 is the annual report's figure rounded


def test_the_mart_flags_a_real_conflict(warehouse_sql):
    [(value, conflict, low, high)] = warehouse_sql(
        "select value, has_conflict, value_min, value_max from marts.company_financials "
        "where company = 'Cambricon' and fiscal_year = 2022 and metric = 'net_profit_attributable'"
    )
    # Both press, both reported: the newer source (the annual report, 2023-05-05) wins over the flash.
    assert (value, conflict, low, high) == (-1257, True, -1257, pytest.approx(-1166.484))


def test_usd_uses_the_fiscal_years_average_rate(warehouse_sql):
    fx = reference("fx_rates").filter((pl.col("currency") == "CNY") & (pl.col("rate_date").dt.year() == 2025))
    assert fx.height == 12
    [(value_usd, rate)] = warehouse_sql(
        "select value_usd, fx_usd_per_unit from marts.company_financials "
        "where company = 'Cambricon' and fiscal_year = 2025 and metric = 'revenue'"
    )
    assert rate == pytest.approx(fx["usd_per_unit"].mean())
    assert value_usd == pytest.approx(6497 * fx["usd_per_unit"].mean())


def test_the_placement_converts_at_its_own_month(warehouse_sql):
    [(usd, rate_date, basis)] = warehouse_sql(
        "select amount_raised_usd, fx_rate_date, fx_rate_basis from marts.funding_summary "
        "where company = 'Cambricon' and year = 2025 and stage = 'placement'"
    )
    # FRED EXCHUS (Federal Reserve G.5), 2025-10 average: 7.1200 CNY per USD.
    assert (str(rate_date), basis) == ("2025-10-01", "own month")
    assert usd == pytest.approx(3_985_327_168.92 / 7.12)
