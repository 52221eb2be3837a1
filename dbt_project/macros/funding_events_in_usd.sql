{#-
  The funding events with their amounts' USD rate: the monthly average of the event's own month
  (fx_rate_basis says when the month is outside the months on file). See macro in_usd.
-#}
{% macro funding_events_in_usd() %}
{{ in_usd(ref('stg_reference__funding_events'), 'event_date') }}
{% endmacro %}
