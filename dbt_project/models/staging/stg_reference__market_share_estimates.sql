select
    period,
    market,
    vendor,
    origin,
    units,
    reported_share,
    source_name,
    source_url,
    as_of,
    confidence,
    note
from {{ source('raw', 'china_accelerator_shipments') }}
