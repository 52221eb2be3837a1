"""SEC inline-XBRL filings (ingestion/sec_filings.py) read from NVIDIA's real 10-K and 10-Q, their
China and segment figures checked against the tables of the filings themselves, bad facts
quarantined, and the filings built through staging into marts.nvidia_revenue, with the FY2026
10-K's geographic note (revenue by customer headquarters) kept apart from the billing-location
figures of the earlier filings."""

import shutil
from datetime import date

import duckdb
import polars as pl
import pytest
from conftest import PROJECT_ROOT, SHARED_DATA, run_dbt

from ingestion.errors import SourceFormatError
from ingestion.sec_filings import load_sec_filing

SEC_DIR = SHARED_DATA / "sec"
TEN_K = SEC_DIR / "nvda-20250126-10k.htm"  # Form 10-K for fiscal 2025, filed 2025-02-26
TEN_Q = SEC_DIR / "nvda-20250727-10q.htm"  # Form 10-Q for Q2 fiscal 2026, filed 2025-08-27
# Form 10-K for fiscal 2026 (filed 2026-02-25): its cover and its geographic revenue note, as filed
# (tests/filing_excerpts/README.md says what was left out).
TEN_K_FY2026 = PROJECT_ROOT / "tests" / "filing_excerpts" / "nvda-20260125-10k-geographic-note.htm"
needs_filings = pytest.mark.skipif(
    not (TEN_K.exists() and TEN_Q.exists()), reason=f"NVIDIA filings not available in {SEC_DIR}"
)
CHINA = '{"srt:StatementGeographicalAxis": "nvda:ChinaIncludingHongKongMember"}'


def fact(frame: pl.DataFrame, concept: str, start: str, end: str, dimensions: str = "{}") -> float:
    return frame.filter(
        (pl.col("concept") == concept)
        & (pl.col("period_start") == pl.lit(start).str.to_date())
        & (pl.col("period_end") == pl.lit(end).str.to_date())
        & (pl.col("dimensions") == dimensions)
    )["value"].item()


def segment(member: str) -> str:
    return (
        '{"srt:ConsolidationItemsAxis": "us-gaap:OperatingSegmentsMember", '
        f'"us-gaap:StatementBusinessSegmentsAxis": "nvda:{member}"}}'
    )


def market(member: str) -> str:
    return f'{{"srt:ProductOrServiceAxis": "nvda:{member}"}}'


@needs_filings
def test_10k_china_and_segment_revenue_match_the_filing():
    load = load_sec_filing(TEN_K)
    facts = load.frame
    cover = facts.select("document_type", "entity_cik", "fiscal_year_focus", "fiscal_year_end_month").unique()
    assert cover.rows() == [("10-K", "0001045810", 2025, 1)]
    revenue = "us-gaap:Revenues"
    fy2025, fy2024 = ("2024-01-29", "2025-01-26"), ("2023-01-30", "2024-01-28")
    fy2023 = ("2022-01-31", "2023-01-29")
    # Note 16 (Segment Information), "Geographic Revenue based upon Customer Billing Location":
    # China (including Hong Kong) $17,108 / $10,306 / $5,785 million; total $130,497 million.
    assert fact(facts, revenue, *fy2025, CHINA) == 17_108e6
    assert fact(facts, revenue, *fy2024, CHINA) == 10_306e6
    assert fact(facts, revenue, *fy2023, CHINA) == 5_785e6
    assert fact(facts, revenue, *fy2025) == 130_497e6
    # Note 16: Compute & Networking $116,193 m and Graphics $14,304 m in fiscal 2025;
    # revenue by market: Data Center $115,186 m, Gaming $11,350 m.
    assert fact(facts, revenue, *fy2025, segment("ComputeAndNetworkingSegmentMember")) == 116_193e6
    assert fact(facts, revenue, *fy2025, segment("GraphicsSegmentMember")) == 14_304e6
    assert fact(facts, revenue, *fy2025, market("DataCenterMember")) == 115_186e6
    assert fact(facts, revenue, *fy2025, market("GamingMember")) == 11_350e6


def test_the_continuation_index_reads_every_fact_as_ixbrlparse_does():
    import warnings

    from ixbrlparse import IXBRL

    from ingestion.ixbrl import InlineXBRL

    shipped = PROJECT_ROOT / "data" / "inbox" / "sec_filings" / "nvda-20250727-10q.htm"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain, indexed = (reader.open(shipped, raise_on_error=False) for reader in (IXBRL, InlineXBRL))

    def facts(document) -> list[tuple]:
        return [
            (kind, f.name, getattr(f.context, "id", f.context), f.value)
            for kind, found in (("text", document.nonnumeric), ("number", document.numeric))
            for f in found
        ]

    assert sum(1 for f in plain.nonnumeric if f.soup_tag.get("continuedAt")) >= 20
    assert facts(indexed) == facts(plain)
    assert len(indexed.errors) == len(plain.errors)


