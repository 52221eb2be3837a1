{#-
  The rows of `relation` (with a `currency` column) and the USD value of one unit of their currency
  on `date_column`: the monthly average of that date's own month from int_fx_rates__monthly (one
  official series, every month from 2018-01 to the latest on file, a fetched FRED download winning
  over the curated row; a dbt test fails on a missing month). A date after
  the latest month on file takes the latest rate, a date before the first month the earliest one;
  fx_rate_basis says which. USD converts at 1; a currency without any rate gets null. Adds
  fx_usd_per_unit, fx_rate_date and fx_rate_basis.
  The rate is looked up once per distinct (currency, date), then joined back: cheap on large tables.
-#}
{% macro in_usd(relation, date_column) %}
with rows_to_convert as (
    select * from {{ relation }}
),

fx as (
    select currency, rate_date, usd_per_unit from {{ ref('int_fx_rates__monthly') }}
),

earliest_fx as (
    select currency, min(rate_date) as rate_date, arg_min(usd_per_unit, rate_date) as usd_per_unit
    from fx
    group by currency
),

needed as (
    select distinct currency, {{ date_column }} as rate_on from rows_to_convert
),

latest_earlier as (
    select
        needed.currency,
        needed.rate_on,
        fx.rate_date as earlier_rate_date,
        fx.usd_per_unit as earlier_usd_per_unit
    from needed
    asof left join fx
        on needed.currency = fx.currency
        and needed.rate_on >= fx.rate_date
),

rates as (
    select
        latest_earlier.currency,
        latest_earlier.rate_on,
        case
            when latest_earlier.currency = 'USD' then 1.0
            else coalesce(latest_earlier.earlier_usd_per_unit, earliest_fx.usd_per_unit)
        end as fx_usd_per_unit,
        case
            when latest_earlier.currency = 'USD' then latest_earlier.rate_on
            else coalesce(latest_earlier.earlier_rate_date, earliest_fx.rate_date)
        end as fx_rate_date,
        case
            when latest_earlier.currency = 'USD' then 'USD'
            when latest_earlier.earlier_rate_date = date_trunc('month', latest_earlier.rate_on)
                then 'own month'
            when latest_earlier.earlier_rate_date is not null
                then 'latest month on file: the own month is not on file'
            when earliest_fx.rate_date is not null then 'earliest month on file: the own month is before it'
        end as fx_rate_basis
    from latest_earlier
    left join earliest_fx on latest_earlier.currency = earliest_fx.currency
)

select
    rows_to_convert.*,
    rates.fx_usd_per_unit,
    rates.fx_rate_date,
    rates.fx_rate_basis
from rows_to_convert
left join rates
    on rows_to_convert.currency is not distinct from rates.currency
    and rows_to_convert.{{ date_column }} is not distinct from rates.rate_on
{% endmacro %}
