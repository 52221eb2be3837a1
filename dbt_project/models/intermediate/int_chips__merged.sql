-- One row per chip: the curated specifications. Sources merged in later keep this shape.
select
    chip_name,
    vendor,
    origin,
    bf16_tflops,
    int8_tops,
    memory_gb,
    memory_bandwidth_tbps,
    tdp_w,
    die_area_mm2,
    interconnect_gbps,
    process_node,
    release_date,
    price_usd,
    tpp,
    performance_density,
    'curated' as spec_source,
    source_name,
    source_url,
    as_of,
    confidence,
    note
from {{ ref('stg_reference__chips') }}
