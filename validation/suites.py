"""Expectation suites, one per table, grouped by stage: raw frames, staging tables, marts.

A suite is data (expectation class name and arguments) so it can be read and tested
without importing GX; `validation.runner` turns it into GX expectations.
"""

from dataclasses import dataclass, field

CONFIDENCE_LEVELS = ["reported", "estimated", "claimed"]
ORIGINS = ["domestic", "foreign"]


@dataclass(frozen=True)
class Expectation:
    kind: str
    kwargs: dict = field(default_factory=dict)


def not_null(column: str) -> Expectation:
    return Expectation("ExpectColumnValuesToNotBeNull", {"column": column})


def unique(column: str) -> Expectation:
    return Expectation("ExpectColumnValuesToBeUnique", {"column": column})


def unique_together(*columns: str) -> Expectation:
    return Expectation("ExpectCompoundColumnsToBeUnique", {"column_list": list(columns)})


def in_set(column: str, values: list) -> Expectation:
    return Expectation("ExpectColumnValuesToBeInSet", {"column": column, "value_set": values})


def between(column: str, low: float | None = None, high: float | None = None) -> Expectation:
    return Expectation(
        "ExpectColumnValuesToBeBetween", {"column": column, "min_value": low, "max_value": high}
    )


def has_rows(minimum: int = 1) -> Expectation:
    return Expectation("ExpectTableRowCountToBeBetween", {"min_value": minimum})


def provenance() -> list[Expectation]:
    """Every row names its source, its as-of date and its confidence."""
    return [
        not_null("source_name"),
        not_null("as_of"),
        not_null("confidence"),
        in_set("confidence", CONFIDENCE_LEVELS),
    ]


def chip_specs() -> list[Expectation]:
    """Physical bounds for accelerator specifications (nulls are allowed: not yet found)."""
    return [
        between("bf16_tflops", 0.1, 100_000),
        between("memory_gb", 1, 10_000),
        between("memory_bandwidth_tbps", 0.01, 100),
        between("tdp_w", 1, 10_000),
    ]


RAW_SUITES: dict[str, list[Expectation]] = {
    "chips": [
        has_rows(20),
        not_null("chip_name"),
        unique("chip_name"),
        not_null("vendor"),
        in_set("origin", ORIGINS),
        *chip_specs(),
        between("int8_tops", 0.1, 1_000_000),
        between("die_area_mm2", 10, 5_000),
        between("interconnect_gbps", 1, 100_000),
        between("price_usd", 1, 10_000_000),
        *provenance(),
    ],
    "export_control_rules": [
        has_rows(2),
        not_null("rule_id"),
        unique("rule_id"),
        not_null("effective_date"),
        between("a_tpp_min", 1, None),
        between("a_pd_min", 0, None),
        *provenance(),
    ],
    "policy_events": [
        has_rows(10),
        unique("event_id"),
        not_null("event_date"),
        in_set("jurisdiction", ["US", "CN"]),
        in_set(
            "event_type",
            ["export_rule", "licence_policy", "compute_target", "domestic_chip_requirement", "regulatory_action"],
        ),
        in_set("licence_status", ["not controlled", "licence required", "case-by-case", "prohibited"]),
        between("min_domestic_share", 0, 1),
        *provenance(),
    ],
    "nvidia_datacenter_revenue": [
        has_rows(8),
        unique_together("fiscal_year", "fiscal_quarter", "segment"),
        between("fiscal_quarter", 1, 4),
        between("revenue_usd_m", 0, 1_000_000),
        *provenance(),
    ],
    "china_accelerator_shipments": [
        has_rows(2),
        unique_together("period", "market", "vendor"),
        in_set("origin", ORIGINS),
        between("units", 0, 1_000_000_000),
        between("reported_share", 0, 1),
        *provenance(),
    ],
    "funding_events": [
        has_rows(5),
        not_null("company"),
        not_null("event_date"),
        in_set("event_type", ["ipo", "ipo_application", "round"]),
        in_set("currency", ["CNY", "HKD", "USD"]),
        between("offer_price", 0.01, None),
        between("amount_raised", 0, None),
        between("oversubscription", 1, None),
        *provenance(),
    ],
}

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
    "stg_reference__nvidia_datacenter_revenue": [
        unique_together("quarter_label", "segment"),
        not_null("quarter_label"),
        *provenance(),
    ],
    "stg_reference__china_accelerator_shipments": [
        in_set("origin", ORIGINS),
        between("units", 0, None),
        *provenance(),
    ],
    "stg_reference__funding_events": [
        between("first_day_return", -1, 100),
        *provenance(),
    ],
}

MART_SUITES: dict[str, list[Expectation]] = {
    "market_share": [
        has_rows(1),
        in_set("market", ["China", "global"]),
        in_set("basis", ["units", "revenue", "compute"]),
        in_set("origin", ORIGINS),
        between("share", 0, 1),
        not_null("value"),
        *provenance(),
    ],
    "chip_cost_efficiency": [
        has_rows(20),
        unique("chip_name"),
        *chip_specs(),
        between("tflops_per_kw", 0, 100_000),
        between("tflops_per_kusd", 0, 100_000),
        between("bf16_vs_h200", 0, 100),
        *provenance(),
    ],
    "export_control_status": [
        has_rows(20),
        unique_together("chip_name", "rule_id"),
        in_set("eccn_class", ["3A090.a", "3A090.b", "none"]),
        between("tpp", 0, 1_000_000),
    ],
}

SUITES_BY_STAGE = {"raw": RAW_SUITES, "staging": STAGING_SUITES, "marts": MART_SUITES}
