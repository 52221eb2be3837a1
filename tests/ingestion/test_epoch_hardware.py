import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from ingestion.epoch_hardware import OUTPUT_COLUMNS
from ingestion.errors import SourceFormatError
from tests.landing import landed_rows

REAL_FILE = Path(__file__).resolve().parents[3].joinpath("shared", "data", "epoch_ml_hardware_2025-11.csv")
needs_real_file = pytest.mark.skipif(
    not REAL_FILE.exists(), reason=f"real Epoch download not available at {REAL_FILE}"
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hardware.csv"
    path.write_text(text, encoding="utf-8")
    return path


def one(df: pl.DataFrame, name: str) -> dict:
    rows = df.filter(pl.col("hardware_name") == name).to_dicts()
    assert len(rows) == 1, name
    return rows[0]


@needs_real_file
def test_real_file_shape_and_types():
    df = landed_rows("epoch_ml_hardware", REAL_FILE)
    assert df.height == 169
    assert df.columns == OUTPUT_COLUMNS
    assert df["source_row"].to_list() == list(range(1, 170))
    assert df["hardware_name"].null_count() == 0
    assert df.schema["release_date"] == pl.Date
    assert df.schema["tpp"] == pl.Float64


@needs_real_file
def test_real_file_h100_units():
    h100 = one(landed_rows("epoch_ml_hardware", REAL_FILE), "NVIDIA H100 SXM5 80GB")
    assert h100["tpp"] == pytest.approx(15_832, abs=1)
    assert h100["memory_gb"] == pytest.approx(80)
    assert h100["memory_bandwidth_tbps"] == pytest.approx(3.35)
    assert h100["bf16_tflops"] == pytest.approx(989.4)
    assert h100["int8_tops"] == pytest.approx(1979)
    assert h100["fp8_tflops"] is None
    assert h100["release_price_usd"] == pytest.approx(33_600)
    assert h100["intranode_bandwidth_gbps"] == pytest.approx(900)
    assert h100["internode_bandwidth_gbits"] == pytest.approx(400)
    assert h100["tdp_w"] == pytest.approx(700)
    assert h100["release_date"] == date(2022, 9, 20)
    assert h100["manufacturer"] == "NVIDIA"


@needs_real_file
def test_real_file_metax_bandwidth_as_epoch_writes_it():
    # Epoch lists 1.8e13 byte/s (18 TB/s) for the MXC500; the connector reports it unchanged.
    df = landed_rows("epoch_ml_hardware", REAL_FILE)
    for name in ("MetaX MXC500 (PCIe)", "MetaX MXC500 (OAM)"):
        assert one(df, name)["memory_bandwidth_tbps"] == pytest.approx(18.0)
        assert one(df, name)["memory_gb"] == pytest.approx(64)


@needs_real_file
def test_real_file_keeps_multiline_notes_and_unmapped_columns():
    df = landed_rows("epoch_ml_hardware", REAL_FILE)
    gb300 = one(df, "NVIDIA GB300")
    assert gb300["notes"].startswith("Individual GPUs are sometimes called Blackwell Ultra")
    assert "\n\nhttps://resources.nvidia.com/" in gb300["notes"]
    extra = json.loads(one(df, "Google TPU v7 Ironwood")["extra_json"])
    assert extra["Max performance"] == "4614000000000000.0"
    assert "Hardware name" not in extra and "Notes" not in extra


def test_renamed_and_reordered_edition(tmp_path):
    path = write(
        tmp_path,
        "Memory (bytes),Total processing performance (bit-OP/s),Manufacturer,Hardware name,"
        "Memory bandwidth (byte/s),Release date\n"
        "141000000000,15832000000000000,NVIDIA,NVIDIA H200,4800000000000,2023-11-13\n",
    )
    row = landed_rows("epoch_ml_hardware", path).row(0, named=True)
    assert row["hardware_name"] == "NVIDIA H200"
    assert row["manufacturer"] == "NVIDIA"
    assert row["memory_gb"] == pytest.approx(141)
    assert row["memory_bandwidth_tbps"] == pytest.approx(4.8)
    assert row["tpp"] == pytest.approx(15_832)
    assert row["release_date"] == date(2023, 11, 13)
    assert row["extra_json"] == "{}"


def test_header_matching_ignores_case_and_spacing(tmp_path):
    path = write(tmp_path, " hardware  NAME ,TDP (w)\nX1,300\n")
    row = landed_rows("epoch_ml_hardware", path).row(0, named=True)
    assert (row["hardware_name"], row["tdp_w"]) == ("X1", 300.0)


def test_unknown_column_goes_to_extra_json(tmp_path):
    path = write(
        tmp_path,
        "Hardware name,Chiplets,Cooling,TDP (W)\nA,2,liquid,700\nB,,air,300\n",
    )
    df = landed_rows("epoch_ml_hardware", path)
    assert df.columns == OUTPUT_COLUMNS
    assert json.loads(df["extra_json"][0]) == {"Chiplets": "2", "Cooling": "liquid"}
    assert json.loads(df["extra_json"][1]) == {"Cooling": "air"}
    assert df["tdp_w"].to_list() == [700.0, 300.0]


def test_missing_optional_columns_give_typed_nulls(tmp_path):
    path = write(tmp_path, "Hardware name,Manufacturer\nA,Acme\n")
    df = landed_rows("epoch_ml_hardware", path)
    assert df.columns == OUTPUT_COLUMNS
    assert df.schema["tdp_w"] == pl.Float64
    assert df.schema["release_date"] == pl.Date
    assert df["tdp_w"][0] is None and df["memory_gb"][0] is None and df["notes"][0] is None


def test_missing_key_column_raises_clear_error(tmp_path):
    path = write(tmp_path, "Chip,Manufacturer\nA,Acme\n")
    with pytest.raises(SourceFormatError) as error:
        landed_rows("epoch_ml_hardware", path)
    message = str(error.value)
    assert "hardware.csv" in message
    assert "hardware_name" in message
    assert "'Hardware name'" in message
    assert "'Chip'" in message
    assert "aliases" in message
    assert isinstance(error.value, ValueError)


def test_multiline_quoted_note_and_source_row(tmp_path):
    path = write(
        tmp_path,
        "Hardware name,Notes,FP32 (single precision) performance (FLOP/s)\n"
        'A,"line one, with a comma\n\n""quoted"" line three",6.7e13\n'
        "B,,1e12\n",
    )
    df = landed_rows("epoch_ml_hardware", path)
    assert df.height == 2
    assert df["notes"][0] == 'line one, with a comma\n\n"quoted" line three'
    assert df["source_row"].to_list() == [1, 2]
    assert df["fp32_tflops"].to_list() == pytest.approx([67.0, 1.0])


def test_unparseable_values_become_null(tmp_path):
    path = write(tmp_path, "Hardware name,Release date,TDP (W)\nA,sometime in 2024,unknown\nB,2024-02-30,\n")
    df = landed_rows("epoch_ml_hardware", path)
    assert df["release_date"].to_list() == [None, None]
    assert df["tdp_w"].to_list() == [None, None]
