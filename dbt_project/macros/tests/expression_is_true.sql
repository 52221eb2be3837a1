{#- Fails for every row where `expression` is false (null counts as passing: the figure is unknown). -#}
{% test expression_is_true(model, expression) %}
select *
from {{ model }}
where not ({{ expression }})
{% endtest %}
