{#-
  Fails with one row per month missing, for each of `groups` (values of `group_by`), between
  `first_month` and that group's latest month; a group with no row at all fails too.
-#}
{% test every_month_present(model, date_column, group_by, groups, first_month) %}
with months_on_file as (
    select {{ group_by }} as grp, date_trunc('month', {{ date_column }}) as month
    from {{ model }}
    where {{ group_by }} in ('{{ groups | join("', '") }}')
),

latest as (
    select grp, max(month) as latest_month from months_on_file group by grp
),

expected as (
    select grp, cast(unnest(generate_series(date '{{ first_month }}', latest_month, interval 1 month)) as date) as month
    from latest
),

groups_expected as (
    select unnest(['{{ groups | join("', '") }}']) as grp
)

select grp as {{ group_by }}, month as missing_month
from expected
where not exists (
    select 1 from months_on_file where months_on_file.grp = expected.grp and months_on_file.month = expected.month
)
union all
select grp as {{ group_by }}, null as missing_month
from groups_expected
where grp not in (select grp from latest)
{% endtest %}
