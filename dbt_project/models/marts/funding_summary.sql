-- Money raised by company, year and stage (ipo, round or placement), in the original currency and in USD.
-- IPO applications (amounts sought, not raised) are left out. USD uses the monthly average rate of
-- the event's own month; fx_rate_date says which (see macro funding_events_in_usd).
with events as (
    {{ funding_events_in_usd() }}
)

select
    company,
    cast(year(event_date) as integer) as year,
    event_type as stage,
    currency,
    cast(count(*) as integer) as events,
    cast(count(amount_raised) as integer) as disclosed_events,
    sum(amount_raised) as amount_raised,
    sum(amount_raised * fx_usd_per_unit) as amount_raised_usd,
    max(fx_rate_date) filter (where amount_raised is not null) as fx_rate_date,
    string_agg(distinct fx_rate_basis, '; ' order by fx_rate_basis) filter (where amount_raised is not null)
        as fx_rate_basis,
    string_agg(amount_raised_as_written, '; ' order by event_date) as amounts_as_written,
    arg_max(valuation, event_date) filter (where valuation is not null) as latest_valuation,
    arg_max(valuation_basis, event_date) filter (where valuation is not null) as latest_valuation_basis,
    string_agg(distinct source_name, '; ' order by source_name) as source_name,
    string_agg(distinct source_url, ' ' order by source_url) as source_url,
    max(as_of) as as_of,
    case
        when bool_or(confidence = 'claimed') then 'claimed'
        when bool_or(confidence = 'estimated') then 'estimated'
        else 'reported'
    end as confidence,
    string_agg(note, ' | ' order by event_date) as note
from events
where event_type in ('ipo', 'round', 'placement')
group by company, year(event_date), event_type, currency
