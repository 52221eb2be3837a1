-- One row per sourced observation of one figure (docs/SOURCES.md), typed; the precedence is applied
-- in int_figures__chosen. `value` holds numbers; `value_text` dates and words.
select
    table_name,
    record_key,
    field,
    value,
    value_text,
    unit,
    source_kind,
    source_name,
    source_url,
    as_of,
    confidence,
    note
from {{ source('raw', 'figure_observations') }}
