-- One row per Epoch AI chip-sales estimate (maker x calendar quarter x owner or chip type), from
-- the newest model run in the inbox that gives it (`estimated_on`, then the file's date).
with estimates as (
    select
        *,
        case when owner is null then 'all owners' else 'owner' end as scope
    from {{ landed('epoch_ai_chip_counts') }}
),

newest as (
    select *
    from estimates
    qualify row_number() over (
        partition by manufacturer, scope, coalesce(owner, ''), coalesce(chip_type, ''), start_date, end_date
        order by estimated_on desc nulls last, file_modified_date desc, _source_file desc
    ) = 1
)

select
    md5(concat_ws('|', manufacturer, scope, owner, chip_type, start_date)) as estimate_id,
    estimate_name,
    manufacturer,
    case manufacturer
        when 'Nvidia' then 'NVIDIA'
        when 'Amazon' then 'Amazon AWS'
        else manufacturer
    end as vendor,
    'foreign' as origin,
    scope,
    owner,
    chip_type,
    start_date,
    end_date,
    year(start_date) as year,
    year(start_date) || '-Q' || quarter(start_date) as quarter_label,
    h100e_median,
    h100e_p5,
    h100e_p95,
    units_median,
    units_p5,
    units_p95,
    is_incomplete,
    notes,
    estimated_on,
    'Epoch AI, AI chip sales estimates (ai-chip-counts)' as source_name,
    coalesce(source_url, 'https://github.com/epoch-research/ai-chip-counts') as source_url,
    coalesce(estimated_on, file_modified_date) as as_of,
    'estimated' as confidence,
    'press' as source_kind,
    _source_file,
    source_row
from newest
