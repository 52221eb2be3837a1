"""Suites for the marts: row-count floors and value ranges, which GX owns (docs/VALIDATION.md).

Keys, nulls, accepted values, relationships, provenance and the contracts are dbt's, in the
models' YAML.
"""

from datetime import datetime

from validation.expectations import Expectation, between, chip_specs, has_rows

MART_SUITES: dict[str, list[Expectation]] = {
    "nvidia_revenue": [has_rows(50), between("revenue_usd_m", 0, 1_000_000)],
    "market_share": [
        has_rows(1),
        between("share", 0, 1),
        between("share_low", 0, 1),
        between("share_high", 0, 1),
    ],
    # SRAM-only chips that Epoch lists (Groq LPU, Meta MTIA) have well under 1 GB: chip_specs allows it.
    "chip_cost_efficiency": [
        has_rows(20),
        *chip_specs(),
        between("tflops_per_kw", 0, 100_000),
        between("tflops_per_kusd", 0, 100_000),
        between("tflops_per_kusd_modelled", 0, None),
        between("bandwidth_gbps_per_kusd", 0, None),
        between("bf16_vs_h200", 0, 100),
        between("cost_per_pflop_day_usd", 0, None),
    ],
    # The months start in October 2022, when the first rule took effect (export_control_status.sql).
    "export_control_status": [
        has_rows(20),
        between("month", datetime(2022, 10, 1)),
        between("tpp", 0, 1_000_000),
    ],
    "cluster_cost_efficiency": [
        has_rows(2),
        between("scaling_efficiency", 0, 1),
        between("relative_efficiency", 0, 100),
        between("relative_cost", 0, 100),
        between("cost_performance", 0, 1_000),
    ],
    "datacenter_compliance": [
        has_rows(10),
        between("domestic_share_cards", 0, 1),
        between("domestic_share_compute", 0, 1),
        between("required_share", 0, 1),
        between("shortfall_cards", 0, None),
    ],
    "funding_summary": [has_rows(5), between("amount_raised_usd", 0, None)],
    "ipo_performance": [
        has_rows(3),
        between("first_day_return", -1, 100),
        between("oversubscription", 1, None),
    ],
    # Built from the price files in the inbox: no has_rows, a warehouse may have no prices yet.
    "price_latest": [between("latest_close", 0, None), between("trading_days", 1, None)],
    "price_monthly": [
        between("close", 0, None),
        between("volume", 0, None),
        between("trading_days", 1, 31),
    ],
    "claims_check": [has_rows(13)],
    "claim_parts": [has_rows(13)],
    "figure_observations": [has_rows(1)],
    # From the card inventory and procurement inboxes: no has_rows, the folders may be empty.
    "datacenter_card_mix": [
        between("active_cards", 0, None),
        between("domestic_share_active", 0, 1),
        between("domestic_share_spend", 0, 1),
        between("spend_usd_domestic", 0, None),
        between("spend_usd_foreign", 0, None),
    ],
}
