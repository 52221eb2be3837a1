from pathlib import Path

import polars as pl
import pytest
from pdf_fixtures import write_pdf

from ingestion.errors import SourceFormatError
from ingestion.nvidia_revenue import load_revenue_by_market_pdf

PDF_DIR = Path(__file__).resolve().parents[3].joinpath("shared", "data", "nvidia_revenue_by_market")
Q425 = PDF_DIR / "Rev_by_Mkt_Qtrly_Trend_Q425.pdf"
Q126 = PDF_DIR / "Rev_by_Mkt_Qtrly_Trend_Q126.pdf"
needs_real_files = pytest.mark.skipif(
    not (Q425.exists() and Q126.exists()), reason=f"NVIDIA PDFs not available in {PDF_DIR}"
)
MARKETS = ["Data Center", "Gaming", "Professional Visualization", "Automotive", "OEM & Other"]


def read_revenue_by_market_pdf(path: Path) -> pl.DataFrame:
    """The rows landed from the PDF, none of them quarantined."""
    load = load_revenue_by_market_pdf(path)
    assert load.quarantined.is_empty(), load.quarantined["reason"].to_list()
    return load.landable()


def value(df: pl.DataFrame, label: str, segment: str) -> float:
    return df.filter((pl.col("quarter_label") == label) & (pl.col("segment") == segment))[
        "revenue_usd_m"
    ].item()


@needs_real_files
def test_real_q425_edition():
    df = read_revenue_by_market_pdf(Q425)
    assert df["edition"].unique().to_list() == ["Q4 FY25"]
    assert sorted(df["quarter_label"].unique()) == sorted(
        ["Q1 FY24", "Q2 FY24", "Q3 FY24", "Q4 FY24", "Q1 FY25", "Q2 FY25", "Q3 FY25", "Q4 FY25"]
    )
    assert sorted(df["segment"].unique()) == sorted([*MARKETS, "Total"])
    assert df.height == 8 * 6
    assert value(df, "Q4 FY24", "Data Center") == 18_404
    assert value(df, "Q1 FY25", "Data Center") == 22_563
    assert value(df, "Q4 FY25", "Data Center") == 35_580
    assert value(df, "Q1 FY24", "Data Center") == 4_284
    assert value(df, "Q4 FY25", "Professional Visualization") == 511
    assert value(df, "Q4 FY25", "Automotive") == 570
    q4 = df.filter(pl.col("quarter_label") == "Q4 FY25").row(0, named=True)
    assert (q4["fiscal_year"], q4["fiscal_quarter"]) == (2025, 4)
    assert (q4["source_file"], q4["page"]) == ("Rev_by_Mkt_Qtrly_Trend_Q425.pdf", 1)


@needs_real_files
def test_real_q126_edition():
    df = read_revenue_by_market_pdf(Q126)
    assert df["edition"].unique().to_list() == ["Q1 FY26"]
    assert df["quarter_label"].n_unique() == 8
    assert df.filter(pl.col("quarter_label") == "Q1 FY24").is_empty()
    assert value(df, "Q1 FY26", "Data Center") == 39_112
    assert value(df, "Q4 FY25", "Data Center") == 35_580
    assert value(df, "Q1 FY26", "Total") == 44_062
    assert value(df, "Q1 FY26", "Gaming") == 3_763


@needs_real_files
@pytest.mark.parametrize("path", [Q425, Q126], ids=["Q425", "Q126"])
def test_real_markets_add_up_to_total(path):
    df = read_revenue_by_market_pdf(path)
    markets = (
        df.filter(pl.col("segment").is_in(MARKETS))
        .group_by("quarter_label")
        .agg(pl.col("revenue_usd_m").sum())
    )
    totals = df.filter(pl.col("segment") == "Total").select("quarter_label", total="revenue_usd_m")
    joined = markets.join(totals, on="quarter_label")
    assert joined.height == 8
    assert (joined["revenue_usd_m"] == joined["total"]).all()


def test_row_and_column_order_and_sub_rows_do_not_matter(tmp_path):
    path = write_pdf(
        tmp_path,
        "older.pdf",
        [
            ["($ in millions)", "Q3 FY25", "Q4 FY25"],
            ["Gaming", "3,279", "2,544"],
            ["TOTAL", "$35,082", "$39,331"],
            ["Data Center", "$30,771", "$35,580"],
            ["Compute", "27,644", "32,556"],
            ["Networking", "3,127", "3,024"],
            ["Auto", "449", "570"],
            ["Professional Visualization", "486", "-"],
        ],
    )
    df = read_revenue_by_market_pdf(path)
    assert df["edition"].unique().to_list() == ["Q4 FY25"]
    assert sorted(df["segment"].unique()) == sorted(
        [
            "Gaming",
            "Total",
            "Data Center",
            "Compute",
            "Networking",
            "Automotive",
            "Professional Visualization",
        ]
    )
    assert value(df, "Q4 FY25", "Data Center") == 35_580
    assert value(df, "Q3 FY25", "Gaming") == 3_279
    assert value(df, "Q4 FY25", "Compute") == 32_556
    assert value(df, "Q3 FY25", "Automotive") == 449
    assert df.filter(
        (pl.col("quarter_label") == "Q4 FY25") & (pl.col("segment") == "Professional Visualization")
    )["revenue_usd_m"].to_list() == [None]


def test_pdf_without_revenue_table_raises(tmp_path):
    path = write_pdf(tmp_path, "minutes.pdf", [["Name", "Value"], ["Board meeting", "2025"]])
    with pytest.raises(SourceFormatError, match=r"minutes\.pdf: no revenue table found.*Q1 FY26"):
        read_revenue_by_market_pdf(path)


def test_file_that_is_not_a_pdf_raises(tmp_path):
    path = tmp_path / "revenue.pdf"
    path.write_text("quarter,revenue\nQ1 FY26,44062\n")
    with pytest.raises(SourceFormatError, match=r"revenue\.pdf: not a readable PDF"):
        read_revenue_by_market_pdf(path)


def test_text_in_a_quarter_column_is_quarantined(tmp_path):
    path = write_pdf(tmp_path, "odd.pdf", [["", "Q1 FY26"], ["Gaming", "see note"]])
    load = load_revenue_by_market_pdf(path)
    assert load.frame.is_empty() and load.balanced
    [reason] = load.quarantined["reason"].to_list()
    assert "'see note' in a quarter column" in reason
