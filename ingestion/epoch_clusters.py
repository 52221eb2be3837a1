"""Epoch AI "GPU Clusters" (AI supercomputers) CSV -> one row per cluster."""

from pathlib import Path

import polars as pl

from ingestion.cells import read_typed
from ingestion.columns import EXTRA_JSON, SOURCE_ROW, SourceColumn, map_columns
from ingestion.quarantine import Load, quarantine_records
from ingestion.source_text import INTERNAL_COLUMNS, parse_csv

COLUMNS = (
    SourceColumn("cluster_name", ("Name", "Cluster name"), key=True),
    SourceColumn("status", ("Status",)),
    SourceColumn("certainty", ("Certainty",)),
    SourceColumn("country", ("Country",)),
    SourceColumn("owner", ("Owner",)),
    SourceColumn("sector", ("Sector",)),
    SourceColumn("chip_type", ("Chip type (primary)", "Chip type")),
    SourceColumn("chip_quantity", ("Chip quantity (primary)", "Chip quantity")),
    SourceColumn("chip_type_secondary", ("Chip type (secondary)",)),
    SourceColumn("chip_quantity_secondary", ("Chip quantity (secondary)",)),
    SourceColumn("total_chips", ("Total number of AI chips",)),
    SourceColumn("h100_equivalents", ("H100 equivalents",)),
    SourceColumn("power_mw", ("Power Capacity (MW)",)),
    SourceColumn("hardware_cost_usd", ("Hardware Cost", "Hardware cost (USD)")),
    SourceColumn("first_operational_date", ("First Operational Date",)),
    SourceColumn("decommissioned_date", ("Decommissioned Date (if applicable)", "Decommissioned Date")),
    SourceColumn("location", ("Location",)),
    SourceColumn("users", ("Users",)),
    SourceColumn("gpu_supplier", ("GPU Supplier (primary)", "GPU Supplier")),
    SourceColumn("max_ops", ("Max OP/s",)),
    SourceColumn("bf16_ops", ("16-bit OP/s",)),
    SourceColumn("source_url", ("Source 1", "Source")),
    SourceColumn("notes", ("Note", "Notes")),
)

FLOAT_COLUMNS = ("h100_equivalents", "power_mw", "hardware_cost_usd", "max_ops", "bf16_ops")
COUNT_COLUMNS = ("chip_quantity", "chip_quantity_secondary", "total_chips")
# Epoch writes US dates (4/1/2021), sometimes ISO, sometimes only a month (2021-07 -> 1 July).
DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%Y-%m", "%Y/%m/%d")  # and Chinese dates (ingestion.cells)

OUTPUT_COLUMNS = [column.name for column in COLUMNS] + [EXTRA_JSON, SOURCE_ROW]
TABLE = "epoch_gpu_clusters"


def load_epoch_gpu_clusters(path: str | Path) -> Load:
    """Read any edition of Epoch AI's GPU Clusters CSV; see COLUMNS for the accepted headers.

    An optional cell that cannot be read is null, its text kept in `extra_json` under
    `_unreadable`; rows without a name or with an implausible value are quarantined. Names
    repeat in Epoch's data (phases of one site), so they are not a key."""
    path = Path(path)
    text = parse_csv(path)
    mapped = map_columns(text.frame, COLUMNS, path)
    dates = {column: DATE_FORMATS for column in ("first_operational_date", "decommissioned_date")}
    numbers = dict.fromkeys((*FLOAT_COLUMNS, *COUNT_COLUMNS), 1.0)
    typed = read_typed(mapped, numbers, dates, unreadable="keep")
    typed = typed.with_columns(pl.col(column).round().cast(pl.Int64) for column in COUNT_COLUMNS)
    typed = typed.select(*OUTPUT_COLUMNS, *INTERNAL_COLUMNS)
    return Load(typed, quarantine_records(text.rejected, path.name), text.rows_read, (path.name,))
