"""The curated NVIDIA revenue observations (data/reference/nvidia_revenue.csv): a sample of figures
with the source each states it in, the rows that cite the shipped 10-Q checked against its text,
and the freshness windows of the NVIDIA sources."""

import html
import re
from datetime import date

import polars as pl
import pytest
from conftest import PROJECT_ROOT, SHARED_DATA

from ingestion.reference import load_reference_csv
from ingestion.reference_tables import REFERENCE_TABLES
from ingestion.registry import BY_TABLE
from orchestration.freshness import is_fresh

TEN_Q = SHARED_DATA / "sec" / "nvda-20250727-10q.htm"
HQ_CHINA = "China (including Hong Kong), customer headquarters"


@pytest.fixture(scope="module")
def rows() -> pl.DataFrame:
    table = REFERENCE_TABLES["nvidia_revenue"]
    load = load_reference_csv(PROJECT_ROOT / "data" / "reference" / table.file_name, table)
    assert load.quarantined.is_empty()
    return load.frame


def value(rows: pl.DataFrame, fiscal_year: int, period: str, line: str, source: str) -> float | None:
    return rows.filter(
        (pl.col("fiscal_year") == fiscal_year)
        & (pl.col("fiscal_period") == period)
        & (pl.col("line") == line)
        & pl.col("source_name").str.contains(source, literal=True)
    )["revenue_usd_m"].item()


@pytest.mark.parametrize(
    ("fiscal_year", "period", "line", "source", "expected"),
    [
        # CFO Commentary on Q3 FY2026 results, "Revenue by Market Platform": Data Center $51,215 m,
        # Networking 8,187; "Revenue by Reportable Segments": Compute & Networking $50,908 m.
        (2026, "Q3", "Data Center", "CFO Commentary on Third Quarter Fiscal 2026", 51_215),
        (2026, "Q3", "Networking", "CFO Commentary on Third Quarter Fiscal 2026", 8_187),
        (2026, "Q3", "Compute & Networking", "CFO Commentary on Third Quarter Fiscal 2026", 50_908),
        # NVIDIA's Q4 FY2026 release: "Record quarterly Data Center revenue of $62.3 billion".
        (2026, "Q4", "Data Center", "Fourth Quarter and Fiscal 2026", 62_300),
        # Zacks via Nasdaq: Data Center "$62.31 billion" in Q4 FY2026.
        (2026, "Q4", "Data Center", "Zacks", 62_310),
        # Economic Times DataCenter: Q1 FY2027 Data Center USD 75.2 billion, Edge Computing USD 6.4 billion.
        (2027, "Q1", "Data Center", "Economic Times", 75_200),
        (2027, "Q1", "Edge Computing", "Economic Times", 6_400),
        # FT via The Irish Times (2024-07-04): "upwards of $12 billion in sales" of H20 in China (forecast).
        (2025, "FY", "H20 (China; analyst forecast)", "Irish Times", 12_000),
        # 10-Q for Q2 FY2027, Note 13 "Revenue by Market Platform": Hyperscale 48,710, Edge Computing
        # 7,198; its MD&A table recasts Q1 FY2027 Hyperscale to 43,050 (a company moved from ACIE).
        (2027, "Q2", "Hyperscale", "Form 10-Q for Q2 fiscal 2027", 48_710),
        (2027, "Q2", "Edge Computing", "Form 10-Q for Q2 fiscal 2027", 7_198),
        (2027, "Q1", "Hyperscale", "Form 10-Q for Q2 fiscal 2027", 43_050),
        # Same Note 13, "Geographic Revenue based upon Customer Headquarters Location": China 7,880.
        (2027, "Q2", HQ_CHINA, "Form 10-Q for Q2 fiscal 2027", 7_880),
        # 10-K for FY2026, Note 16: China (including Hong Kong) 19,677 / 25,048 by customer
        # headquarters (FY2026 / FY2025 recast); Revenue by End Market: Data Center 193,737.
        (2026, "FY", HQ_CHINA, "Form 10-K for fiscal 2026", 19_677),
        (2025, "FY", HQ_CHINA, "Form 10-K for fiscal 2026", 25_048),
        (2026, "FY", "Data Center", "Form 10-K for fiscal 2026", 193_737),
        # 10-K for FY2022 as EDGAR renders it (R41.htm), revenue "based on the invoicing address":
        # China (including Hong Kong) 7,111 (FY2022) and 3,886 (FY2021).
        (2022, "FY", "China (including Hong Kong)", "Form 10-K for fiscal 2022", 7_111),
        (2021, "FY", "China (including Hong Kong)", "Form 10-K for fiscal 2022", 3_886),
    ],
)
def test_sampled_figures_are_the_ones_their_sources_state(rows, fiscal_year, period, line, source, expected):
    assert value(rows, fiscal_year, period, line, source) == expected


