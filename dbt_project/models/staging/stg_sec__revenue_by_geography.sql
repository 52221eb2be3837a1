-- Revenue by geographic area (srt:StatementGeographicalAxis) of every filing, one row per filing,
-- period and area; a period reported by several filings keeps every filing's figure.
with facts as (
    select
        *,
        json_extract_string(dimensions, '$."srt:StatementGeographicalAxis"') as member
    from {{ ref('stg_sec__facts') }}
    where {{ sec_revenue_facts() }}
      and dimension_count = 1
)

select
    {{ sec_period_columns() }},
    member,
    {{ xbrl_member_label('member') }} as geography,
    member = 'nvda:ChinaIncludingHongKongMember' as is_china_including_hong_kong,
    {{ sec_revenue_line_columns('member') }}
from facts
where member is not null
{{ one_revenue_concept_per_filing('member') }}