@needs_filings
def test_10q_china_and_segment_revenue_match_the_filing():
    facts = load_sec_filing(TEN_Q).frame
    assert facts.select("document_type", "fiscal_period_focus").unique().rows() == [("10-Q", "Q2")]
    revenue = "us-gaap:Revenues"
    quarter, half = ("2025-04-28", "2025-07-27"), ("2025-01-27", "2025-07-27")
    # Note 13 (Segment Information): China (including Hong Kong) $2,769 m in the quarter,
    # $8,291 m in the six months; $3,667 m in Q2 fiscal 2025.
    assert fact(facts, revenue, *quarter, CHINA) == 2_769e6
    assert fact(facts, revenue, *half, CHINA) == 8_291e6
    assert fact(facts, revenue, "2024-04-29", "2024-07-28", CHINA) == 3_667e6
    # Note 13: Compute & Networking $41,331 m, Graphics $5,412 m; Data Center $41,096 m.
    assert fact(facts, revenue, *quarter, segment("ComputeAndNetworkingSegmentMember")) == 41_331e6
    assert fact(facts, revenue, *quarter, segment("GraphicsSegmentMember")) == 5_412e6
    assert fact(facts, revenue, *quarter, market("DataCenterMember")) == 41_096e6
    assert fact(facts, revenue, *quarter) == 46_743e6


def test_fy2026_10k_states_the_headquarters_basis_with_the_same_china_member():
    facts = load_sec_filing(TEN_K_FY2026).frame
    assert facts.select(
        "document_type", "document_period_end_date", "fiscal_year_end_month"
    ).unique().rows() == [("10-K", date(2026, 1, 25), 1)]
    fy2026, fy2025 = ("2025-01-27", "2026-01-25"), ("2024-01-29", "2025-01-26")
    # Note 16, "Geographic Revenue based upon Customer Headquarters Location": China (including
    # Hong Kong) 19,677 (FY2026), 25,048 (FY2025, recast; 17,108 by billing location in the FY2025 10-K).
    assert fact(facts, "us-gaap:Revenues", *fy2026, CHINA) == 19_677e6
    assert fact(facts, "us-gaap:Revenues", *fy2025, CHINA) == 25_048e6
    [note] = facts["geographic_revenue_note"].unique().to_list()
    assert note.startswith(
        "Revenue by geographic area is based upon the location of the customers’ headquarters."
    )


@needs_filings
@pytest.mark.parametrize("path", [TEN_K, TEN_Q], ids=["10-K", "10-Q"])
def test_earlier_filings_state_the_billing_location_basis(path):
    [note] = load_sec_filing(path).frame["geographic_revenue_note"].unique().to_list()
    assert note.startswith("Revenue by geographic area is based upon the billing location of the customer.")


@needs_filings
@pytest.mark.parametrize("path", [TEN_K, TEN_Q], ids=["10-K", "10-Q"])
def test_every_fact_is_landed_or_set_aside_with_a_reason(path):
    load = load_sec_filing(path)
    assert load.balanced
    assert load.frame.select("concept", "context_id", "unit").is_duplicated().sum() == 0
    reasons = load.quarantined["reason"].to_list()
    # Filings repeat a figure across tables, sometimes rounded ("4.8" billion beside "4,784"
    # million): those are repeats of the precise fact, not conflicts.
    assert reasons and all(reason.startswith("repeat of the fact on line") for reason in reasons)


