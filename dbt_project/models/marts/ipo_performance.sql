-- One row per listing: offer, first-day open and close, returns, oversubscription, proceeds
-- (original currency and USD at the monthly average rate of the listing month).
with events as (
    {{ funding_events_in_usd() }}
)

select
    company,
    ticker,
    exchange,
    event_date as listing_date,
    currency,
    offer_price,
    shares_offered_m,
    amount_raised as proceeds,
    amount_raised_as_written as proceeds_as_written,
    amount_raised * fx_usd_per_unit as proceeds_usd,
    fx_usd_per_unit,
    fx_rate_date,
    fx_rate_basis,
    first_day_open,
    first_day_close,
    first_day_open_return,
    first_day_return,
    oversubscription,
    case when valuation_basis like 'market cap%' then valuation end as market_cap_at_close,
    case when valuation_basis like 'market cap%' then valuation * fx_usd_per_unit end as market_cap_at_close_usd,
    source_name,
    source_url,
    as_of,
    confidence,
    note
from events
where event_type = 'ipo'
