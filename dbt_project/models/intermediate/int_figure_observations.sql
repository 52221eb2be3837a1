-- Every sourced observation of a figure (docs/SOURCES.md), long: one row per table, record, field
-- and source. The curated tables' own values are observations from the source their row names;
-- data/reference/figure_observations.csv adds the other sources' values. `record_key` is the
-- record's natural key as written in figure_observations.csv (see docs/SOURCES.md).
with chip_values as (
    unpivot (
        select
            chip_name as record_key,
            bf16_tflops, int8_tops, memory_gb, memory_bandwidth_tbps, tdp_w, die_area_mm2, interconnect_gbps,
            source_kind, source_name, source_url, as_of, confidence, note
        from {{ ref('stg_reference__chips') }}
    )
    on bf16_tflops, int8_tops, memory_gb, memory_bandwidth_tbps, tdp_w, die_area_mm2, interconnect_gbps
    into name field value value
),

funding_values as (
    unpivot (
        select
            company || '|' || event_type || '|' || cast(event_date as varchar) as record_key,
            offer_price, amount_raised, first_day_open, first_day_close, first_day_return,
            valuation, oversubscription,
            source_kind, source_name, source_url, as_of, confidence, note
        from {{ ref('stg_reference__funding_events') }}
    )
    on offer_price, amount_raised, first_day_open, first_day_close, first_day_return, valuation, oversubscription
    into name field value value
),

rule_dates as (
    unpivot (
        select
            rule_id as record_key,
            cast(published_date as varchar) as published_date,
            cast(effective_date as varchar) as effective_date,
            source_kind, source_name, source_url, as_of, confidence, note
        from {{ ref('stg_reference__export_control_rules') }}
    )
    on published_date, effective_date
    into name field value value_text
),

policy_dates as (
    select
        event_id as record_key, 'event_date' as field, cast(event_date as varchar) as value_text,
        source_kind, source_name, source_url, as_of, confidence, note
    from {{ ref('stg_reference__policy_events') }}
),

curated as (
    select 'chips' as table_name, record_key, field, value, null as value_text,
        source_kind, source_name, source_url, as_of, confidence, note
    from chip_values
    union all by name
    select 'funding_events' as table_name, record_key, field, value, null as value_text,
        source_kind, source_name, source_url, as_of, confidence, note
    from funding_values
    union all by name
    select 'export_control_rules' as table_name, *, null as value from rule_dates
    union all by name
    select 'policy_events' as table_name, *, null as value from policy_dates
)

select
    table_name, record_key, field, value, value_text,
    null::varchar as unit,
    source_kind, source_name, source_url, as_of, confidence, note,
    'curated row' as observed_in
from curated
where value is not null or value_text is not null
union all by name
select
    table_name, record_key, field, value, value_text, unit,
    source_kind, source_name, source_url, as_of, confidence, note,
    'figure_observations' as observed_in
from {{ ref('stg_reference__figure_observations') }}
