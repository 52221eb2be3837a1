-- Share of accelerator cards by vendor within each period and market.
with shipments as (
    select * from {{ ref('stg_reference__china_accelerator_shipments') }}
)

select
    period,
    market,
    'units' as basis,
    vendor,
    origin,
    units as value,
    units / sum(units) over (partition by period, market) as share,
    source_name,
    source_url,
    as_of,
    confidence
from shipments
where units is not null
