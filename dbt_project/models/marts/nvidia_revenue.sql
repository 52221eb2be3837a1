-- NVIDIA revenue per fiscal period and line (market platform, segment, geography, product, total):
-- the value of the source that wins the precedence (filing > exchange > datasheet > press >
-- aggregator, then reported > derived > estimated > claimed, then the newest), with the others
-- beside it and a flag where they disagree beyond rounding.
with observations as (
    select
        *,
        row_number() over (
            partition by fiscal_year, fiscal_period, line_type, line
            order by
                revenue_usd_m is null,
                {{ source_rank('source_kind') }},
                {{ confidence_rank('confidence') }},
                as_of desc,
                source_name
        ) as preference
    from {{ ref('int_nvidia_revenue__observations') }}
),

chosen as (
    select * from observations where preference = 1
),

others as (
    select
        c.fiscal_year,
        c.fiscal_period,
        c.line_type,
        c.line,
        count(o.line) as alternatives_count,
        string_agg(
            coalesce(cast(o.revenue_usd_m as varchar), 'null') || ' (' || o.source_name || ', ' || o.as_of || ')',
            '; ' order by o.preference
        ) as alternatives,
        -- Sources that state a figure rounded to USD 0.1 bn differ by up to 50 m: a conflict is
        -- a difference beyond 0.5% of the chosen value.
        coalesce(bool_or(abs(o.revenue_usd_m - c.revenue_usd_m) > 0.005 * abs(c.revenue_usd_m)), false)
            as has_conflict
    from chosen as c
    left join observations as o
        on o.fiscal_year = c.fiscal_year
       and o.fiscal_period = c.fiscal_period
       and o.line_type = c.line_type
       and o.line = c.line
       and o.preference > 1
    group by all
),

period_ends as (
    select fiscal_year, fiscal_period, max(period_end) as period_end
    from {{ ref('int_nvidia_revenue__observations') }}
    group by all
)

select
    c.fiscal_year,
    c.fiscal_quarter,
    c.fiscal_period,
    -- From the filings where one reports the period; else the end of the calendar month the
    -- period ends in (NVIDIA's fiscal year ends on the last Sunday of January).
    coalesce(
        p.period_end,
        last_day(make_date(c.fiscal_year - 1, 1, 1) + to_months(3 * coalesce(c.fiscal_quarter, 4)))
    ) as period_end,
    p.period_end is not null as period_end_from_filing,
    c.line_type,
    c.line,
    c.parent_line,
    c.series,
    c.framework,
    c.revenue_usd_m,
    c.source_kind,
    c.source_name,
    c.source_url,
    c.as_of,
    c.confidence,
    c.note,
    o.alternatives_count + 1 as observations,
    o.alternatives,
    o.has_conflict
from chosen as c
join others as o using (fiscal_year, fiscal_period, line_type, line)
left join period_ends as p using (fiscal_year, fiscal_period)
