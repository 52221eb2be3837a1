-- Revenue by reportable segment (us-gaap:StatementBusinessSegmentsAxis), by market platform
-- (srt:ProductOrServiceAxis) and in total, of every filing: one row per filing, period and line.
with facts as (
    select
        *,
        json_extract_string(dimensions, '$."us-gaap:StatementBusinessSegmentsAxis"') as segment_member,
        json_extract_string(dimensions, '$."srt:ProductOrServiceAxis"') as market_member,
        json_extract_string(dimensions, '$."srt:ConsolidationItemsAxis"') as consolidation_member
    from {{ ref('stg_sec__facts') }}
    where {{ sec_revenue_facts() }}
),

lines as (
    select
        *,
        case
            when dimension_count = 0 then 'total'
            when segment_member is not null
                and dimension_count = 1 + (consolidation_member = 'us-gaap:OperatingSegmentsMember')::integer
                then 'segment'
            when market_member is not null and dimension_count = 1 then 'market'
        end as line_type,
        coalesce(segment_member, market_member, 'Total') as member
    from facts
)

select
    {{ sec_period_columns() }},
    line_type,
    member,
    case when line_type = 'total' then 'Total' else {{ xbrl_member_label('member') }} end as line,
    {{ sec_revenue_line_columns('line_type, member') }}
from lines
where line_type is not null
{{ one_revenue_concept_per_filing('line_type, member') }}
