-- One row per currency and month from FRED's H.10 monthly averages: each month from the newest
-- download that has it (a later download may revise a month).
with ranked as (
    select
        *,
        row_number() over (
            partition by series_id, observation_date
            order by file_modified_date desc, _source_file desc
        ) as download_rank
    from {{ landed('fred_fx_monthly') }}
)

select
    currency,
    series_id,
    cast(observation_date as date) as rate_month,
    units_per_usd,
    1.0 / units_per_usd as usd_per_unit,
    'aggregator' as source_kind,
    source_name,
    source_url,
    cast(file_modified_date as date) as as_of,
    -- FRED states units per USD; the row's figure, usd_per_unit, is its inverse.
    'derived' as confidence,
    printf('%.4f', units_per_usd) || ' ' || currency || ' per USD as published; usd_per_unit = 1 / '
        || printf('%.4f', units_per_usd) || '. From the download ' || _source_file || '.' as note,
    _source_file as source_file
from ranked
where download_rank = 1
