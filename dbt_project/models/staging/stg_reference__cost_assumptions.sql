select
    parameter,
    chip_name,
    value,
    unit,
    source_kind,
    source_name,
    source_url,
    as_of,
    confidence,
    note
from {{ source('raw', 'cost_assumptions') }}
