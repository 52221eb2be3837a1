{#
  One row a claim's verdict rests on, as a struct for the `evidence` JSON of marts.claim_parts:
  the table, the record's key, the field and its value (as text).
#}
{% macro evidence_row(table, key, field, value) -%}
    {'table': {{ table }}, 'key': cast({{ key }} as varchar), 'field': {{ field }}, 'value': cast({{ value }} as varchar)}
{%- endmacro %}

{#  The overall verdict of a claim from its parts' verdicts (a list): docs/SOURCES.md, "Claims". #}
{% macro overall_verdict(verdicts) -%}
    case
        when list_bool_and(list_transform({{ verdicts }}, v -> v = 'model')) then 'model'
        when len(list_distinct({{ verdicts }})) = 1 then {{ verdicts }}[1]
        when list_contains({{ verdicts }}, 'supported') then 'partly supported'
        when list_contains({{ verdicts }}, 'contradicted') then 'contradicted'
        when list_contains({{ verdicts }}, 'misattributed') then 'misattributed'
        when list_contains({{ verdicts }}, 'too thin to decide') then 'too thin to decide'
        else 'unverified'
    end
{%- endmacro %}