IXBRL = """<html xmlns="http://www.w3.org/1999/xhtml" xmlns:ix="http://www.xbrl.org/2013/inlineXBRL"
 xmlns:xbrli="http://www.xbrl.org/2003/instance" xmlns:xbrldi="http://xbrl.org/2006/xbrldi"
 xmlns:iso4217="http://www.xbrl.org/2003/iso4217" xmlns:us-gaap="http://fasb.org/us-gaap/2024"
 xmlns:dei="http://xbrl.sec.gov/dei/2024" xmlns:ixt="http://www.xbrl.org/inlineXBRL/transformation/2020-02-12">
<body><ix:header><ix:resources>
<xbrli:context id="c-1"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0000000001</xbrli:identifier>
</xbrli:entity><xbrli:period><xbrli:startDate>2026-01-26</xbrli:startDate><xbrli:endDate>2026-04-26</xbrli:endDate>
</xbrli:period></xbrli:context>
<xbrli:unit id="usd"><xbrli:measure>iso4217:USD</xbrli:measure></xbrli:unit>
</ix:resources></ix:header>
<ix:nonNumeric name="dei:DocumentType" contextRef="c-1">10-Q</ix:nonNumeric>
<ix:nonNumeric name="dei:DocumentPeriodEndDate" contextRef="c-1" 
 format="ixt:date-monthname-day-year-en">April 26, 2026</ix:nonNumeric>
<ix:nonNumeric name="dei:CurrentFiscalYearEndDate" contextRef="c-1" 
 format="ixt:date-month-day">1/31</ix:nonNumeric>
<ix:nonFraction name="us-gaap:Revenues" contextRef="c-1" unitRef="usd" 
 decimals="-6" scale="6" format="ixt:num-dot-decimal">81,615</ix:nonFraction>
<ix:nonFraction name="us-gaap:Revenues" contextRef="c-1" unitRef="usd" 
 decimals="-8" scale="9" format="ixt:num-dot-decimal">81.6</ix:nonFraction>
<ix:nonFraction name="us-gaap:CostOfRevenue" contextRef="c-1" unitRef="usd" 
 decimals="-6" scale="6" format="ixt:num-dot-decimal">20,000</ix:nonFraction>
<ix:nonFraction name="us-gaap:CostOfRevenue" contextRef="c-1" unitRef="usd" 
 decimals="-6" scale="6" format="ixt:num-dot-decimal">21,000</ix:nonFraction>
<ix:nonFraction name="us-gaap:GrossProfit" contextRef="c-9" unitRef="usd" 
 decimals="-6" scale="6" format="ixt:num-dot-decimal">61,615</ix:nonFraction>
</body></html>
"""


def test_repeats_conflicts_and_unknown_contexts(tmp_path):
    path = tmp_path / "filing.htm"
    path.write_text(IXBRL, encoding="utf-8")
    load = load_sec_filing(path)
    assert load.balanced and load.rows_read == 5
    assert load.frame.select("concept", "value").rows() == [("us-gaap:Revenues", 81_615e6)]
    row = load.frame.row(0, named=True)
    assert (row["document_type"], str(row["document_period_end_date"]), row["fiscal_year_end_month"]) == (
        "10-Q",
        "2026-04-26",
        1,
    )
    reasons = dict(zip(load.quarantined["line"], load.quarantined["reason"], strict=True))
    assert reasons[2].startswith("repeat of the fact on line 1")
    assert "conflicting facts for (concept=us-gaap:CostOfRevenue" in reasons[3] == reasons[4]
    assert "context 'c-9', which the document does not define" in reasons[5]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"empty \(0 bytes\)"),
        (b"<html><body><p>403 Forbidden</p></body></html>", "no inline XBRL facts found"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not an inline XBRL document|no inline XBRL facts found"),
    ],
    ids=["empty", "html-error-page", "binary"],
)
def test_files_that_are_not_filings_are_refused(tmp_path, content, message):
    path = tmp_path / "download.htm"
    path.write_bytes(content)
    with pytest.raises(SourceFormatError, match=message):
        load_sec_filing(path)


@pytest.fixture
def inbox(tmp_path, monkeypatch):
    root = tmp_path / "inbox"
    (root / "sec_filings").mkdir(parents=True)
    for path in (TEN_K, TEN_Q, TEN_K_FY2026):
        shutil.copy(path, root / "sec_filings" / path.name)
    shutil.copytree(PROJECT_ROOT / "data" / "inbox" / "nvidia_revenue", root / "nvidia_revenue")
    monkeypatch.setenv("CHIPWATCH_INBOX", str(root))
    return root


