select
    fiscal_year,
    fiscal_quarter,
    'Q' || fiscal_quarter || ' FY' || right(cast(fiscal_year as varchar), 2) as quarter_label,
    segment,
    revenue_usd_m,
    source_name,
    source_url,
    as_of,
    confidence
from {{ source('raw', 'nvidia_datacenter_revenue') }}
