-- One row per chip: every curated chip, with Epoch AI's figures beside it where Epoch lists it,
-- plus the chips only Epoch lists. Each spec of a curated chip is the observation the written
-- precedence picks (int_figures__chosen: the chip row's own value and figure_observations);
-- `spec_alternatives` keeps the others. `conflict_fields` names the specs whose observations
-- disagree, or whose chosen value differs from the Epoch edition in the inbox by more than 5%.
{%- set observed_specs = ['bf16_tflops', 'int8_tops', 'memory_gb', 'memory_bandwidth_tbps', 'tdp_w', 'die_area_mm2', 'interconnect_gbps'] %}
with chosen as (
    select
        record_key as chip_name,
        {%- for field in observed_specs %}
        any_value(value) filter (where field = '{{ field }}') as {{ field }},
        {%- endfor %}
        cast(to_json(map_from_entries(list({'k': field, 'v': json(alternatives)}) filter (where alternatives <> '[]'))) as varchar)
            as spec_alternatives,
        string_agg(field, ', ' order by field) filter (where has_conflict) as observation_conflicts
    from {{ ref('int_figures__chosen') }}
    where table_name = 'chips'
    group by record_key
),

curated as (
    select
        chips.* replace (
            {%- for field in observed_specs %}
            chosen.{{ field }} as {{ field }},
            {%- endfor %}
            greatest(chosen.int8_tops * 8, chosen.bf16_tflops * 16) as tpp,
            greatest(chosen.int8_tops * 8, chosen.bf16_tflops * 16) / chosen.die_area_mm2 as performance_density
        ),
        chosen.spec_alternatives,
        chosen.observation_conflicts
    from {{ ref('stg_reference__chips') }} as chips
    left join chosen on chips.chip_name = chosen.chip_name
),

epoch as (
    select * from {{ ref('stg_epoch__ml_hardware') }}
),

-- Vendor and origin of Epoch's manufacturers, learnt from the curated chips Epoch also lists.
manufacturers as (
    select epoch.manufacturer, min(curated.vendor) as vendor, min(curated.origin) as origin
    from curated
    inner join epoch on curated.epoch_hardware_name = epoch.hardware_name
    group by epoch.manufacturer
),

curated_with_epoch as (
    select
        curated.*,
        epoch.hardware_name as epoch_hardware_name_matched,
        epoch.bf16_tflops as epoch_bf16_tflops,
        epoch.int8_tops as epoch_int8_tops,
        epoch.memory_gb as epoch_memory_gb,
        epoch.memory_bandwidth_tbps as epoch_memory_bandwidth_tbps,
        epoch.tdp_w as epoch_tdp_w,
        epoch.tpp as epoch_tpp
    from curated
    left join epoch on curated.epoch_hardware_name = epoch.hardware_name
),

curated_rows as (
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
        epoch_hardware_name_matched as epoch_hardware_name,
        epoch_bf16_tflops,
        epoch_memory_gb,
        epoch_memory_bandwidth_tbps,
        epoch_tdp_w,
        epoch_tpp,
        nullif(array_to_string(list_sort(list_distinct(list_filter(
            string_split(concat_ws(', ',
            observation_conflicts,
            {%- for field in ['bf16_tflops', 'int8_tops', 'memory_gb', 'memory_bandwidth_tbps', 'tdp_w', 'tpp'] %}
            case when abs({{ field }} - epoch_{{ field }}) > 0.05 * greatest(abs({{ field }}), abs(epoch_{{ field }}))
                then '{{ field }}' end{{ ',' if not loop.last }}
            {%- endfor %}
        ), ', '), x -> x <> ''))), ', '), '') as conflict_fields,
        spec_alternatives,
        source_kind,
        source_name,
        source_url,
        as_of,
        confidence,
        note
    from curated_with_epoch
),

epoch_only_rows as (
    select
        epoch.hardware_name as chip_name,
        coalesce(manufacturers.vendor, epoch.manufacturer) as vendor,
        manufacturers.origin,
        epoch.bf16_tflops,
        epoch.int8_tops,
        epoch.memory_gb,
        epoch.memory_bandwidth_tbps,
        epoch.tdp_w,
        epoch.die_area_mm2,
        epoch.intranode_bandwidth_gbps as interconnect_gbps,
        cast(epoch.process_nm as varchar) || 'nm' as process_node,
        epoch.release_date,
        epoch.release_price_usd as price_usd,
        epoch.tpp,
        epoch.tpp / epoch.die_area_mm2 as performance_density,
        'epoch' as spec_source,
        epoch.hardware_name as epoch_hardware_name,
        epoch.bf16_tflops as epoch_bf16_tflops,
        epoch.memory_gb as epoch_memory_gb,
        epoch.memory_bandwidth_tbps as epoch_memory_bandwidth_tbps,
        epoch.tdp_w as epoch_tdp_w,
        epoch.tpp as epoch_tpp,
        null as conflict_fields,
        null as spec_alternatives,
        'aggregator' as source_kind,
        epoch.source_name,
        epoch.source_url,
        epoch.as_of,
        epoch.confidence,
        'Listed by Epoch AI only; not curated' as note
    from epoch
    left join manufacturers on epoch.manufacturer = manufacturers.manufacturer
    where epoch.hardware_name not in (select epoch_hardware_name from curated where epoch_hardware_name is not null)
      and epoch.hardware_name not in (select chip_name from curated)
)

select * from curated_rows
union all by name
select * from epoch_only_rows
