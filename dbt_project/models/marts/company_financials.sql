-- Annual revenue and net profit of the listed domestic chip makers: one row per company, fiscal
-- year and metric. Where sources disagree the precedence picks one (source_rank, then
-- confidence_rank, then the newest as_of; macros in source_precedence.sql); the others stay
-- beside it, and has_conflict says when any differs from the chosen value by more than 0.5%.
-- USD at the average of the fiscal year's twelve monthly rates in int_fx_rates__monthly (null
-- until all twelve months are on file).
with observations as (
    select
        *,
        row_number() over (
            partition by company, fiscal_year, metric
            order by source_rank, confidence_rank, as_of desc, source_name
        ) as precedence
    from {{ ref('stg_reference__company_financials') }}
),

chosen as (
    select * from observations where precedence = 1
),

alternatives as (
    select
        company,
        fiscal_year,
        metric,
        count(*) as observations,
        min(value) as value_min,
        max(value) as value_max,
        string_agg(
            cast(value as varchar) || ' (' || source_kind || ', ' || confidence || ': ' || source_name || ', ' || as_of || ')',
            '; ' order by precedence
        ) filter (where precedence > 1) as alternatives
    from observations
    group by company, fiscal_year, metric
),

fiscal_year_fx as (
    select
        currency,
        year(rate_date) as fiscal_year,
        avg(usd_per_unit) as usd_per_unit,
        count(*) as months
    from {{ ref('int_fx_rates__monthly') }}
    group by currency, year(rate_date)
)

select
    chosen.company,
    chosen.ticker,
    chosen.fiscal_year,
    chosen.period_end,
    chosen.metric,
    chosen.currency,
    chosen.unit,
    chosen.value,
    case
        when chosen.currency = 'USD' then chosen.value
        when fiscal_year_fx.months = 12 then chosen.value * fiscal_year_fx.usd_per_unit
    end as value_usd,
    case
        when chosen.currency = 'USD' then 1.0
        when fiscal_year_fx.months = 12 then fiscal_year_fx.usd_per_unit
    end as fx_usd_per_unit,
    chosen.source_kind,
    chosen.source_name,
    chosen.source_url,
    chosen.as_of,
    chosen.confidence,
    chosen.note,
    alternatives.observations,
    alternatives.alternatives,
    alternatives.value_min,
    alternatives.value_max,
    (alternatives.value_max - alternatives.value_min) > 0.005 * abs(chosen.value) as has_conflict
from chosen
inner join alternatives
    on chosen.company = alternatives.company
    and chosen.fiscal_year = alternatives.fiscal_year
    and chosen.metric = alternatives.metric
left join fiscal_year_fx
    on chosen.currency = fiscal_year_fx.currency
    and chosen.fiscal_year = fiscal_year_fx.fiscal_year
