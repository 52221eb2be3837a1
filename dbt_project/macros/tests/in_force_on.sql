{#-
  Fails for every row whose rule or measure (`column_name`, its effective date) was not in force on
  the row's date `on`: effective later, or rescinded (`rescinded`) on or before it.
-#}
{% test in_force_on(model, column_name, on, rescinded=none) %}
select *
from {{ model }}
where {{ column_name }} > {{ on }}
    {% if rescinded is not none %}
    or ({{ rescinded }} is not null and {{ rescinded }} <= {{ on }})
    {% endif %}
{% endtest %}
