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
    "claims_check": [
        has_rows(13),
        unique("claim_id"),
        in_set("verdict", ["supported", "contradicted", "unverified", "model"]),
    ],
}
