-- One row per ticker and month: the month's bar (open of its first trading day, high, low, close
-- of its last trading day, volume) from the daily prices, in one pass with group by.
-- Stored in (ticker, month) order so a one-ticker query skips most row groups.
select
    ticker,
    cast(date_trunc('month', trade_date) as date) as month,
    -- arg_min_null: the first day's open even when it is missing (null), not a later day's.
    cast(arg_min_null(open, trade_date) as double) as open,
    cast(max(high) as double) as high,
    cast(min(low) as double) as low,
    cast(arg_max(close, trade_date) as double) as close,
    cast(sum(volume) as double) as volume,
    cast(count(*) as bigint) as trading_days,
    cast(arg_max(currency, trade_date) as varchar) as currency,
    cast(arg_max(dataset, trade_date) as varchar) as dataset,
    cast(arg_max(source_name, trade_date) as varchar) as source_name,
    max(trade_date) as as_of,
    -- The weakest confidence of the month's days.
    case max(case confidence when 'claimed' then 3 when 'estimated' then 2 else 1 end)
        when 3 then 'claimed'
        when 2 then 'estimated'
        else 'reported'
    end as confidence
from {{ ref('stg_prices__daily') }}
group by ticker, month
order by ticker, month
