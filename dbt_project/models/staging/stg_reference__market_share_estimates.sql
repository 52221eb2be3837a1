-- One published market-share estimate per row: a vendor (or group of vendors) in a period,
-- market and basis, as one publisher gave it on one date.
select
    period,
    market,
    basis,
    vendor,
    origin,
    value,
    value_unit,
    value_low,
    value_high,
    reported_share,
    forecast = 'true' as forecast,
    covers_market = 'true' as covers_market,
    publisher,
    published_date,
    source_kind,
    source_name,
    source_url,
    as_of,
    confidence,
    note
from {{ source('raw', 'market_share_estimates') }}
