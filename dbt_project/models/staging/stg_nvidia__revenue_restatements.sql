-- Every quarter and segment whose figure changed from one edition to the next.
with figures as (
    select
        *,
        cast(regexp_extract(edition, 'FY(\d+)', 1) as integer) * 10
        + cast(regexp_extract(edition, 'Q([1-4])', 1) as integer) as edition_rank
    from {{ landed('nvidia_revenue_by_market') }}
),

sequenced as (
    select
        *,
        lag(edition) over quarter_segment as previous_edition,
        lag(revenue_usd_m) over quarter_segment as previous_revenue_usd_m
    from figures
    window quarter_segment as (partition by fiscal_year, fiscal_quarter, segment order by edition_rank)
)

select
    fiscal_year,
    fiscal_quarter,
    quarter_label,
    segment,
    previous_edition,
    previous_revenue_usd_m,
    edition,
    revenue_usd_m,
    revenue_usd_m - previous_revenue_usd_m as change_usd_m,
    _source_file
from sequenced
where previous_edition is not null
  and revenue_usd_m is distinct from previous_revenue_usd_m
