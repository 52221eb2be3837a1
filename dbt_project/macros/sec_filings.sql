{#-
  The fiscal period of an XBRL context, from its dates and the month the filer's fiscal year ends
  (dei:CurrentFiscalYearEndDate). 52/53-week years end within a week of a month end, hence the
  7 days. The fiscal year is the one the period ends in; a 3-month period is a quarter (Q1-Q4),
  a 12-month one the year (FY), others year-to-date ('6M', '9M'); a context without a start is 'instant'.
-#}
{% macro fiscal_year_of(period_end, fiscal_year_end_month) -%}
    year({{ period_end }} - interval 7 day + to_months(12 - {{ fiscal_year_end_month }}))
{%- endmacro %}

{% macro months_between_dates(period_start, period_end) -%}
    cast(round(datediff('day', {{ period_start }}, {{ period_end }}) / 30.4375) as integer)
{%- endmacro %}

{% macro month_of_fiscal_year(period_end, fiscal_year_end_month) -%}
    ((month({{ period_end }} - interval 7 day) - {{ fiscal_year_end_month }} + 11) % 12 + 1)
{%- endmacro %}

{% macro fiscal_period_of(period_start, period_end, fiscal_year_end_month) -%}
    case
        when {{ period_start }} is null then 'instant'
        when {{ months_between_dates(period_start, period_end) }} = 12 then 'FY'
        when {{ months_between_dates(period_start, period_end) }} = 3
            and {{ month_of_fiscal_year(period_end, fiscal_year_end_month) }} % 3 = 0
            then 'Q' || ({{ month_of_fiscal_year(period_end, fiscal_year_end_month) }} // 3)
        else {{ months_between_dates(period_start, period_end) }} || 'M'
    end
{%- endmacro %}

{#-
  A readable label of an XBRL dimension member: 'nvda:ChinaIncludingHongKongMember' ->
  'China (including Hong Kong)', 'nvda:ComputeAndNetworkingSegmentMember' -> 'Compute & Networking',
  'country:TW' -> 'Taiwan' (ISO codes other than the few named stay codes).
-#}
{% macro xbrl_member_label(member) -%}
    case
        when {{ member }} = 'country:US' then 'United States'
        when {{ member }} = 'country:TW' then 'Taiwan'
        when {{ member }} = 'country:SG' then 'Singapore'
        when {{ member }} = 'country:CN' then 'China'
        when {{ member }} = 'country:HK' then 'Hong Kong'
        when {{ member }} like 'country:%' then replace({{ member }}, 'country:', '')
        else regexp_replace(
            replace(
                regexp_replace(
                    regexp_replace(
                        regexp_replace(split_part({{ member }}, ':', 2), '(Segment)?Member$', ''),
                        '([a-z0-9])([A-Z])', '\1 \2', 'g'
                    ),
                    '([A-Z]+)([A-Z][a-z])', '\1 \2', 'g'
                ),
                ' And ', ' & '
            ),
            ' Including (.*)$', ' (including \1)'
        )
    end
{%- endmacro %}

{#- The provenance of a fact of a filing landed from the sec_filings inbox. -#}
{% macro sec_filing_provenance() -%}
    'filing' as source_kind,
    entity_name || ' Form ' || document_type || ' for the period ended ' || strftime(document_period_end_date, '%Y-%m-%d')
        || ' (' || _source_file || ')' as source_name,
    'https://www.sec.gov/cgi-bin/browse-edgar?action=getcompany&CIK=' || entity_cik || '&type=' || document_type
        as source_url,
    document_period_end_date as as_of,
    'reported' as confidence
{%- endmacro %}

{#- The revenue facts of the filings: either US GAAP revenue concept, in USD, over a period. -#}
{% macro sec_revenue_facts() -%}
    concept in ('us-gaap:Revenues', 'us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax')
    and unit = 'iso4217:USD'
    and fiscal_period <> 'instant'
{%- endmacro %}

{#-
  The columns every revenue line of a filing carries, `line_key` naming the line (the columns
  that, with the period, identify it): the amount in USD millions, whether this filing is the
  newest in the inbox to report the line, and the filing's provenance.
-#}
{% macro sec_revenue_line_columns(line_key) -%}
    value / 1e6 as revenue_usd_m,
    concept,
    document_type,
    row_number() over (
        partition by fiscal_year, fiscal_period, {{ line_key }} order by document_period_end_date desc
    ) = 1 as is_latest_filing,
    {{ sec_filing_provenance() }},
    _source_file
{%- endmacro %}

{#- One concept per filing and line: us-gaap:Revenues where a filing tags both revenue concepts. -#}
{% macro one_revenue_concept_per_filing(line_key) -%}
    qualify row_number() over (
        partition by _source_file, fiscal_year, fiscal_period, {{ line_key }}
        order by concept = 'us-gaap:Revenues' desc
    ) = 1
{%- endmacro %}

{#- The period of a revenue line of a filing. -#}
{% macro sec_period_columns() -%}
    fiscal_year,
    fiscal_period,
    case when fiscal_period like 'Q%' then cast(right(fiscal_period, 1) as integer) end as fiscal_quarter,
    period_start,
    period_end
{%- endmacro %}
