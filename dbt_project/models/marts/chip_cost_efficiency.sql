-- Throughput per watt and per dollar for every chip, relative to the NVIDIA H200.
with chips as (
    select * from {{ ref('int_chips__merged') }}
),

baseline as (
    select bf16_tflops as h200_bf16_tflops
    from chips
    where chip_name = 'NVIDIA H200 SXM'
)

select
    chips.chip_name,
    chips.vendor,
    chips.origin,
    chips.memory_gb,
    chips.memory_bandwidth_tbps,
    chips.bf16_tflops,
    chips.tdp_w,
    chips.price_usd,
    chips.bf16_tflops / chips.tdp_w * 1000 as tflops_per_kw,
    chips.bf16_tflops / (chips.price_usd / 1000) as tflops_per_kusd,
    chips.bf16_tflops / baseline.h200_bf16_tflops as bf16_vs_h200,
    chips.source_name,
    chips.source_url,
    chips.as_of,
    chips.confidence,
    chips.note
from chips
cross join baseline
