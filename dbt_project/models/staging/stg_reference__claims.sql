select
    claim_id,
    topic,
    claim_zh,
    claim_en,
    claimed_value,
    claimed_unit,
    source_kind,
    source_name,
    source_url,
    as_of,
    confidence
from {{ source('raw', 'claims') }}
