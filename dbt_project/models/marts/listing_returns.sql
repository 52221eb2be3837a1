-- Each listed chip maker's return from its IPO offer price to its latest close on file.
with listings as (
    select company, ticker, event_date as listing_date, currency, offer_price
    from {{ ref('stg_reference__funding_events') }}
    where event_type = 'ipo' and ticker is not null
),

latest as (
    select * from {{ ref('price_latest') }}
)

select
    listings.company,
    listings.ticker,
    listings.listing_date,
    listings.currency,
    listings.offer_price,
    latest.latest_trade_date,
    latest.latest_close,
    latest.latest_close / listings.offer_price - 1 as return_since_offer,
    latest.source_name,
    latest.as_of,
    latest.confidence
from listings
inner join latest on listings.ticker = latest.ticker
