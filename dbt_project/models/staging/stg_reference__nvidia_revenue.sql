select
    fiscal_year,
    fiscal_period,
    case when fiscal_period like 'Q%' then cast(right(fiscal_period, 1) as integer) end as fiscal_quarter,
    line_type,
    line,
    revenue_usd_m,
    source_kind,
    source_name,
    source_url,
    as_of,
    confidence,
    note
from {{ source('raw', 'nvidia_revenue') }}
