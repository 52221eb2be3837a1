-- Cluster designs against a baseline design: delivered throughput, cost and cost-performance.
-- The designs of cluster_scenarios (the seed article's claim C10 among them), plus one generic
-- design per chip: the baseline's card count of that chip, default scaling and overhead, no premium.
with chips as (
    select * from {{ ref('int_chips__merged') }}
),

scenarios as (
    select * from {{ ref('stg_reference__cluster_scenarios') }}
),

assumptions as (
    select * from {{ ref('stg_reference__cost_assumptions') }}
),

assumed_prices as (
    select chip_name, value as price_usd, source_name, confidence
    from assumptions
    where parameter = 'chip_price_usd'
),

defaults as (
    select
        max(value) filter (where parameter = 'default_scaling_efficiency') as scaling_efficiency,
        max(value) filter (where parameter = 'default_overhead_share') as overhead_share,
        max(as_of) filter (
            where parameter in ('default_scaling_efficiency', 'default_overhead_share')
        ) as as_of
    from assumptions
    where chip_name is null
),

listed as (
    select
        scenario_id,
        scenario_name,
        'listed' as scenario_kind,
        baseline_scenario_id,
        chip_name,
        chip_count,
        scaling_efficiency,
        overhead_share,
        market_premium,
        chip_price_usd,
        source_name,
        source_url,
        as_of,
        confidence,
        note
    from scenarios
),

generic as (
    select
        'generic__' || chips.chip_name as scenario_id,
        baseline.chip_count || ' x ' || chips.chip_name || ' (generic design)' as scenario_name,
        'generic' as scenario_kind,
        baseline.scenario_id as baseline_scenario_id,
        chips.chip_name,
        baseline.chip_count,
        defaults.scaling_efficiency,
        defaults.overhead_share,
        0.0 as market_premium,
        cast(null as double) as chip_price_usd,
        'assumption' as source_name,
        cast(null as varchar) as source_url,
        defaults.as_of,
        'estimated' as confidence,
        'Default scaling efficiency and overhead from cost_assumptions; no market premium' as note
    from chips
    cross join defaults
    cross join (
        select * from scenarios where scenario_id = '{{ var("cluster_baseline_scenario", "c10_h200") }}'
    ) as baseline
    where chips.bf16_tflops is not null
),

designs as (
    select
        designs.*,
        chips.vendor,
        chips.origin,
        chips.bf16_tflops,
        coalesce(designs.chip_price_usd, chips.price_usd, assumed_prices.price_usd) as card_price_usd,
        case
            when designs.chip_price_usd is not null then designs.source_name
            when chips.price_usd is not null then chips.source_name
            else assumed_prices.source_name
        end as card_price_source,
        case
            when designs.chip_price_usd is not null then designs.confidence
            when chips.price_usd is not null then chips.confidence
            else assumed_prices.confidence
        end as card_price_confidence
    from (select * from listed union all select * from generic) as designs
    inner join chips on designs.chip_name = chips.chip_name
    left join assumed_prices on designs.chip_name = assumed_prices.chip_name
),

sized as (
    select
        *,
        chip_count * bf16_tflops * scaling_efficiency / 1000 as effective_pflops,
        chip_count * card_price_usd * (1 + market_premium) * (1 + overhead_share) as cluster_cost_usd
    from designs
)

select
    design.scenario_id,
    design.scenario_name,
    design.scenario_kind,
    design.baseline_scenario_id,
    design.chip_name,
    design.vendor,
    design.origin,
    cast(design.chip_count as integer) as chip_count,
    design.bf16_tflops,
    design.scaling_efficiency,
    design.overhead_share,
    design.market_premium,
    design.card_price_usd,
    design.card_price_source,
    design.card_price_confidence,
    design.effective_pflops,
    design.cluster_cost_usd,
    design.cluster_cost_usd / design.effective_pflops as cost_per_effective_pflops_usd,
    baseline.chip_name as baseline_chip_name,
    design.effective_pflops / baseline.effective_pflops as relative_efficiency,
    design.cluster_cost_usd / baseline.cluster_cost_usd as relative_cost,
    (design.effective_pflops / baseline.effective_pflops)
    / (design.cluster_cost_usd / baseline.cluster_cost_usd) as cost_performance,
    design.source_name,
    design.source_url,
    design.as_of,
    design.confidence,
    design.note
from sized as design
inner join sized as baseline on design.baseline_scenario_id = baseline.scenario_id
