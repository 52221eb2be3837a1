"""Suites for the dbt staging tables."""

from ingestion.registry import CARD_STATUSES
from validation.expectations import (
    ORIGINS,
    SHARE_BASES,
    Expectation,
    between,
    chip_specs,
    in_set,
    not_before,
    not_null,
    provenance,
    unique,
    unique_together,
)

STAGING_SUITES: dict[str, list[Expectation]] = {
    "stg_reference__chips": [
        unique("chip_name"),
        *chip_specs(),
        between("tpp", 1, 1_000_000),
        between("performance_density", 0.01, 1_000),
        *provenance(),
    ],
    "stg_reference__export_control_rules": [unique("rule_id"), not_null("effective_date"), *provenance()],
    "stg_reference__policy_events": [unique("event_id"), not_null("event_date"), *provenance()],
    "stg_reference__nvidia_revenue": [
        unique_together("fiscal_year", "fiscal_period", "line_type", "line", "source_name"),
        *provenance(),
    ],
    "stg_sec__revenue_by_geography": [
        unique_together("_source_file", "fiscal_year", "fiscal_period", "member"),
        not_null("fiscal_year"),
        between("revenue_usd_m", 0, 10_000_000),
        *provenance(),
    ],
    "stg_sec__revenue_by_segment": [
        unique_together("_source_file", "fiscal_year", "fiscal_period", "line_type", "member"),
        not_null("fiscal_year"),
        between("revenue_usd_m", 0, 10_000_000),
        *provenance(),
    ],
    "stg_reference__market_share_estimates": [
        in_set("origin", ORIGINS),
        in_set("basis", SHARE_BASES),
        between("value", 0, None),
        *provenance(),
    ],
    "stg_reference__funding_events": [
        between("first_day_return", -1, 100),
        *provenance(),
    ],
    "stg_reference__company_financials": [
        unique_together("company", "fiscal_year", "metric", "source_name"),
        *provenance(),
    ],
    "stg_reference__claims": [unique("claim_id"), *provenance()],
    "stg_reference__claim_parts": [unique("part_id"), not_null("claim_id"), *provenance()],
    "stg_reference__figure_observations": [
        unique_together("table_name", "record_key", "field", "source_name"),
        not_null("field"),
        *provenance(),
    ],
    "stg_reference__fx_rates": [unique_together("currency", "rate_date"), *provenance()],
    "stg_epoch__ml_hardware": [unique("hardware_name"), *chip_specs(), *provenance()],
    "stg_epoch__ai_chip_counts": [
        unique("estimate_id"),
        between("h100e_median", 0, None),
        between("h100e_p5", 0, None),
        *provenance(),
    ],
    "stg_epoch__gpu_clusters": [unique("cluster_id"), between("h100_equivalents", 0, None), *provenance()],
    "stg_nvidia__revenue_by_market": [
        unique_together("fiscal_year", "fiscal_quarter", "segment"),
        between("revenue_usd_m", -100_000, 1_000_000),
        *provenance(),
    ],
    # Tens of millions of rows: validated in batches of tickers, the table's sort order.
    "stg_prices__daily": [
        unique_together("ticker", "trade_date"),
        not_null("close"),
        between("close", 0.0001, 10_000_000),
        *provenance(),
    ],
}

# Cost-model assumptions and the synthetic data centres (issue 4).
STAGING_SUITES.update(
    {
        "stg_reference__cost_assumptions": [
            unique_together("parameter", "chip_name"),
            not_null("value"),
            *provenance(),
        ],
        "stg_reference__cluster_scenarios": [
            unique("scenario_id"),
            between("scaling_efficiency", 0.01, 1),
            *provenance(),
        ],
        "stg_synthetic__datacenters": [
            unique_together("datacenter_id", "chip_name"),
            in_set("dataset", ["synthetic"]),
            between("cards", 1, None),
            *provenance(),
        ],
    }
)

# Card inventories and procurement lines from the inbox (ingestion/lander.py): no row count,
# the folders may be empty. Validated in batches of the key's values.
STAGING_SUITES.update(
    {
        "stg_datacenters__cards": [
            unique("card_serial"),
            not_null("datacenter_id"),
            not_null("chip_name"),
            in_set("card_status", CARD_STATUSES),
            in_set("dataset", ["reported", "synthetic"]),
            *provenance(),
        ],
        "stg_datacenters__procurement_lines": [
            unique("po_line_id"),
            not_null("datacenter_id"),
            not_null("order_date"),
            between("units", 0, None),
            between("amount", 0, None),
            between("amount_usd", 0, None),
            not_before("delivery_date", "order_date"),
            in_set("dataset", ["reported", "synthetic"]),
            *provenance(),
        ],
    }
)
