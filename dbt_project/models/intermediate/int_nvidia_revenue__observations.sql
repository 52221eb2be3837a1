-- Every sourced observation of an NVIDIA revenue figure, one row per source per figure: the
-- Revenue by Market PDFs (the newest edition of each quarter), the 10-K / 10-Q filings in the
-- inbox (every filing that reports the period, and the quarters derived from their
-- year-to-date spans) and the curated rows. Lines are mapped onto one
-- scheme across NVIDIA's change of market platforms in Q1 FY2027 (see `line_map`); a geography
-- line names its basis (billing location, customer headquarters: stg_sec__revenue_by_geography),
-- so the two bases never meet as observations of one figure.
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
        fiscal_year, fiscal_period, 'geography' as line_type, line, revenue_usd_m,
        period_start, period_end, source_kind, source_name, source_url, as_of, confidence,
        'XBRL ' || concept || ' [' || member || ']' as note, _source_file
    from {{ ref('stg_sec__revenue_by_geography') }}
    union all
    select
        fiscal_year, fiscal_period, line_type, line, revenue_usd_m,
        period_start, period_end, source_kind, source_name, source_url, as_of, confidence,
        'XBRL ' || concept || ' [' || member || ']' as note, _source_file
    from {{ ref('stg_sec__revenue_by_segment') }}
),

-- Quarters the filings give only inside a year-to-date span: Q2-Q4 as a span minus the span three
-- months shorter (FY - 9M = Q4, from a 10-K and the Q3 10-Q if both are in the inbox), and Q1 as
-- the six months minus Q2 of the same 10-Q.
sec_spans as (
    select
        *,
        case fiscal_period when 'Q1' then 3 when '6M' then 6 when '9M' then 9 when 'FY' then 12 end as span_months
    from sec
),

sec_derived as (
    select
        a.fiscal_year,
        case a.span_months when 6 then 'Q2' when 9 then 'Q3' when 12 then 'Q4' end as fiscal_period,
        a.line_type,
        a.line,
        a.revenue_usd_m - b.revenue_usd_m as revenue_usd_m,
        a.period_end,
        a.source_kind,
        a.source_name,
        a.source_url,
        a.as_of,
        'derived' as confidence,
        'Derived: ' || a.fiscal_period || ' ' || a.revenue_usd_m || ' minus ' || b.fiscal_period || ' '
            || b.revenue_usd_m || ' (' || b.source_name || ').' as note
    from sec_spans as a
    join sec_spans as b
        on b.fiscal_year = a.fiscal_year
       and b.line_type = a.line_type
       and b.line = a.line
       and b.period_start = a.period_start
       and b.span_months = a.span_months - 3
    where a.span_months in (6, 9, 12)
    qualify row_number() over (
        partition by a._source_file, a.fiscal_year, a.fiscal_period, a.line_type, a.line order by b.as_of desc
    ) = 1
    union all
    select
        h.fiscal_year,
        'Q1' as fiscal_period,
        h.line_type,
        h.line,
        h.revenue_usd_m - q.revenue_usd_m as revenue_usd_m,
        q.period_start - 1 as period_end,
        h.source_kind,
        h.source_name,
        h.source_url,
        h.as_of,
        'derived' as confidence,
        'Derived: 6M ' || h.revenue_usd_m || ' minus Q2 ' || q.revenue_usd_m || ' of the same filing.' as note
    from sec as h
    join sec as q
        on q._source_file = h._source_file
       and q.fiscal_year = h.fiscal_year
       and q.line_type = h.line_type
       and q.line = h.line
       and q.period_end = h.period_end
    where h.fiscal_period = '6M' and q.fiscal_period = 'Q2'
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
    select
        fiscal_year, fiscal_period, line_type, line, revenue_usd_m, period_end,
        source_kind, source_name, source_url, as_of, confidence, note
    from sec
    where fiscal_period in ('Q1', 'Q2', 'Q3', 'Q4', 'FY')
    union all
    select * from sec_derived
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
