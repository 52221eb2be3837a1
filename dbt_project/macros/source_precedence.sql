{#
  The precedence among sources that disagree on one figure (docs/SOURCES.md): a filing or an
  exchange announcement first, then the maker's datasheet, reputable press, aggregators, and the
  project's own assumptions last. Lower ranks win; order by it, then by `as_of` descending.
#}
{% macro source_rank(source_kind) -%}
    case {{ source_kind }}
        when 'filing' then 1
        when 'exchange' then 2
        when 'datasheet' then 3
        when 'press' then 4
        when 'aggregator' then 5
        when 'assumption' then 6
    end
{%- endmacro %}

{#  reported beats derived beats estimated beats claimed, for sources of the same kind. #}
{% macro confidence_rank(confidence) -%}
    case {{ confidence }}
        when 'reported' then 1
        when 'derived' then 2
        when 'estimated' then 3
        when 'claimed' then 4
    end
{%- endmacro %}
