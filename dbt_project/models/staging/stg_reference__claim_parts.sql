select
    claim_id,
    part_id,
    part_en,
    claimed_value,
    claimed_unit,
    source_kind,
    source_name,
    source_url,
    as_of,
    confidence,
    note
from {{ source('raw', 'claim_parts') }}
