{#-
  The funding events with their amounts' USD rate: the monthly rate of the event's month or the
  latest earlier one (fx_rates has gaps); where no earlier rate exists, the earliest later one,
  flagged in fx_rate_basis. USD converts at 1.
-#}
{% macro funding_events_in_usd() %}
with events as (
    select * from {{ ref('stg_reference__funding_events') }}
),

fx as (
    select currency, rate_date, usd_per_unit from {{ ref('stg_reference__fx_rates') }}
),

earliest_fx as (
    select currency, min(rate_date) as rate_date, arg_min(usd_per_unit, rate_date) as usd_per_unit
    from fx
    group by currency
),

latest_earlier as (
    select
        events.*,
        fx.rate_date as earlier_rate_date,
        fx.usd_per_unit as earlier_usd_per_unit
    from events
    asof left join fx
        on events.currency = fx.currency
        and events.event_date >= fx.rate_date
)

select
    latest_earlier.* exclude (earlier_rate_date, earlier_usd_per_unit),
    case
        when latest_earlier.currency = 'USD' then 1.0
        else coalesce(latest_earlier.earlier_usd_per_unit, earliest_fx.usd_per_unit)
    end as fx_usd_per_unit,
    case
        when latest_earlier.currency = 'USD' then latest_earlier.event_date
        else coalesce(latest_earlier.earlier_rate_date, earliest_fx.rate_date)
    end as fx_rate_date,
    case
        when latest_earlier.currency = 'USD' then 'USD'
        when latest_earlier.earlier_rate_date is not null then 'latest rate on or before the event'
        when earliest_fx.rate_date is not null then 'earliest later rate: none on or before the event'
    end as fx_rate_basis
from latest_earlier
left join earliest_fx on latest_earlier.currency = earliest_fx.currency
{% endmacro %}
