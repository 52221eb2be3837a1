import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from ingestion.epoch_clusters import OUTPUT_COLUMNS
from ingestion.errors import SourceFormatError
from tests.landing import landed_rows

REAL_FILE = Path(__file__).resolve().parents[3].joinpath("shared", "data", "epoch_gpu_clusters.csv")
needs_real_file = pytest.mark.skipif(
    not REAL_FILE.exists(), reason=f"real Epoch download not available at {REAL_FILE}"
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "clusters.csv"
    path.write_text(text, encoding="utf-8")
    return path


@needs_real_file
def test_real_file_counts_and_types():
    df = landed_rows("epoch_gpu_clusters", REAL_FILE)
    assert df.height == 786
    assert df.columns == OUTPUT_COLUMNS
    assert df.filter(pl.col("country") == "China").height == 253
    assert df["cluster_name"].null_count() == 0
    assert df["source_row"].to_list() == list(range(1, 787))
    assert df.schema["first_operational_date"] == pl.Date
    assert df.schema["chip_quantity"] == pl.Int64
    assert df.schema["h100_equivalents"] == pl.Float64


@needs_real_file
def test_real_file_parses_every_date_and_number_present():
    raw = pl.read_csv(REAL_FILE, infer_schema=False)
    df = landed_rows("epoch_gpu_clusters", REAL_FILE)
    pairs = {
        "First Operational Date": "first_operational_date",
        "Decommissioned Date (if applicable)": "decommissioned_date",
        "Chip quantity (primary)": "chip_quantity",
        "H100 equivalents": "h100_equivalents",
        "Power Capacity (MW)": "power_mw",
        "Hardware Cost": "hardware_cost_usd",
        "16-bit OP/s": "bf16_ops",
    }
    for source, canonical in pairs.items():
        assert df[canonical].null_count() == raw[source].null_count(), source


@needs_real_file
def test_real_file_values():
    df = landed_rows("epoch_gpu_clusters", REAL_FILE)
    summit = df.filter(pl.col("cluster_name") == "Oak Ridge NL Summit").row(0, named=True)
    assert summit["decommissioned_date"] == date(2024, 11, 15)
    # Epoch gives this one only as a month, "2021-07".
    mn1b = df.filter(pl.col("cluster_name") == "Preferred Networks MN-1b").row(0, named=True)
    assert mn1b["decommissioned_date"] == date(2021, 7, 1)
    xai = df.filter(pl.col("cluster_name") == "xAI 5 year plan").row(0, named=True)
    assert xai["max_ops"] == pytest.approx(9.9e22)
    assert xai["source_url"] == "https://archive.ph/RTF6i"
    assert json.loads(xai["extra_json"])["First Operational Date Note"] == "Planned 2030"


def test_reordered_edition_with_unknown_column_and_multiline_note(tmp_path):
    path = write(
        tmp_path,
        "Country,Chip quantity (primary),Cooling,Name,First Operational Date,Note,Source 1,Source 2\n"
        'China,"10,000",liquid,Cluster A,4/1/2021,"8 GPUs per node\nsecond line",https://a.example,\n'
        "United States of America,512,,Cluster B,2024-03-05,,,https://b2.example\n",
    )
    df = landed_rows("epoch_gpu_clusters", path)
    assert df.columns == OUTPUT_COLUMNS
    assert df["cluster_name"].to_list() == ["Cluster A", "Cluster B"]
    assert df["country"].to_list() == ["China", "United States of America"]
    assert df["chip_quantity"].to_list() == [10_000, 512]
    assert df["first_operational_date"].to_list() == [date(2021, 4, 1), date(2024, 3, 5)]
    assert df["notes"][0] == "8 GPUs per node\nsecond line"
    assert df["source_url"].to_list() == ["https://a.example", None]
    assert json.loads(df["extra_json"][0]) == {"Cooling": "liquid"}
    assert json.loads(df["extra_json"][1]) == {"Source 2": "https://b2.example"}
    assert df["source_row"].to_list() == [1, 2]


def test_missing_optional_columns_give_typed_nulls(tmp_path):
    df = landed_rows("epoch_gpu_clusters", write(tmp_path, "Name,Status\nCluster A,Existing\n"))
    assert df.columns == OUTPUT_COLUMNS
    assert df.schema["power_mw"] == pl.Float64
    assert df.schema["decommissioned_date"] == pl.Date
    assert df["power_mw"][0] is None and df["country"][0] is None
    assert df["status"][0] == "Existing"


def test_missing_key_column_raises_clear_error(tmp_path):
    with pytest.raises(SourceFormatError, match=r"clusters\.csv: required column 'cluster_name'.*'Name'"):
        landed_rows("epoch_gpu_clusters", write(tmp_path, "Cluster,Status\nA,Existing\n"))
