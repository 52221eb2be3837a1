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
    source_kinds,
    unique,
    unique_together,
)

# A claim's part is judged with one of these; a claim as a whole may also be "partly supported".
PART_VERDICTS = ["supported", "contradicted", "misattributed", "too thin to decide", "unverified", "model"]

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
    # Built from the price files in the inbox: no has_rows, a warehouse may have no prices yet.
    "price_latest": [
        unique("ticker"),
        not_null("ticker"),
        not_null("latest_trade_date"),
        not_null("latest_close"),
        not_null("first_trade_date"),
        between("latest_close", 0, None),
        between("trading_days", 1, None),
        in_set("dataset", ["reported", "synthetic"]),
        *provenance(),
    ],
    "price_monthly": [
        unique_together("ticker", "month"),
        not_null("ticker"),
        not_null("month"),
        not_null("close"),
        between("close", 0, None),
        between("volume", 0, None),
        between("trading_days", 1, 31),
        in_set("dataset", ["reported", "synthetic"]),
        *provenance(),
    ],
    "claims_check": [
        has_rows(13),
        unique("claim_id"),
        in_set("verdict", [*PART_VERDICTS, "partly supported"]),
    ],
    "claim_parts": [
        has_rows(13),
        unique("part_id"),
        not_null("claim_id"),
        in_set("verdict", PART_VERDICTS),
    ],
    "figure_observations": [
        has_rows(1),
        unique_together("table_name", "record_key", "field"),
        *provenance(),
        *source_kinds(),
    ],
}

# From the card inventory and procurement inboxes: no has_rows, the folders may be empty.
MART_SUITES["datacenter_card_mix"] = [
    unique("datacenter_id"),
    not_null("datacenter_id"),
    in_set("dataset", ["reported", "synthetic"]),
    between("active_cards", 0, None),
    between("domestic_share_active", 0, 1),
    between("domestic_share_spend", 0, 1),
    between("spend_usd_domestic", 0, None),
    between("spend_usd_foreign", 0, None),
    *provenance(),
]