def test_the_fy2027_market_platforms_add_up_as_the_10q_states_them(rows):
    source = "Form 10-Q for Q2 fiscal 2027"
    for period in ("Q1", "Q2"):
        data_center = value(rows, 2027, period, "Data Center", source)
        parts = [
            value(rows, 2027, period, line, source)
            for line in ("Hyperscale", "AI Clouds, Industrial & Enterprise")
        ]
        assert sum(parts) == data_center
        assert data_center + value(rows, 2027, period, "Edge Computing", source) == value(
            rows, 2027, period, "Total", source
        )


def test_china_by_customer_headquarters_is_kept_apart_from_china_by_billing_location(rows):
    # NVIDIA changed the basis in Q3 FY2026 and recast earlier years: FY2025 is 17,108 by billing
    # location (the FY2025 10-K) and 25,048 by customer headquarters (the FY2026 10-K); two lines.
    billing = rows.filter(
        (pl.col("line") == "China (including Hong Kong)") & (pl.col("fiscal_period") == "FY")
    )
    assert billing.filter(pl.col("fiscal_year") == 2025)["revenue_usd_m"].to_list() == [17_100]
    [fy2026] = billing.filter(pl.col("fiscal_year") == 2026).to_dicts()
    assert fy2026["revenue_usd_m"] is None and HQ_CHINA in fy2026["note"]


def test_forecasts_and_unfound_figures_are_labelled(rows):
    forecast = rows.filter(pl.col("line") == "H20 (China; analyst forecast)").row(0, named=True)
    assert forecast["confidence"] == "estimated"
    unfound = rows.filter(pl.col("revenue_usd_m").is_null())
    # FY2026 by billing location (the FY2026 10-K gives customer headquarters only) and Q3 FY2026
    # H20 sales (the source says only "insignificant") are stated by no source opened.
    assert sorted(zip(unfound["fiscal_year"], unfound["fiscal_period"], unfound["line"], strict=True)) == [
        (2026, "FY", "China (including Hong Kong)"),
        (2026, "Q3", "H20 (all customers)"),
    ]
    assert unfound["note"].str.contains("not", literal=True).all()
    # Every figure stated has an address to check it at.
    assert rows.filter(pl.col("revenue_usd_m").is_not_null() & pl.col("source_url").is_null()).is_empty()


@pytest.mark.skipif(not TEN_Q.exists(), reason="the Q2 FY2026 10-Q is not available")
def test_rows_citing_the_10q_are_stated_in_its_text(rows):
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", TEN_Q.read_text(encoding="utf-8"))).split())
    assert value(rows, 2026, "Q2", "H20 (all customers)", "10-Q") == 650
    assert "we recognized approximately $650 million of H20 revenue" in text
    assert value(rows, 2026, "Q2", "H20 (China-based customers)", "10-Q") == 0
    assert "There were no H20 sales to China-based customers in the second quarter" in text
    # C6's USD 4.5 bn: a charge for H20 inventory and purchase obligations, not revenue.
    charge = "we incurred a $4.5 billion charge in the first quarter of fiscal year 2026 associated with H20"
    assert charge in text


def test_freshness_windows_of_the_nvidia_sources():
    windows = {table: BY_TABLE[table].freshness for table in ("nvidia_revenue", "sec_filing_facts")}
    assert BY_TABLE["nvidia_revenue_by_market"].freshness and all(windows.values())
    # A 10-Q for the quarter ended 2026-07-26 is current until the next one is due (filed about a
    # month after the quarter that ends in late October).
    assert is_fresh(date(2026, 7, 26), windows["sec_filing_facts"], date(2026, 11, 25))
    assert not is_fresh(date(2026, 4, 26), windows["sec_filing_facts"], date(2026, 12, 1))
    assert is_fresh(date(2026, 8, 26), windows["nvidia_revenue"], date(2026, 11, 20))
