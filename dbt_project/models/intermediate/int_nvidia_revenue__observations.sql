-- Every sourced observation of an NVIDIA revenue figure, one row per source per figure: the
-- Revenue by Market PDFs (the newest edition of each quarter), the 10-K / 10-Q filings in the
-- inbox (every filing that reports the period) and the curated rows. Lines are mapped onto one
-- scheme across NVIDIA's change of market platforms in Q1 FY2027 (see `line_map`).
with pdf as (
    select
        fiscal_year,
        'Q' || fiscal_quarter as fiscal_period,
        case when segment = 'Total' then 'total' else 'market' end as line_type,
        segment as line,
        revenue_usd_m,
        cast(null as date) as period_end,
        'filing' as source_kind,
        source_name,
        source_url,
        as_of,
        confidence,
        case when restated then 'Restated: first reported as ' || first_reported_usd_m || ' USD m.' end as note
    from {{ ref('stg_nvidia__revenue_by_market') }}
),

sec as (
    select
        fiscal_year, fiscal_period, 'geography' as line_type, geography as line, revenue_usd_m, period_end,
        source_kind, source_name, source_url, as_of, confidence,
        'XBRL ' || concept || ' [' || member || ']' as note
    from {{ ref('stg_sec__revenue_by_geography') }}
    union all
    select
        fiscal_year, fiscal_period, line_type, line, revenue_usd_m, period_end,
        source_kind, source_name, source_url, as_of, confidence,
        'XBRL ' || concept || ' [' || member || ']' as note
    from {{ ref('stg_sec__revenue_by_segment') }}
),

curated as (
    select
        fiscal_year, fiscal_period, line_type, line, revenue_usd_m, cast(null as date) as period_end,
        source_kind, source_name, source_url, as_of, confidence, note
    from {{ ref('stg_reference__nvidia_revenue') }}
),

observations as (
    select * from pdf
    union all
    select * from sec where fiscal_period in ('Q1', 'Q2', 'Q3', 'Q4', 'FY')
    union all
    select * from curated
),

-- NVIDIA's market platforms up to FY2026, and those from Q1 FY2027 on (prior quarters recast):
-- Data Center is one series in both (Compute + Networking before, Hyperscale + AI Clouds,
-- Industrial & Enterprise after); Edge Computing takes over Gaming, Professional Visualization,
-- Automotive and OEM & Other.
line_map (line, line_type, parent_line, series, framework) as (
    values
        ('Data Center', 'market', null, 'Data Center', 'both'),
        ('Compute', 'sub_market', 'Data Center', 'Data Center', 'FY2024-FY2026 market platforms'),
        ('Networking', 'sub_market', 'Data Center', 'Data Center', 'FY2024-FY2026 market platforms'),
        ('Hyperscale', 'sub_market', 'Data Center', 'Data Center', 'FY2027 market platforms'),
        ('AI Clouds, Industrial & Enterprise', 'sub_market', 'Data Center', 'Data Center', 'FY2027 market platforms'),
        ('Gaming', 'market', null, 'Edge Computing', 'FY2024-FY2026 market platforms'),
        ('Professional Visualization', 'market', null, 'Edge Computing', 'FY2024-FY2026 market platforms'),
        ('Automotive', 'market', null, 'Edge Computing', 'FY2024-FY2026 market platforms'),
        ('OEM & Other', 'market', null, 'Edge Computing', 'FY2024-FY2026 market platforms'),
        ('Edge Computing', 'market', null, 'Edge Computing', 'FY2027 market platforms')
)

select
    o.fiscal_year,
    o.fiscal_period,
    case when o.fiscal_period like 'Q%' then cast(right(o.fiscal_period, 1) as integer) end as fiscal_quarter,
    o.period_end,
    coalesce(m.line_type, o.line_type) as line_type,
    o.line,
    m.parent_line,
    coalesce(m.series, o.line) as series,
    m.framework,
    o.revenue_usd_m,
    o.source_kind,
    o.source_name,
    o.source_url,
    o.as_of,
    o.confidence,
    o.note
from observations as o
left join line_map as m on m.line = o.line
