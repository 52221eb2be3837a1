select
    scenario_id,
    scenario_name,
    baseline_scenario_id,
    chip_name,
    chip_count,
    scaling_efficiency,
    overhead_share,
    market_premium,
    chip_price_usd,
    source_kind,
    source_name,
    source_url,
    as_of,
    confidence,
    note
from {{ source('raw', 'cluster_scenarios') }}
