-- One row per source per annual figure (revenue, net profit) of a listed domestic chip maker, as
-- curated in data/reference/company_financials.csv, with the ranks of its source kind and
-- confidence (macros source_rank, confidence_rank) that decide which source a mart shows.
select
    company,
    ticker,
    fiscal_year,
    period_end,
    metric,
    value,
    currency,
    unit,
    source_kind,
    {{ source_rank('source_kind') }} as source_rank,
    source_name,
    source_url,
    as_of,
    confidence,
    {{ confidence_rank('confidence') }} as confidence_rank,
    note
from {{ source('raw', 'company_financials') }}
