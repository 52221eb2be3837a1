-- Revenue by geographic area (srt:StatementGeographicalAxis) of every filing, one row per filing,
-- period and area; a period reported by several filings keeps every filing's figure. Each row
-- carries the basis the filing states for its areas, and the basis is part of the line: NVIDIA
-- tags China with the same member under both bases, so a later filing's recast figure would
-- otherwise replace the figure by billing location.
with facts as (
    select
        *,
        json_extract_string(dimensions, '$."srt:StatementGeographicalAxis"') as member,
        case
            when regexp_matches(geographic_revenue_note, 'based (up)?on [^.]*headquarters', 'i')
                then 'customer headquarters'
            when regexp_matches(geographic_revenue_note, 'based (up)?on [^.]*billing location', 'i')
                then 'billing location'
            else 'not stated'
        end as revenue_basis
    from {{ ref('stg_sec__facts') }}
    where {{ sec_revenue_facts() }}
      and dimension_count = 1
),

labelled as (
    select
        *,
        {{ xbrl_member_label('member') }} as geography
    from facts
    where member is not null
)

select
    {{ sec_period_columns() }},
    member,
    geography,
    revenue_basis,
    geography || case revenue_basis
        when 'billing location' then ''
        when 'customer headquarters' then ', customer headquarters'
        else ', basis not stated'
    end as line,
    member = 'nvda:ChinaIncludingHongKongMember' as is_china_including_hong_kong,
    {{ sec_revenue_line_columns('member, revenue_basis') }}
from labelled
{{ one_revenue_concept_per_filing('member') }}
