{#-
  A cost-model assumption overridden on the command line, or `null` to keep the reference table's value:
    dbt build --vars '{cost_assumptions: {power_usd_per_kwh: 0.12, utilisation: 0.5}}'
  Models use it as `coalesce({{ cost_assumption_override('pue') }}, <value from the table>)`.
-#}
{% macro cost_assumption_override(parameter) -%}
    {%- set overrides = var('cost_assumptions', {}) or {} -%}
    {%- if overrides.get(parameter) is not none -%}
        cast({{ overrides[parameter] }} as double)
    {%- else -%}
        cast(null as double)
    {%- endif -%}
{%- endmacro %}

{#- The names of the cost assumptions overridden by dbt vars, as a SQL string literal ('' when none). -#}
{% macro cost_assumptions_overridden() -%}
    {%- set overrides = var('cost_assumptions', {}) or {} -%}
    {%- set names = [] -%}
    {%- for name, value in overrides.items() if value is not none -%}
        {%- do names.append(name) -%}
    {%- endfor -%}
    '{{ names | sort | join(", ") }}'
{%- endmacro %}
