with source as (
    select * from {{ source('raw', 'chips') }}
),

typed as (
    select
        chip_name,
        vendor,
        origin,
        epoch_hardware_name,
        bf16_tflops,
        int8_tops,
        memory_gb,
        memory_bandwidth_tbps,
        tdp_w,
        die_area_mm2,
        interconnect_gbps,
        process_node,
        case length(released)
            when 4 then make_date(cast(released as integer), 1, 1)
            when 7 then cast(released || '-01' as date)
            else cast(released as date)
        end as release_date,
        case length(released) when 4 then 'year' when 7 then 'month' when 10 then 'day' end
            as release_date_precision,
        price_usd,
        source_kind,
        source_name,
        source_url,
        as_of,
        confidence,
        note
    from source
)

select
    *,
    -- TPP (ECCN 3A090): dense TOPS x bit length, the maximum over the precisions known.
    greatest(int8_tops * 8, bf16_tflops * 16) as tpp,
    greatest(int8_tops * 8, bf16_tflops * 16) / die_area_mm2 as performance_density
from typed
