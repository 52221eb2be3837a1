select
    currency,
    rate_date,
    usd_per_unit,
    source_name,
    source_url,
    as_of,
    confidence,
    note
from {{ source('raw', 'fx_rates') }}
