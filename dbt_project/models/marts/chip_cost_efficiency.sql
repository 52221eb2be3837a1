-- Throughput per watt, per dollar and per dollar-day of delivered compute for every chip,
-- each relative to the NVIDIA H200. Assumptions come from cost_assumptions (overridable with
-- the dbt var `cost_assumptions`); prices from the chip table, else from cost_assumptions.
with chips as (
    select * from {{ ref('int_chips__merged') }}
),

assumptions as (
    select * from {{ ref('stg_reference__cost_assumptions') }}
),

scalars as (
    select
        {%- for parameter in ['service_life_years', 'power_usd_per_kwh', 'utilisation', 'pue'] %}
        coalesce(
            {{ cost_assumption_override(parameter) }},
            max(value) filter (where parameter = '{{ parameter }}' and chip_name is null)
        ) as {{ parameter }},
        {%- endfor %}
        {{ cost_assumptions_overridden() }} as assumptions_overridden
    from assumptions
),

assumed_prices as (
    select chip_name, value as price_usd, source_name, confidence
    from assumptions
    where parameter = 'chip_price_usd'
),

costed as (
    select
        chips.*,
        coalesce(chips.price_usd, assumed_prices.price_usd) as modelled_price_usd,
        case
            when chips.price_usd is not null then chips.source_name
            when assumed_prices.price_usd is not null then assumed_prices.source_name
        end as modelled_price_source,
        case
            when chips.price_usd is not null then chips.confidence
            when assumed_prices.price_usd is not null then assumed_prices.confidence
        end as modelled_price_confidence,
        scalars.service_life_years,
        scalars.power_usd_per_kwh,
        scalars.utilisation,
        scalars.pue,
        scalars.assumptions_overridden
    from chips
    cross join scalars
    left join assumed_prices on chips.chip_name = assumed_prices.chip_name
),

figures as (
    select
        *,
        bf16_tflops / tdp_w * 1000 as tflops_per_kw,
        bf16_tflops / (price_usd / 1000) as tflops_per_kusd,
        bf16_tflops / (modelled_price_usd / 1000) as tflops_per_kusd_modelled,
        memory_bandwidth_tbps * 1000 / (modelled_price_usd / 1000) as bandwidth_gbps_per_kusd,
        -- Card price per day of service life plus power at TDP (times PUE), over the PFLOP-days
        -- the card delivers in a day at the assumed utilisation.
        (
            modelled_price_usd / (service_life_years * 365)
            + tdp_w / 1000 * 24 * pue * power_usd_per_kwh
        ) / (bf16_tflops / 1000 * utilisation) as cost_per_pflop_day_usd
    from costed
),

baseline as (
    select *
    from figures
    where chip_name = 'NVIDIA H200 SXM'
)

select
    figures.chip_name,
    figures.vendor,
    figures.origin,
    figures.memory_gb,
    figures.memory_bandwidth_tbps,
    figures.bf16_tflops,
    figures.tdp_w,
    figures.price_usd,
    figures.tflops_per_kw,
    figures.tflops_per_kusd,
    figures.bf16_tflops / baseline.bf16_tflops as bf16_vs_h200,
    figures.modelled_price_usd,
    figures.modelled_price_source,
    figures.modelled_price_confidence,
    figures.tflops_per_kusd_modelled,
    figures.bandwidth_gbps_per_kusd,
    figures.cost_per_pflop_day_usd,
    figures.memory_bandwidth_tbps / baseline.memory_bandwidth_tbps as memory_bandwidth_vs_h200,
    figures.tflops_per_kw / baseline.tflops_per_kw as tflops_per_kw_vs_h200,
    figures.tflops_per_kusd_modelled / baseline.tflops_per_kusd_modelled as tflops_per_kusd_vs_h200,
    figures.bandwidth_gbps_per_kusd / baseline.bandwidth_gbps_per_kusd as bandwidth_per_usd_vs_h200,
    figures.cost_per_pflop_day_usd / baseline.cost_per_pflop_day_usd as cost_per_pflop_day_vs_h200,
    figures.service_life_years,
    figures.power_usd_per_kwh,
    figures.utilisation,
    figures.pue,
    figures.assumptions_overridden,
    figures.source_name,
    figures.source_url,
    figures.as_of,
    figures.confidence,
    figures.note
from figures
cross join baseline
