-- The one FX table every conversion reads: USD per unit of CNY and HKD by month (USD at 1), from
-- two sources of the same official series (the Federal Reserve's H.10/G.5 monthly averages,
-- FRED EXCHUS and EXHKUS). The precedence: a month a FRED download in the fx_rates inbox covers
-- takes that download's rate (the newest download of the month, see stg_fx__fred_monthly); every
-- other month takes the curated row of data/reference/fx_rates.csv. fx_source says which.
with fetched as (
    select
        currency,
        rate_month as rate_date,
        usd_per_unit,
        source_kind,
        source_name,
        source_url,
        as_of,
        confidence,
        note,
        'fetched' as fx_source,
        1 as source_precedence
    from {{ ref('stg_fx__fred_monthly') }}
),

curated as (
    select
        currency,
        rate_date,
        usd_per_unit,
        case when currency = 'USD' then 'assumption' else 'aggregator' end as source_kind,
        source_name,
        source_url,
        as_of,
        confidence,
        note,
        'curated' as fx_source,
        2 as source_precedence
    from {{ ref('stg_reference__fx_rates') }}
),

both_sources as (
    select * from fetched
    union all
    select * from curated
)

select
    * exclude (source_precedence),
    count(*) over (partition by currency, rate_date) > 1 as curated_row_replaced
from both_sources
qualify row_number() over (partition by currency, rate_date order by source_precedence) = 1
