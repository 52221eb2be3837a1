"""Suites for the dbt staging tables: the value ranges, which GX owns (docs/VALIDATION.md).

Keys, nulls, accepted values and provenance are dbt tests in the models' YAML; a table with no
range here has no GX check.
"""

from validation.expectations import Expectation, between, chip_specs

STAGING_SUITES: dict[str, list[Expectation]] = {
    "stg_reference__chips": [
        *chip_specs(),
        between("tpp", 1, 1_000_000),
        between("performance_density", 0.01, 1_000),
    ],
    "stg_sec__revenue_by_geography": [between("revenue_usd_m", 0, 10_000_000)],
    "stg_sec__revenue_by_segment": [between("revenue_usd_m", 0, 10_000_000)],
    "stg_reference__market_share_estimates": [between("value", 0, None)],
    "stg_reference__funding_events": [between("first_day_return", -1, 100)],
    "stg_epoch__ml_hardware": chip_specs(),
    "stg_epoch__ai_chip_counts": [between("h100e_median", 0, None), between("h100e_p5", 0, None)],
    "stg_epoch__gpu_clusters": [between("h100_equivalents", 0, None)],
    "stg_nvidia__revenue_by_market": [between("revenue_usd_m", -100_000, 1_000_000)],
    # Tens of millions of rows: judged on DuckDB's min and max (validation.runner).
    "stg_prices__daily": [between("close", 0.0001, 10_000_000)],
    # Cost-model assumptions and the synthetic data centres (issue 4).
    "stg_reference__cluster_scenarios": [between("scaling_efficiency", 0.01, 1)],
    "stg_synthetic__datacenters": [between("cards", 1, None)],
    # Procurement lines from the inbox (ingestion/lander.py).
    "stg_datacenters__procurement_lines": [
        between("units", 0, None),
        between("amount", 0, None),
        between("amount_usd", 0, None),
    ],
}
