-- One row per fiscal quarter and market segment: the figure of the newest edition reporting it.
with figures as (
    select
        *,
        cast(regexp_extract(edition, 'FY(\d+)', 1) as integer) + 2000 as edition_fiscal_year,
        cast(regexp_extract(edition, 'Q([1-4])', 1) as integer) as edition_fiscal_quarter
    from {{ landed('nvidia_revenue_by_market') }}
),

ranked as (
    select
        *,
        count(*) over quarter_segment as editions_reporting,
        first_value(revenue_usd_m) over (
            quarter_segment order by edition_fiscal_year, edition_fiscal_quarter
        ) as first_reported_usd_m
    from figures
    window quarter_segment as (partition by fiscal_year, fiscal_quarter, segment)
)

select
    fiscal_year,
    fiscal_quarter,
    quarter_label,
    segment,
    revenue_usd_m,
    edition,
    editions_reporting,
    first_reported_usd_m,
    revenue_usd_m is distinct from first_reported_usd_m as restated,
    'NVIDIA, Revenue by Market quarterly trend (' || edition || ' edition)' as source_name,
    'https://investor.nvidia.com/financial-info/quarterly-results/' as source_url,
    -- NVIDIA's fiscal year ends in late January: the edition's quarter ends about 3 x Q months later.
    last_day(make_date(edition_fiscal_year - 1, 1, 1) + to_months(3 * edition_fiscal_quarter)) as as_of,
    'reported' as confidence,
    _source_file
from ranked
qualify row_number() over (
    partition by fiscal_year, fiscal_quarter, segment
    order by edition_fiscal_year desc, edition_fiscal_quarter desc
) = 1
