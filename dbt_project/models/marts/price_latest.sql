-- One row per ticker: its latest close on file and how much price history it has.
-- One pass with group by (no window over the whole table): the newest row's fields are taken
-- together as one struct by arg_max, so they all come from the same trading day.
with by_ticker as (
    select
        ticker,
        max(trade_date) as latest_trade_date,
        arg_max(
            {
                'close': close,
                'currency': currency,
                'dataset': dataset,
                'source_name': source_name,
                'confidence': confidence
            },
            trade_date
        ) as latest,
        min(trade_date) as first_trade_date,
        count(*) as trading_days
    from {{ ref('stg_prices__daily') }}
    group by ticker
)

select
    ticker,
    latest_trade_date,
    cast(latest.close as double) as latest_close,
    cast(latest.currency as varchar) as currency,
    cast(latest.dataset as varchar) as dataset,
    first_trade_date,
    cast(trading_days as bigint) as trading_days,
    cast(latest.source_name as varchar) as source_name,
    latest_trade_date as as_of,
    cast(latest.confidence as varchar) as confidence
from by_ticker
order by ticker
