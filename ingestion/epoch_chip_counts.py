"""Epoch AI "AI chip counts" CSV exports -> one row per estimate (a quarter of a maker's chips).

The exports of github.com/epoch-research/ai-chip-counts share one layout: a row names the
chip maker, the calendar quarter, and Epoch's median, 5th and 95th percentile of the chips
sold, in H100-equivalents and in units; the owner files add the buyer (China among them),
the chip-timeline files the chip type.
"""

from pathlib import Path

import polars as pl

from ingestion.cells import read_typed
from ingestion.columns import EXTRA_JSON, SOURCE_ROW, SourceColumn, map_columns
from ingestion.quarantine import REASON, Load, apply, quarantine_records
from ingestion.source_text import INTERNAL_COLUMNS, parse_csv

COLUMNS = (
    SourceColumn("estimate_name", ("Name",), key=True),
    SourceColumn("manufacturer", ("Chip manufacturer",), key=True),
    SourceColumn("owner", ("Owner",)),
    SourceColumn("chip_type", ("Chip type",)),
    SourceColumn("start_date", ("Start date",), key=True),
    SourceColumn("end_date", ("End date",), key=True),
    SourceColumn("h100e_median", ("Compute estimate in H100e (median)",), key=True),
    SourceColumn("h100e_p5", ("H100e (5th percentile)", "Compute estimate in H100e (5th percentile)")),
    SourceColumn("h100e_p95", ("H100e (95th percentile)", "Compute estimate in H100e (95th percentile)")),
    SourceColumn("units_median", ("Number of Units", "Number of units (median)")),
    SourceColumn("units_p5", ("Number of Units (5th percentile)", "Number of units (5th percentile)")),
    SourceColumn("units_p95", ("Number of Units (95th percentile)", "Number of units (95th percentile)")),
    SourceColumn("incomplete", ("Incomplete",)),
    SourceColumn("source_url", ("Source / Link", "Source")),
    SourceColumn("notes", ("Notes", "Note")),
)

NUMBER_COLUMNS = ("h100e_median", "h100e_p5", "h100e_p95", "units_median", "units_p5", "units_p95")
# Epoch writes US dates (1/1/2022); ISO dates are read too.
DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d")
# "Estimates generated on: 04-15-2026 18:24" in Notes dates the model run that made the row.
GENERATED_ON = r"Estimates generated on:\s*(\d{1,2}-\d{1,2}-\d{4})"

DERIVED_COLUMNS = ["estimated_on", "is_incomplete"]
OUTPUT_COLUMNS = [column.name for column in COLUMNS] + [*DERIVED_COLUMNS, EXTRA_JSON, SOURCE_ROW]
TABLE = "epoch_ai_chip_counts"


def load_epoch_ai_chip_counts(path: str | Path) -> Load:
    """Read one CSV export of Epoch's AI chip counts; see COLUMNS for the accepted headers.

    Rows without a name, maker, quarter or median, with an unreadable date or number, a quarter
    that ends before it starts, percentiles out of order, or an implausible value are
    quarantined with the reason. Columns not mapped (power, TDP) are kept in `extra_json`."""
    path = Path(path)
    text = parse_csv(path)
    mapped = map_columns(text.frame, COLUMNS, path)
    dates = dict.fromkeys(("start_date", "end_date"), DATE_FORMATS)
    typed = read_typed(mapped, dict.fromkeys(NUMBER_COLUMNS, 1.0), dates)
    notes = pl.col("notes")
    typed = typed.with_columns(
        notes.str.extract(GENERATED_ON).str.strptime(pl.Date, "%m-%d-%Y", strict=False).alias("estimated_on"),
        (pl.col("incomplete").is_not_null() | notes.str.starts_with("Incomplete").fill_null(False)).alias(
            "is_incomplete"
        ),
    )
    typed = typed.select(*OUTPUT_COLUMNS, *INTERNAL_COLUMNS, REASON)
    load = Load(typed, quarantine_records(text.rejected, path.name), text.rows_read, (path.name,))
    return apply(load)
