"""The Epoch AI chip-counts connector on the CSV exports shipped in data/inbox/epoch_ai_chip_counts/
(github.com/epoch-research/ai-chip-counts at commit d1b1bc3, MIT)."""

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from ingestion.epoch_chip_counts import OUTPUT_COLUMNS, load_epoch_ai_chip_counts
from ingestion.errors import SourceFormatError
from ingestion.paths import PROJECT_ROOT
from tests.landing import land_files, landed_rows

INBOX = PROJECT_ROOT / "data" / "inbox"
FOLDER = INBOX / "epoch_ai_chip_counts"
HEADER = (
    "Name,Chip manufacturer,Owner,Start date,End date,Compute estimate in H100e (median),"
    "H100e (5th percentile),H100e (95th percentile),Number of Units,Notes\n"
)


def row(df: pl.DataFrame, name: str) -> dict:
    [found] = df.filter(pl.col("estimate_name") == name).to_dicts()
    return found


def test_every_shipped_export_loads_without_quarantine():
    landed = land_files("epoch_ai_chip_counts", *sorted(FOLDER.glob("*.csv")))
    assert landed.landing.rows_read == 255 and landed.frame.height == 255 and landed.quarantined.height == 0
    assert set(landed.frame["manufacturer"]) == {"Nvidia", "AMD", "Google", "Amazon"}
    assert set(landed.landing.files) == {path.name for path in FOLDER.glob("*.csv")}


def test_owner_export_china_row_values():
    df = landed_rows("epoch_ai_chip_counts", FOLDER / "nvidia_owners_quarters.csv")
    assert df.columns == OUTPUT_COLUMNS
    # nvidia_owners_quarters.csv, line "China Q1 2022": 9414 H100e (5th 6099, 95th 14600), 29857 units.
    china = row(df, "China Q1 2022")
    assert (china["manufacturer"], china["owner"], china["chip_type"]) == ("Nvidia", "China", None)
    assert (china["start_date"], china["end_date"]) == (date(2022, 1, 1), date(2022, 3, 31))
    assert (china["h100e_median"], china["h100e_p5"], china["h100e_p95"]) == (9414, 6099, 14600)
    assert (china["units_median"], china["units_p5"], china["units_p95"]) == (29857, 19344, 46304)
    # Notes: "Estimates generated on: 04-15-2026 18:24".
    assert china["estimated_on"] == date(2026, 4, 15) and china["is_incomplete"] is False
    # Same file, "China Q4 2025": Epoch puts NVIDIA's sales to China at zero that quarter.
    assert row(df, "China Q4 2025")["h100e_median"] == 0
    # Same file, "China Q1 2026" notes start "Incomplete: based on Nvidia fiscal quarters ...".
    assert row(df, "China Q1 2026")["is_incomplete"] is True
    # Columns the connector does not map (Total TDP) are kept, not lost.
    assert '"Total TDP (W)": "11942924"' in china["extra_json"]


def test_amd_and_chip_timeline_rows():
    amd = landed_rows("epoch_ai_chip_counts", FOLDER / "amd_owners_quarters.csv")
    # amd_owners_quarters.csv, "China FY25 Q4": 10523 H100e (8605-12837), 31859 units, run 04-03-2026.
    china = row(amd, "China FY25 Q4")
    assert (china["h100e_median"], china["h100e_p5"], china["h100e_p95"]) == (10523, 8605, 12837)
    assert china["start_date"] == date(2025, 10, 1) and china["estimated_on"] == date(2026, 4, 3)
    chips = landed_rows("epoch_ai_chip_counts", FOLDER / "nvidia_calendar_quarter_chip_timelines.csv")
    # nvidia_calendar_quarter_chip_timelines.csv, "Q4 2022 - H100": 32481 H100e (27212-38218).
    h100 = row(chips, "Q4 2022 - H100")
    assert (h100["owner"], h100["chip_type"], h100["h100e_median"]) == (None, "H100", 32481)
    assert (h100["h100e_p5"], h100["h100e_p95"]) == (27212, 38218)
    tpu = landed_rows("epoch_ai_chip_counts", FOLDER / "tpu_calendar_quarter_chip_timelines.csv")
    # tpu_calendar_quarter_chip_timelines.csv, "Q1 2026 - TPU v7": 269852 H100e, marked Incomplete.
    assert row(tpu, "Q1 2026 - TPU v7")["h100e_median"] == 269852
    assert row(tpu, "Q1 2026 - TPU v7")["is_incomplete"] is True


def test_bad_rows_are_quarantined_with_their_reason(tmp_path: Path):
    path = tmp_path / "owners.csv"
    path.write_text(
        HEADER
        + "China Q1 2024,Nvidia,China,1/1/2024,3/31/2024,100,50,150,300,Estimates generated on: 04-15-2026\n"
        + "China Q2 2024,Nvidia,China,4/1/2024,6/30/2024,100,120,150,300,\n"
        + "China Q3 2024,Nvidia,China,9/30/2024,7/1/2024,100,50,150,300,\n"
        + "China Q4 2024,Nvidia,China,10/1/2024,12/31/2024,,,,,\n"
        + "China Q1 2025,Nvidia,China,13/45/2025,3/31/2025,100,50,150,300,\n"
        + "China Q2 2025,Nvidia,China,4/1/2025,6/30/2025,-5,-9,150,300,\n",
        encoding="utf-8",
    )
    landed = land_files("epoch_ai_chip_counts", path)
    assert landed.frame["estimate_name"].to_list() == ["China Q1 2024"]
    assert landed.landing.accounting.balanced and landed.landing.rows_read == 6
    reasons = dict(zip(landed.quarantined["line"], landed.quarantined["reason"], strict=True))
    assert "column 'h100e_median' = 100.0 is before column 'h100e_p5' = 120.0" in reasons[3]
    assert "column 'end_date' = 2024-07-01 is before column 'start_date' = 2024-09-30" in reasons[4]
    assert "column 'h100e_median' is empty" in reasons[5]
    assert "start_date" in reasons[6]
    assert "outside the plausible range" in reasons[7]


def test_columns_are_matched_by_name_and_a_missing_key_header_is_refused(tmp_path: Path):
    path = tmp_path / "reordered.csv"
    path.write_text(
        "End date,Compute estimate in H100e (median),Chip manufacturer,Name,Start date\n"
        "3/31/2024,7,AMD,Q1 2024 - MI300X,1/1/2024\n",
        encoding="utf-8",
    )
    [only] = landed_rows("epoch_ai_chip_counts", path).to_dicts()
    assert (only["manufacturer"], only["h100e_median"], only["owner"]) == ("AMD", 7, None)
    path.write_text(
        "Name,Chip manufacturer,Start date,End date\nA,AMD,1/1/2024,3/31/2024\n", encoding="utf-8"
    )
    with pytest.raises(SourceFormatError, match="h100e_median"):
        load_epoch_ai_chip_counts(path)