@needs_filings
def test_filings_build_into_the_revenue_mart_each_basis_its_own_line(tmp_path, inbox):
    from dagster import materialize

    from orchestration.assets.raw import raw_assets
    from orchestration.resources import build_resources

    tables = {"sec_filing_facts", "nvidia_revenue_by_market", "nvidia_revenue"}
    assets = [a for a in raw_assets if a.key.path[-1] in tables]
    warehouse = tmp_path / "chipwatch.duckdb"
    assert materialize(assets, resources=build_resources(warehouse)).success
    completed = run_dbt(warehouse, "+nvidia_revenue", indirect_selection="buildable")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:

        def row(fiscal_year, period, line, *columns):
            return con.execute(
                f"select {', '.join(columns)} from marts.nvidia_revenue "
                "where fiscal_year = ? and fiscal_period = ? and line = ?",
                [fiscal_year, period, line],
            ).fetchone()

        china = "China (including Hong Kong)"
        china_hq = "China (including Hong Kong), customer headquarters"
        # 10-K fiscal 2025, Note 16: China (including Hong Kong) 17,108 (FY2025) and 10,306 (FY2024)
        # by billing location. The FY2026 10-K, newer, recasts both by customer headquarters (25,048,
        # 12,330): a line of its own, never an alternative to (or the winner over) the billing figure.
        fy2025 = row(
            2025, "FY", china, "revenue_usd_m", "source_kind", "source_name", "period_end", "alternatives"
        )
        assert fy2025[:2] == (17_108, "filing")
        assert (
            "Form 10-K" in fy2025[2]
            and "nvda-20250126-10k.htm" in fy2025[2]
            and str(fy2025[3]) == "2025-01-26"
        )
        assert "25048" not in fy2025[4] and "nvda-20260125" not in fy2025[4]
        assert row(2024, "FY", china, "revenue_usd_m", "source_kind") == (10_306, "filing")
        # FY2026 by billing location: no filing states it (the curated row says so, with a null).
        assert row(2026, "FY", china, "revenue_usd_m", "observations") == (None, 1)
        # The headquarters line: the FY2026 10-K's facts beside the curated rows that cite the same note.
        for fiscal_year, revenue in ((2026, 19_677), (2025, 25_048), (2024, 12_330)):
            hq = row(
                fiscal_year, "FY", china_hq, "revenue_usd_m", "observations", "has_conflict", "alternatives"
            )
            assert hq[:3] == (revenue, 2, False), (fiscal_year, hq)
            assert "nvda-20260125-10k-geographic-note.htm" in hq[3] + str(
                row(fiscal_year, "FY", china_hq, "source_name")[0]
            )
        bases = con.execute(
            "select _source_file, revenue_basis, count(*) from staging.stg_sec__revenue_by_geography "
            "group by all order by 1"
        ).fetchall()
        assert [(file, basis) for file, basis, _ in bases] == [
            ("nvda-20250126-10k.htm", "billing location"),
            ("nvda-20250727-10q.htm", "billing location"),
            (TEN_K_FY2026.name, "customer headquarters"),
        ]
        # The other areas move with the basis too: United States FY2025 77,482 by headquarters.
        assert row(2025, "FY", "United States, customer headquarters", "revenue_usd_m") == (77_482,)
        # 10-Q Q2 fiscal 2026, Note 13: China (including Hong Kong) 2,769 in the quarter.
        assert row(2026, "Q2", china, "revenue_usd_m", "line_type") == (2_769, "geography")
        # Q1 is not tagged on its own in the Q2 10-Q: six months minus Q2, 8,291 - 2,769 = 5,522.
        assert row(2026, "Q1", china, "revenue_usd_m", "confidence") == (5_522, "derived")
        # The same derivation for Data Center Q1 FY2025 (48,835 - 26,272) agrees with the PDF's 22,563.
        q1 = row(2025, "Q1", "Data Center", "revenue_usd_m", "confidence", "observations", "has_conflict")
        assert q1 == (22_563, "reported", 2, False)
        # Q2 FY2025 appears in the 10-Q (comparative) and the Q1 FY26 revenue PDF: both kept.
        q2 = row(2025, "Q2", "Data Center", "revenue_usd_m", "observations", "has_conflict")
        assert q2 == (26_272, 2, False)
        # Q4 FY2026 Data Center: NVIDIA's release ("$62.3 billion") chosen over Nasdaq/Zacks (62.31 bn).
        q4 = row(2026, "Q4", "Data Center", "revenue_usd_m", "source_kind", "alternatives", "has_conflict")
        assert q4[:2] == (62_300, "filing") and "62310" in q4[2] and q4[3] is False
        # Segments in the 10-K: Compute & Networking 116,193 and Graphics 14,304 in fiscal 2025.
        assert row(2025, "FY", "Compute & Networking", "revenue_usd_m", "line_type") == (116_193, "segment")
        assert row(2025, "FY", "Graphics", "revenue_usd_m") == (14_304,)
        # One Data Center series across the FY2027 market platforms; Hyperscale in Q1 FY2027: 43,050
        # in the Q2 FY2027 10-Q (as recast) chosen over the press's "$38 billion" (The Quantum Dispatch).
        hyperscale = row(
            2027, "Q1", "Hyperscale", "series", "parent_line", "revenue_usd_m", "source_kind", "alternatives"
        )
        assert hyperscale[:4] == ("Data Center", "Data Center", 43_050, "filing") and "38000" in hyperscale[4]
        # Year-to-date (6M) contexts stay in staging, not in the mart.
        assert (
            con.execute(
                "select count(*) from staging.stg_sec__revenue_by_geography where fiscal_period = '6M'"
            ).fetchone()[0]
            == 2 * 5
        )
        assert con.execute(
            "select count(*) from marts.nvidia_revenue where fiscal_period not in ('Q1','Q2','Q3','Q4','FY')"
        ).fetchone() == (0,)
