"""The curated reference tables that chipwatch ships in `data/reference/`: names, files, column types.

Plain data with no polars import, so the Dagster code location can list them cheaply.
"""

from collections.abc import Callable
from dataclasses import dataclass

from ingestion.lazy import imported_on_call

COLUMN_TYPES = ("string", "float", "int", "date")

# What kind of source a row cites (validation.expectations.SOURCE_KINDS, docs/SOURCES.md).
SOURCE_KIND = {"source_kind": "string"}

PROVENANCE = {
    "source_name": "string",
    "source_url": "string",
    "as_of": "date",
    "confidence": "string",
}


@dataclass(frozen=True)
class ReferenceTable:
    name: str
    columns: dict[str, str]  # column -> one of COLUMN_TYPES
    derive: Callable | None = None  # over the typed frame (polars), adding derived columns

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"


def curated_table(
    name: str, columns: dict[str, str], derive: Callable | None = None, source_kind=True, note=True
) -> ReferenceTable:
    """A curated table: `columns`, then what every curated row carries (docs/SOURCES.md): the kind
    of source it cites (unless `source_kind` is False), its provenance, and a note (unless `note`
    is False)."""
    return ReferenceTable(
        name,
        {
            **columns,
            **(SOURCE_KIND if source_kind else {}),
            **PROVENANCE,
            **({"note": "string"} if note else {}),
        },
        derive,
    )


REFERENCE_TABLES = {
    table.name: table
    for table in (
        curated_table(
            "chips",
            {
                "chip_name": "string",
                "vendor": "string",
                "origin": "string",
                "epoch_hardware_name": "string",
                "bf16_tflops": "float",
                "int8_tops": "float",
                "memory_gb": "float",
                "memory_bandwidth_tbps": "float",
                "tdp_w": "float",
                "die_area_mm2": "float",
                "interconnect_gbps": "float",
                "process_node": "string",
                "released": "string",
                "price_usd": "float",
            },
        ),
        curated_table(
            "export_control_rules",
            {
                "rule_id": "string",
                "rule_name": "string",
                "published_date": "date",
                "effective_date": "date",
                "rescinded_date": "date",
                "a_tpp_min": "float",
                "a_io_gbps_min": "float",
                "a_tpp_min_with_pd": "float",
                "a_pd_min": "float",
                "b_tpp_min": "float",
                "b_tpp_max": "float",
                "b_pd_min": "float",
                "b_alt_tpp_min": "float",
                "b_alt_pd_min": "float",
                "pd_max_for_b": "float",
                "case_by_case_tpp_max": "float",
                "case_by_case_dram_gbps_max": "float",
            },
        ),
        curated_table(
            "policy_events",
            {
                "event_id": "string",
                "event_date": "date",
                "jurisdiction": "string",
                "authority": "string",
                "event_type": "string",
                "title": "string",
                "title_zh": "string",
                "affected_chips": "string",
                "licence_status": "string",
                "sector": "string",
                "min_domestic_share": "float",
                "share_basis": "string",
                "rescinded_date": "date",
            },
        ),
        curated_table(
            "nvidia_revenue",
            {
                "fiscal_year": "int",
                "fiscal_period": "string",
                "line_type": "string",
                "line": "string",
                "revenue_usd_m": "float",
            },
        ),
        curated_table(
            "market_share_estimates",
            {
                "period": "string",
                "market": "string",
                "basis": "string",
                "vendor": "string",
                "origin": "string",
                "value": "float",
                "value_unit": "string",
                "value_low": "float",
                "value_high": "float",
                "reported_share": "float",
                "forecast": "string",
                "covers_market": "string",
                "publisher": "string",
                "published_date": "date",
            },
        ),
        curated_table(
            "funding_events",
            {
                "company": "string",
                "ticker": "string",
                "exchange": "string",
                "event_type": "string",
                "event_date": "date",
                "currency": "string",
                "offer_price": "float",
                "shares_offered_m": "float",
                "amount_raised": "float",
                "amount_raised_as_written": "string",
                "first_day_open": "float",
                "first_day_close": "float",
                "valuation": "float",
                "valuation_basis": "string",
                "oversubscription": "float",
            },
            derive=imported_on_call("ingestion.funding:with_amounts_as_written"),
        ),
        curated_table(
            "company_financials",
            {
                "company": "string",
                "ticker": "string",
                "fiscal_year": "int",
                "period_end": "date",
                "metric": "string",
                "value": "float",
                "currency": "string",
                "unit": "string",
            },
        ),
        curated_table(
            "claims",
            {
                "claim_id": "string",
                "topic": "string",
                "claim_zh": "string",
                "claim_en": "string",
                "claimed_value": "float",
                "claimed_unit": "string",
            },
            note=False,
        ),
        curated_table(
            "fx_rates",
            {
                "currency": "string",
                "rate_date": "date",
                "usd_per_unit": "float",
            },
            source_kind=False,
        ),
        # The claims' figures one by one: marts.claim_parts judges each, marts.claims_check the claim.
        curated_table(
            "claim_parts",
            {
                "claim_id": "string",
                "part_id": "string",
                "part_en": "string",
                "claimed_value": "float",
                "claimed_unit": "string",
            },
        ),
        # Several sourced observations per figure (docs/SOURCES.md): the values the curated tables'
        # own rows do not carry, each with its source; dbt picks one per figure by the written precedence.
        curated_table(
            "figure_observations",
            {
                "table_name": "string",
                "record_key": "string",
                "field": "string",
                "value": "float",
                "value_text": "string",
                "unit": "string",
            },
        ),
        # Assumptions of the cost models (marts chip_cost_efficiency and cluster_cost_efficiency).
        curated_table(
            "cost_assumptions",
            {
                "parameter": "string",
                "chip_name": "string",
                "value": "float",
                "unit": "string",
            },
        ),
        curated_table(
            "cluster_scenarios",
            {
                "scenario_id": "string",
                "scenario_name": "string",
                "baseline_scenario_id": "string",
                "chip_name": "string",
                "chip_count": "int",
                "scaling_efficiency": "float",
                "overhead_share": "float",
                "market_premium": "float",
                "chip_price_usd": "float",
            },
        ),
    )
}
