"""Epoch AI "Machine Learning Hardware" CSV -> one row per accelerator, in canonical units."""

from pathlib import Path

import polars as pl

from ingestion.cells import read_typed
from ingestion.columns import EXTRA_JSON, SOURCE_ROW, SourceColumn, map_columns
from ingestion.quarantine import Load, quarantine_records
from ingestion.source_text import INTERNAL_COLUMNS, parse_csv

TERA = 1e12
GIGA = 1e9

COLUMNS = (
    SourceColumn("hardware_name", ("Hardware name", "Hardware", "Name"), key=True),
    SourceColumn("manufacturer", ("Manufacturer",)),
    SourceColumn("hardware_type", ("Type", "Hardware type")),
    SourceColumn("release_date", ("Release date",)),
    SourceColumn("release_price_usd", ("Release price (USD)", "Price (USD)")),
    SourceColumn(
        "fp64_tflops", ("FP64 (double precision) performance (FLOP/s)", "FP64 performance (FLOP/s)")
    ),
    SourceColumn(
        "fp32_tflops", ("FP32 (single precision) performance (FLOP/s)", "FP32 performance (FLOP/s)")
    ),
    SourceColumn("fp16_tflops", ("FP16 (half precision) performance (FLOP/s)", "FP16 performance (FLOP/s)")),
    SourceColumn("tf32_tflops", ("TF32 (TensorFloat-32) performance (FLOP/s)", "TF32 performance (FLOP/s)")),
    SourceColumn("bf16_tflops", ("Tensor-FP16/BF16 performance (FLOP/s)", "BF16 performance (FLOP/s)")),
    SourceColumn("int16_tops", ("INT16 performance (OP/s)",)),
    SourceColumn("int8_tops", ("INT8 performance (OP/s)",)),
    SourceColumn("int4_tops", ("INT4/FP4 performance (OP/s)", "INT4 performance (OP/s)")),
    SourceColumn("fp8_tflops", ("FP8 performance (FLOP/s)",)),
    SourceColumn("fp4_tflops", ("FP4 performance (FLOP/s)",)),
    SourceColumn("memory_gb", ("Memory size per board (Byte)", "Memory (bytes)", "Memory size (bytes)")),
    SourceColumn("memory_bandwidth_tbps", ("Memory bandwidth (byte/s)", "Memory bandwidth (bytes/s)")),
    SourceColumn(
        "intranode_bandwidth_gbps", ("Intranode bandwidth (byte/s)", "Intranode bandwidth (bytes/s)")
    ),
    SourceColumn(
        "internode_bandwidth_gbits", ("Internode bandwidth (bit/s)", "Internode bandwidth (bits/s)")
    ),
    SourceColumn("die_area_mm2", ("Die Size (mm^2)", "Die size (mm2)", "Die area (mm^2)")),
    SourceColumn("tdp_w", ("TDP (W)",)),
    SourceColumn("process_nm", ("Process size (nm)", "Process node (nm)")),
    SourceColumn("foundry", ("Foundry",)),
    SourceColumn("transistors_millions", ("Transistors (millions)",)),
    SourceColumn("tpp", ("Total processing performance (bit-OP/s)", "TPP (bit-OP/s)")),
    SourceColumn("datasheet_url", ("Link to datasheet", "Datasheet")),
    SourceColumn("price_source", ("Source for the price", "Price source")),
    SourceColumn("last_modified", ("Last modified",)),
    SourceColumn("notes", ("Notes", "Note")),
)

# canonical column -> divisor from Epoch's SI unit (FLOP/s, OP/s, byte, byte/s, bit/s, bit-OP/s)
DIVISORS = {
    "release_price_usd": 1.0,
    "fp64_tflops": TERA,
    "fp32_tflops": TERA,
    "fp16_tflops": TERA,
    "tf32_tflops": TERA,
    "bf16_tflops": TERA,
    "int16_tops": TERA,
    "int8_tops": TERA,
    "int4_tops": TERA,
    "fp8_tflops": TERA,
    "fp4_tflops": TERA,
    "memory_gb": GIGA,
    "memory_bandwidth_tbps": TERA,
    "intranode_bandwidth_gbps": GIGA,
    "internode_bandwidth_gbits": GIGA,
    "die_area_mm2": 1.0,
    "tdp_w": 1.0,
    "process_nm": 1.0,
    "transistors_millions": 1.0,
    "tpp": TERA,
}

OUTPUT_COLUMNS = [column.name for column in COLUMNS] + [EXTRA_JSON, SOURCE_ROW]
# Epoch writes ISO or US dates; Chinese and other unambiguous forms are read too.
RELEASE_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d", "%Y年%m月%d日", "%d %B %Y", "%B %d, %Y")
TABLE = "epoch_ml_hardware"


def load_epoch_ml_hardware(path: str | Path) -> Load:
    """Read any edition of Epoch AI's ML Hardware CSV; see COLUMNS for the accepted headers.

    A number may carry its unit ("141GB", "4.8 TB/s"): it is converted to the column's unit;
    an optional cell that still cannot be read is null, its text kept in `extra_json` under
    `_unreadable`. Rows without a name, with an implausible value (the raw suite's bounds) or
    repeating a name are quarantined."""
    path = Path(path)
    text = parse_csv(path)
    mapped = map_columns(text.frame, COLUMNS, path)
    typed = read_typed(mapped, DIVISORS, {"release_date": RELEASE_DATE_FORMATS}, unreadable="keep")
    typed = typed.with_columns(
        pl.col("last_modified")
        .str.strip_chars()
        .str.to_datetime("%Y-%m-%d %H:%M:%S%z", time_zone="UTC", strict=False),
    ).select(*OUTPUT_COLUMNS, *INTERNAL_COLUMNS)
    return Load(typed, quarantine_records(text.rejected, path.name), text.rows_read, (path.name,))
