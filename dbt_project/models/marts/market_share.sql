-- Every published estimate of who supplies a market's accelerators, side by side: one row per
-- period, market, basis, publisher, publication date and vendor. An estimate (`estimate_id`)
-- is the rows one publisher gave for one period, market and basis on one date; estimates are
-- never averaged, and `preferred` marks the one the precedence picks for each period.
--   curated: data/reference/market_share_estimates.csv (IDC, TrendForce, Bernstein, ...).
--   compute: Epoch AI's chip sales estimates (inbox epoch_ai_chip_counts), H100-equivalents
--     summed over the four quarters of a calendar year, with their 5th-95th percentile bounds.
with curated as (
    select * from {{ ref('stg_reference__market_share_estimates') }}
),

epoch as (
    select * from {{ ref('stg_epoch__ai_chip_counts') }}
),

epoch_run as (
    select max(estimated_on) as estimated_on, max(as_of) as as_of from epoch
),

-- A year counts for a maker only when Epoch estimates its four quarters, none of them in part.
epoch_makers as (
    select count(distinct vendor) as makers from epoch where scope = 'all owners'
),

epoch_full_years as (
    select vendor, year
    from epoch
    where scope = 'all owners'
    group by vendor, year
    having count(distinct start_date) = 4 and not bool_or(is_incomplete)
),

epoch_global_years as (
    select year
    from epoch_full_years
    group by year
    having count(*) = (select makers from epoch_makers)
),

epoch_yearly as (
    select
        epoch.year,
        epoch.scope,
        epoch.owner,
        epoch.vendor,
        epoch.origin,
        sum(epoch.h100e_median) as value,
        sum(epoch.h100e_p5) as value_low,
        sum(epoch.h100e_p95) as value_high,
        count(distinct epoch.start_date) as quarters,
        bool_or(epoch.is_incomplete) as any_incomplete
    from epoch
    group by all
),

epoch_rows as (
    select
        cast(yearly.year as varchar) as period,
        case when yearly.scope = 'owner' then 'China' else 'global' end as market,
        'compute' as basis,
        yearly.vendor,
        yearly.origin,
        yearly.value,
        'H100e' as value_unit,
        yearly.value_low,
        yearly.value_high,
        cast(null as double) as reported_share,
        false as forecast,
        yearly.scope = 'all owners' as covers_market,
        'Epoch AI' as publisher,
        epoch_run.estimated_on as published_date,
        'press' as source_kind,
        'Epoch AI, AI chip sales estimates (ai-chip-counts)' as source_name,
        'https://github.com/epoch-research/ai-chip-counts' as source_url,
        epoch_run.as_of,
        'derived' as confidence,
        case
            when yearly.scope = 'owner' then
                'Sum of Epoch''s quarterly medians of the H100-equivalents sold to owners in China '
                || 'in the year; Epoch estimates no Chinese-made chip, so China''s total and the share '
                || 'are unknown (null); value_low / value_high sum the quarterly 5th / 95th percentiles'
            else
                'Sum of Epoch''s quarterly medians (H100-equivalents) for the year''s four quarters; '
                || 'the share is of the makers Epoch models (NVIDIA, AMD, Google TPU, Amazon '
                || 'Trainium), not of Huawei or other makers; value_low / value_high sum the '
                || 'quarterly 5th / 95th percentiles'
        end as note
    from epoch_yearly as yearly
    cross join epoch_run
    where (yearly.scope = 'all owners' and yearly.year in (select year from epoch_global_years))
        or (yearly.scope = 'owner' and yearly.owner = 'China' and yearly.quarters = 4 and not yearly.any_incomplete)
),

estimates as (
    select
        period, market, basis, vendor, origin, value, value_unit, value_low, value_high, reported_share,
        forecast, covers_market, publisher, published_date, source_kind, source_name, source_url,
        as_of, confidence, note
    from curated
    union all
    select * from epoch_rows
),

keyed as (
    select
        *,
        concat_ws('|', period, market, basis, publisher, published_date) as estimate_id,
        -- Shares come from the values when the estimate covers the market and values each row.
        covers_market and count(value) over estimate = count(*) over estimate as from_values,
        sum(value) over estimate as total,
        sum(coalesce(value_low, value)) over estimate as total_low,
        sum(coalesce(value_high, value)) over estimate as total_high
    from estimates
    window estimate as (partition by period, market, basis, publisher, published_date)
),

rated as (
    select
        *,
        case when from_values then 'derived' else confidence end as share_confidence
    from keyed
),

-- The precedence among estimates of one period, market and basis: one that covers the market,
-- then the weakest confidence of its rows (a claim last), an observation before a forecast,
-- the source kind's rank, the latest publication.
ranked as (
    select
        estimate_id,
        row_number() over (
            partition by period, market, basis
            order by
                bool_or(covers_market) desc,
                max({{ confidence_rank('share_confidence') }}),
                bool_or(forecast),
                min({{ source_rank('source_kind') }}),
                max(published_date) desc,
                estimate_id
        ) = 1 as preferred,
        count(*) over (partition by period, market, basis) as estimates_for_period
    from rated
    group by estimate_id, period, market, basis
)

select
    rated.period,
    rated.market,
    rated.basis,
    rated.vendor,
    rated.origin,
    rated.value,
    rated.value_unit,
    rated.value_low,
    rated.value_high,
    case when rated.from_values then rated.value / rated.total else rated.reported_share end as share,
    case
        when rated.from_values and (rated.value_low is not null or rated.value_high is not null)
            then coalesce(rated.value_low, rated.value)
                / (coalesce(rated.value_low, rated.value) + rated.total_high - coalesce(rated.value_high, rated.value))
    end as share_low,
    case
        when rated.from_values and (rated.value_low is not null or rated.value_high is not null)
            then coalesce(rated.value_high, rated.value)
                / (coalesce(rated.value_high, rated.value) + rated.total_low - coalesce(rated.value_low, rated.value))
    end as share_high,
    rated.reported_share,
    rated.forecast,
    rated.covers_market,
    rated.estimate_id,
    ranked.preferred,
    ranked.estimates_for_period,
    rated.publisher,
    rated.published_date,
    rated.source_kind,
    rated.source_name,
    rated.source_url,
    rated.as_of,
    rated.share_confidence as confidence,
    rated.note
from rated
inner join ranked using (estimate_id)
