"""Suites for the marts."""

from validation.expectations import (
    ORIGINS,
    Expectation,
    between,
    chip_specs,
    has_rows,
    in_set,
    not_null,
    provenance,
    unique,
    unique_together,
)

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
    # SRAM-only chips that Epoch lists (Groq LPU, Meta MTIA) have well under 1 GB: chip_specs allows it.
    "chip_cost_efficiency": [
        has_rows(20),
        unique("chip_name"),
        *chip_specs(),
        between("tflops_per_kw", 0, 100_000),
        between("tflops_per_kusd", 0, 100_000),
        between("bf16_vs_h200", 0, 100),
        between("cost_per_pflop_day_usd", 0, None),
        *provenance(),
    ],
    "export_control_status": [
        has_rows(20),
        unique_together("chip_name", "month"),
        not_null("rule_id"),
        in_set("eccn_class", ["3A090.a", "3A090.b", "none"]),
        in_set("china_licence_status", ["not controlled", "licence required", "case-by-case", "prohibited"]),
        between("tpp", 0, 1_000_000),
        *provenance(),
    ],
    "cluster_cost_efficiency": [
        has_rows(2),
        unique("scenario_id"),
        not_null("baseline_scenario_id"),
        between("scaling_efficiency", 0, 1),
        between("relative_efficiency", 0, 100),
        between("relative_cost", 0, 100),
        between("cost_performance", 0, 1_000),
        *provenance(),
    ],
    "datacenter_compliance": [
        has_rows(10),
        unique("datacenter_id"),
        in_set("dataset", ["epoch", "synthetic"]),
        between("domestic_share_cards", 0, 1),
        between("domestic_share_compute", 0, 1),
        between("required_share", 0, 1),
        between("shortfall_cards", 0, None),
        *provenance(),
    ],
    "funding_summary": [
        has_rows(5),
        unique_together("company", "year", "stage", "currency"),
        between("amount_raised_usd", 0, None),
        *provenance(),
    ],
    "ipo_performance": [
        has_rows(3),
        unique("ticker"),
        between("first_day_return", -1, 100),
        between("oversubscription", 1, None),
        *provenance(),
    ],
    "claims_check": [
        has_rows(13),
        unique("claim_id"),
        in_set("verdict", ["supported", "contradicted", "unverified", "model"]),
    ],
}
