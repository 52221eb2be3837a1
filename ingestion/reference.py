"""The curated reference tables that chipwatch ships in `data/reference/`.

Each table is read with an explicit schema: every column must be present, and a cell that
cannot be read as its column's type is a clear error naming the file, line, column and value.
"""

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingestion.errors import SourceFormatError

PROVENANCE = {
    "source_name": pl.String,
    "source_url": pl.String,
    "as_of": pl.Date,
    "confidence": pl.String,
}


@dataclass(frozen=True)
class ReferenceTable:
    name: str
    file_name: str
    columns: dict[str, type[pl.DataType] | pl.DataType]


REFERENCE_TABLES = {
    table.name: table
    for table in (
        ReferenceTable(
            "chips",
            "chips.csv",
            {
                "chip_name": pl.String,
                "vendor": pl.String,
                "origin": pl.String,
                "epoch_hardware_name": pl.String,
                "bf16_tflops": pl.Float64,
                "int8_tops": pl.Float64,
                "memory_gb": pl.Float64,
                "memory_bandwidth_tbps": pl.Float64,
                "tdp_w": pl.Float64,
                "die_area_mm2": pl.Float64,
                "interconnect_gbps": pl.Float64,
                "process_node": pl.String,
                "released": pl.String,
                "price_usd": pl.Float64,
                **PROVENANCE,
                "note": pl.String,
            },
        ),
        ReferenceTable(
            "export_control_rules",
            "export_control_rules.csv",
            {
                "rule_id": pl.String,
                "rule_name": pl.String,
                "published_date": pl.Date,
                "effective_date": pl.Date,
                "rescinded_date": pl.Date,
                "a_tpp_min": pl.Float64,
                "a_io_gbps_min": pl.Float64,
                "a_tpp_min_with_pd": pl.Float64,
                "a_pd_min": pl.Float64,
                "b_tpp_min": pl.Float64,
                "b_tpp_max": pl.Float64,
                "b_pd_min": pl.Float64,
                "b_alt_tpp_min": pl.Float64,
                "b_alt_pd_min": pl.Float64,
                "pd_max_for_b": pl.Float64,
                "case_by_case_tpp_max": pl.Float64,
                "case_by_case_dram_gbps_max": pl.Float64,
                **PROVENANCE,
                "note": pl.String,
            },
        ),
        ReferenceTable(
            "policy_events",
            "policy_events.csv",
            {
                "event_id": pl.String,
                "event_date": pl.Date,
                "jurisdiction": pl.String,
                "authority": pl.String,
                "event_type": pl.String,
                "title": pl.String,
                "title_zh": pl.String,
                "affected_chips": pl.String,
                "licence_status": pl.String,
                "sector": pl.String,
                "min_domestic_share": pl.Float64,
                "share_basis": pl.String,
                "rescinded_date": pl.Date,
                **PROVENANCE,
                "note": pl.String,
            },
        ),
        ReferenceTable(
            "nvidia_datacenter_revenue",
            "nvidia_datacenter_revenue.csv",
            {
                "fiscal_year": pl.Int32,
                "fiscal_quarter": pl.Int32,
                "segment": pl.String,
                "revenue_usd_m": pl.Float64,
                **PROVENANCE,
            },
        ),
        ReferenceTable(
            "china_accelerator_shipments",
            "china_accelerator_shipments.csv",
            {
                "period": pl.String,
                "market": pl.String,
                "vendor": pl.String,
                "origin": pl.String,
                "units": pl.Float64,
                "reported_share": pl.Float64,
                **PROVENANCE,
                "note": pl.String,
            },
        ),
        ReferenceTable(
            "funding_events",
            "funding_events.csv",
            {
                "company": pl.String,
                "ticker": pl.String,
                "exchange": pl.String,
                "event_type": pl.String,
                "event_date": pl.Date,
                "currency": pl.String,
                "offer_price": pl.Float64,
                "shares_offered_m": pl.Float64,
                "amount_raised": pl.Float64,
                "amount_raised_as_written": pl.String,
                "first_day_open": pl.Float64,
                "first_day_close": pl.Float64,
                "valuation": pl.Float64,
                "valuation_basis": pl.String,
                "oversubscription": pl.Float64,
                **PROVENANCE,
                "note": pl.String,
            },
        ),
    )
}


def read_reference_csv(path: Path, table: ReferenceTable) -> pl.DataFrame:
    """Read one curated CSV into a frame typed by `table.columns`."""
    text_frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
    missing = [column for column in table.columns if column not in text_frame.columns]
    unknown = [column for column in text_frame.columns if column not in table.columns]
    if missing or unknown:
        raise SourceFormatError(
            f"{path}: columns do not match the '{table.name}' reference table "
            f"(missing: {missing or 'none'}; unknown: {unknown or 'none'}). "
            f"Expected, in any order: {list(table.columns)}."
        )
    text_frame = text_frame.select(
        pl.col(column).str.strip_chars().replace("", None) for column in table.columns
    )
    typed = text_frame.select(_cast(column, dtype) for column, dtype in table.columns.items())
    _raise_on_unreadable_cells(path, text_frame, typed)
    return typed


def _cast(column: str, dtype: type[pl.DataType] | pl.DataType) -> pl.Expr:
    if dtype == pl.Date:
        return pl.col(column).str.to_date("%Y-%m-%d", strict=False)
    return pl.col(column).cast(dtype, strict=False)


def _raise_on_unreadable_cells(path: Path, text_frame: pl.DataFrame, typed: pl.DataFrame) -> None:
    for column in typed.columns:
        unreadable = text_frame[column].is_not_null() & typed[column].is_null()
        if unreadable.any():
            row_index = unreadable.arg_true()[0]
            raise SourceFormatError(
                f"{path}, line {row_index + 2}, column '{column}': "
                f"cannot read {text_frame[column][row_index]!r} as {typed.schema[column]}. "
                "Fix the cell (numbers plain, dates YYYY-MM-DD) and re-run."
            )
