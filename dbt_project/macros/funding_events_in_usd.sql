{#-
  The funding events with their amounts' USD rate: the monthly rate of the event's month or the
  latest earlier one (fx_rates has gaps); where no earlier rate exists, the earliest later one,
  flagged in fx_rate_basis. USD converts at 1. See macro in_usd.
-#}
{% macro funding_events_in_usd() %}
{{ in_usd(ref('stg_reference__funding_events'), 'event_date') }}
{% endmacro %}
