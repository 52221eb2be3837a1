-- One row per trading day and ticker, as exported by exchanges and data vendors.
-- Stored in (ticker, trade_date) order so a one-ticker range query skips most row groups (zone maps).
select
    date as trade_date,
    ticker,
    open,
    high,
    low,
    close,
    volume,
    currency,
    dataset,
    'price file ' || _source_file as source_name,
    cast(null as varchar) as source_url,
    date as as_of,
    case dataset when 'synthetic' then 'claimed' else 'reported' end as confidence,
    _source_file
from {{ landed('daily_prices') }}
order by ticker, trade_date
