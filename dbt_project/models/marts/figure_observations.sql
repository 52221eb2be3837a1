-- Every figure that more than the curated row observes, or whose sources disagree: the chosen value
-- and source, the alternatives and the conflict flag (docs/SOURCES.md).
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
    observation_count,
    alternatives,
    has_conflict,
    note
from {{ ref('int_figures__chosen') }}
where observation_count > 1 or table_name not in ('chips', 'funding_events', 'export_control_rules', 'policy_events')
