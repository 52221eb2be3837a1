-- Every numeric fact of every filing in the sec_filings inbox, with the fiscal period of its context.
select
    entity_cik,
    entity_name,
    document_type,
    document_period_end_date,
    fiscal_year_focus,
    fiscal_period_focus,
    geographic_revenue_note,
    concept,
    context_id,
    period_start,
    coalesce(period_end, period_instant) as period_end,
    {{ fiscal_year_of('coalesce(period_end, period_instant)', 'fiscal_year_end_month') }} as fiscal_year,
    {{ fiscal_period_of('period_start', 'period_end', 'fiscal_year_end_month') }} as fiscal_period,
    dimensions,
    dimension_count,
    value,
    unit,
    _source_file,
    _loaded_at
from {{ landed('sec_filing_facts') }}
