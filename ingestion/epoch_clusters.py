"""Epoch AI "GPU Clusters" (AI supercomputers) CSV -> one row per cluster."""

from pathlib import Path

import polars as pl

from ingestion.columns import (
    EXTRA_JSON,
    SOURCE_ROW,
    SourceColumn,
    map_columns,
    read_csv_as_text,
    to_date,
    to_float,
)

EPOCH_CLUSTERS_SOURCE = {
    "source_name": "Epoch AI, GPU Clusters",
    "source_url": "https://epoch.ai/data/gpu-clusters",
    "licence": "CC-BY 4.0",
}

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
DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%Y-%m")

OUTPUT_COLUMNS = [column.name for column in COLUMNS] + [EXTRA_JSON, SOURCE_ROW]


def read_epoch_gpu_clusters(path: str | Path) -> pl.DataFrame:
    """Read any edition of Epoch AI's GPU Clusters CSV; see COLUMNS for the accepted headers."""
    text = map_columns(read_csv_as_text(path), COLUMNS, path)
    return text.with_columns(
        *(to_float(column) for column in FLOAT_COLUMNS),
        *(to_float(column).round().cast(pl.Int64) for column in COUNT_COLUMNS),
        *(to_date(column, DATE_FORMATS) for column in ("first_operational_date", "decommissioned_date")),
    ).select(OUTPUT_COLUMNS)
