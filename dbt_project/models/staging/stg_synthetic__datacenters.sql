-- One row per synthetic data centre and card type; never mixed with observed data unlabelled.
select
    datacenter_id,
    datacenter_name,
    province,
    sector,
    state_funded,
    status,
    first_operational_date,
    chip_name,
    cards,
    dataset,
    source_name,
    source_url,
    as_of,
    confidence,
    note
from {{ source('raw', 'synthetic_datacenters') }}
