-- One row per figure: the observation the written precedence picks (docs/SOURCES.md: source kind,
-- then confidence, then the newest as_of), how many sources observed it, the others as JSON and
-- whether they disagree (values that differ in their first four significant digits, or dates).
with ranked as (
    select
        *,
        coalesce(value_text, printf('%.3e', value)) as comparable,
        row_number() over (
            partition by table_name, record_key, field
            order by {{ source_rank('source_kind') }}, {{ confidence_rank('confidence') }},
                as_of desc, source_name
        ) as precedence
    from {{ ref('int_figure_observations') }}
)

select
    table_name,
    record_key,
    field,
    any_value(value) filter (where precedence = 1) as value,
    any_value(value_text) filter (where precedence = 1) as value_text,
    any_value(unit order by unit nulls last) as unit,
    any_value(source_kind) filter (where precedence = 1) as source_kind,
    any_value(source_name) filter (where precedence = 1) as source_name,
    any_value(source_url) filter (where precedence = 1) as source_url,
    any_value(as_of) filter (where precedence = 1) as as_of,
    any_value(confidence) filter (where precedence = 1) as confidence,
    any_value(note) filter (where precedence = 1) as note,
    count(*) as observation_count,
    cast(to_json(coalesce(
        list({
            'value': value, 'value_text': value_text, 'source_kind': source_kind,
            'source_name': source_name, 'source_url': source_url, 'as_of': as_of,
            'confidence': confidence
        } order by precedence) filter (where precedence > 1),
        []
    )) as varchar) as alternatives,
    count(distinct comparable) > 1 as has_conflict
from ranked
group by table_name, record_key, field
