"""The curated reference tables: every file loads with its schema, bad cells are named precisely."""

import shutil

import pytest
from conftest import PROJECT_ROOT

from ingestion.errors import SourceFormatError
from ingestion.reference import read_reference_csv
from ingestion.reference_tables import REFERENCE_TABLES

REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"

DOMAIN_CHIPS = [
    "NVIDIA A100 SXM 80GB",
    "NVIDIA H100 SXM5",
    "NVIDIA H800 SXM5",
    "NVIDIA H20",
    "NVIDIA H200 SXM",
    "NVIDIA B200",
    "NVIDIA L20",
    "NVIDIA GeForce RTX 4090",
    "Huawei Ascend 910B",
    "Huawei Ascend 910C",
    "Cambricon MLU370-X8",
    "Cambricon MLU590",
    "Moore Threads MTT S4000",
    "MetaX MXC500 OAM",
    "Biren BR100",
    "Hygon K100",
    "Iluvatar BI-V150",
    "Enflame T21",
    "Moore Threads MTT S80",
    "MetaX C588",
    "MetaX C600",
    "NVIDIA B20",
]


@pytest.mark.parametrize("table", REFERENCE_TABLES.values(), ids=lambda table: table.name)
def test_every_reference_file_loads_with_provenance(table):
    frame = read_reference_csv(REFERENCE_DIR / table.file_name, table)
    assert frame.height > 0
    assert frame["source_name"].null_count() == 0
    assert frame["as_of"].null_count() == 0
    assert set(frame["confidence"].unique()) <= {"reported", "derived", "estimated", "claimed"}


def test_chips_cover_every_chip_in_the_domain_table():
    chips = read_reference_csv(REFERENCE_DIR / "chips.csv", REFERENCE_TABLES["chips"])
    missing = set(DOMAIN_CHIPS) - set(chips["chip_name"])
    assert not missing


def test_chips_without_a_found_figure_stay_null_with_a_note():
    chips = read_reference_csv(REFERENCE_DIR / "chips.csv", REFERENCE_TABLES["chips"])
    c588 = chips.filter(chips["chip_name"] == "MetaX C588").row(0, named=True)
    assert c588["bf16_tflops"] is None and c588["memory_gb"] is None
    assert c588["note"]


def test_an_unreadable_cell_is_named_by_file_line_and_column(tmp_path):
    bad = tmp_path / "chips.csv"
    shutil.copy(REFERENCE_DIR / "chips.csv", bad)
    lines = bad.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("tdp_w")] = "700 kg"
    lines[1] = ",".join(cells)
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"line 2, column 'tdp_w': cannot read '700 kg'"):
        read_reference_csv(bad, REFERENCE_TABLES["chips"])


def test_a_missing_column_is_a_clear_error(tmp_path):
    bad = tmp_path / "export_control_rules.csv"
    text = (REFERENCE_DIR / "export_control_rules.csv").read_text(encoding="utf-8")
    bad.write_text(text.replace("a_tpp_min,", "a_tpp_minimum,", 1), encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"missing: \['a_tpp_min'\]; unknown: \['a_tpp_minimum'\]"):
        read_reference_csv(bad, REFERENCE_TABLES["export_control_rules"])


def test_funding_amounts_are_read_as_written_and_checked_against_the_numbers():
    import polars as pl

    from ingestion.funding import with_amounts_as_written

    frame = pl.DataFrame(
        {
            "amount_raised": [None, 4_197_000_000.0, 1_000.0, 5.0],
            "currency": [None, "CNY", "CNY", "CNY"],
            "amount_raised_as_written": ["55.83亿港元", "41.97亿元", "80亿元", "undisclosed"],
        }
    )
    result = with_amounts_as_written(frame)
    assert result["amount_raised"].to_list() == [5_583_000_000.0, 4_197_000_000.0, 1_000.0, 5.0]
    assert result["currency"].to_list() == ["HKD", "CNY", "CNY", "CNY"]
    # Null where there is nothing to compare: one reading only.
    assert result["amount_matches_as_written"].to_list() == [None, True, False, None]
