-- One row per accelerator: the newest edition in the inbox that lists it.
with editions as (
    select
        *,
        coalesce(max(cast(last_modified as date)) over (partition by _source_file), file_modified_date)
            as edition_date
    from {{ landed('epoch_ml_hardware') }}
),

newest as (
    select *
    from editions
    qualify row_number() over (
        partition by hardware_name order by edition_date desc, _source_file desc, source_row
    ) = 1
)

select
    hardware_name,
    manufacturer,
    hardware_type,
    release_date,
    release_price_usd,
    bf16_tflops,
    int8_tops,
    fp8_tflops,
    memory_gb,
    memory_bandwidth_tbps,
    intranode_bandwidth_gbps,
    die_area_mm2,
    tdp_w,
    process_nm,
    -- Epoch's own TPP where it gives one, else the same definition as the curated chips.
    coalesce(tpp, greatest(int8_tops * 8, bf16_tflops * 16)) as tpp,
    datasheet_url,
    notes,
    extra_json,
    'Epoch AI, Machine Learning Hardware' as source_name,
    'https://epoch.ai/data/machine-learning-hardware' as source_url,
    edition_date as as_of,
    'reported' as confidence,
    _source_file,
    source_row
from newest
