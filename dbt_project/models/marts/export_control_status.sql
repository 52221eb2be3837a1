-- Per chip and month, from October 2022 to the current month: the US rule version in force at the
-- month's end (or today, for the current month), the chip's ECCN 3A090 class under it, and the
-- licence a sale to China needs, with the rule or chip-specific measure that decided it.
-- SQL's three-valued logic carries missing specs through: a test that cannot be decided
-- (unknown I/O or die area where it matters) leaves the class null rather than guessing.
with chips as (
    select * from {{ ref('int_chips__merged') }}
),

rules as (
    select * from {{ ref('stg_reference__export_control_rules') }}
    where a_tpp_min is not null
),

months as (
    select
        cast(month_start as date) as month,
        least(last_day(cast(month_start as date)), current_date) as status_date
    from unnest(
        generate_series(
            timestamp '2022-10-01', cast(date_trunc('month', current_date) as timestamp), interval 1 month
        )
    ) as months(month_start)
),

rule_in_force as (
    select
        months.month,
        months.status_date,
        rules.*
    from months
    inner join rules
        on rules.effective_date <= months.status_date
        and (rules.rescinded_date is null or rules.rescinded_date > months.status_date)
    qualify row_number() over (partition by months.month order by rules.effective_date desc) = 1
),

-- Licence decisions that name chips (e.g. the H20 licence of April 2025), one row per chip named.
chip_measures as (
    select
        events.event_id,
        events.event_date,
        events.rescinded_date,
        events.licence_status,
        events.title,
        events.source_name,
        events.source_url,
        events.as_of,
        events.confidence,
        trim(named.chip_name) as chip_name
    from {{ ref('stg_reference__policy_events') }} as events,
        unnest(string_split(events.affected_chips, ';')) as named(chip_name)
    where events.jurisdiction = 'US'
        and events.licence_status is not null
        and events.affected_chips is not null
),

tests as (
    select
        chips.chip_name,
        chips.vendor,
        chips.origin,
        chips.release_date,
        chips.memory_bandwidth_tbps,
        rule_in_force.month,
        rule_in_force.status_date,
        rule_in_force.rule_id,
        rule_in_force.effective_date as rule_effective_date,
        rule_in_force.rescinded_date as rule_rescinded_date,
        rule_in_force.case_by_case_tpp_max,
        rule_in_force.case_by_case_dram_gbps_max,
        chips.tpp,
        chips.performance_density,
        chips.interconnect_gbps,
        (
            (chips.tpp >= rule_in_force.a_tpp_min
                and (rule_in_force.a_io_gbps_min is null
                    or chips.interconnect_gbps >= rule_in_force.a_io_gbps_min))
            or (rule_in_force.a_tpp_min_with_pd is not null
                and chips.tpp >= rule_in_force.a_tpp_min_with_pd
                and chips.performance_density >= rule_in_force.a_pd_min)
        ) as meets_a,
        (
            (rule_in_force.b_tpp_min is not null
                and chips.tpp >= rule_in_force.b_tpp_min and chips.tpp < rule_in_force.b_tpp_max
                and chips.performance_density >= rule_in_force.b_pd_min
                and chips.performance_density < rule_in_force.pd_max_for_b)
            or (rule_in_force.b_alt_tpp_min is not null
                and chips.tpp >= rule_in_force.b_alt_tpp_min
                and chips.performance_density >= rule_in_force.b_alt_pd_min
                and chips.performance_density < rule_in_force.pd_max_for_b)
        ) as meets_b,
        rule_in_force.source_name as rule_source_name,
        rule_in_force.source_url as rule_source_url,
        rule_in_force.as_of as rule_as_of,
        rule_in_force.confidence as rule_confidence
    from chips
    cross join rule_in_force
),

classified as (
    select
        tests.*,
        case
            when meets_a then '3A090.a'
            when meets_a is null then null
            when meets_b then '3A090.b'
            when meets_b is null then null
            else 'none'
        end as eccn_class,
        case
            when tpp is null then 'no throughput figure: TPP unknown'
            when meets_a is null then 'undecided: interconnect or die area unknown'
            when meets_a then 'meets the 3A090.a thresholds'
            when meets_b is null then 'undecided for 3A090.b: die area unknown'
            when meets_b then 'meets the 3A090.b thresholds'
            else 'below every threshold of this rule'
        end as classification_note
    from tests
),

with_measure as (
    select
        classified.*,
        measure.event_id as measure_id,
        measure.event_date as measure_date,
        measure.licence_status as measure_licence_status,
        measure.title as measure_title,
        measure.source_name as measure_source_name,
        measure.source_url as measure_source_url,
        measure.as_of as measure_as_of,
        measure.confidence as measure_confidence
    from classified
    left join chip_measures as measure
        on classified.chip_name = measure.chip_name
        and measure.event_date <= classified.status_date
        and (measure.rescinded_date is null or measure.rescinded_date > classified.status_date)
    qualify row_number() over (
        partition by classified.chip_name, classified.month order by measure.event_date desc nulls last
    ) = 1
),

decided as (
    select
        *,
        case
            when origin = 'domestic' then 'domestic chip'
            when measure_id is not null then 'chip-specific measure'
            when eccn_class is not null then 'rule thresholds'
        end as decided_by_kind,
        case
            when origin = 'domestic' then 'not controlled'
            when measure_id is not null then measure_licence_status
            when eccn_class = '3A090.a'
                and tpp < case_by_case_tpp_max
                and memory_bandwidth_tbps * 1000 < case_by_case_dram_gbps_max
                then 'case-by-case'
            when eccn_class = '3A090.a' then 'prohibited'
            when eccn_class = '3A090.b' then 'licence required'
            when eccn_class = 'none' then 'not controlled'
        end as china_licence_status
    from with_measure
)

select
    chip_name,
    vendor,
    origin,
    month,
    status_date,
    release_date is not null and release_date <= status_date as released,
    rule_id,
    rule_effective_date,
    rule_rescinded_date,
    tpp,
    performance_density,
    interconnect_gbps,
    eccn_class,
    classification_note,
    china_licence_status,
    decided_by_kind,
    case decided_by_kind
        when 'chip-specific measure' then measure_id
        when 'rule thresholds' then rule_id
    end as decided_by,
    case decided_by_kind
        when 'chip-specific measure' then measure_date
        when 'rule thresholds' then rule_effective_date
    end as decided_on,
    case
        when decided_by_kind = 'domestic chip'
            then 'A Chinese-made chip sold in China needs no US export licence'
        when decided_by_kind = 'chip-specific measure' then measure_title
        when china_licence_status = 'case-by-case'
            then '3A090.a below the case-by-case TPP and DRAM-bandwidth limits: licence reviewed case by case'
        when china_licence_status = 'prohibited'
            then '3A090.a: licence required with a presumption of denial for China'
        when china_licence_status = 'licence required' then '3A090.b: licence required for China'
        when china_licence_status = 'not controlled' then 'Below the thresholds of the rule in force'
        else 'Undecided: a figure the rule tests is missing'
    end as decision_note,
    case when decided_by_kind = 'chip-specific measure' then measure_source_name else rule_source_name end
        as source_name,
    case when decided_by_kind = 'chip-specific measure' then measure_source_url else rule_source_url end
        as source_url,
    case when decided_by_kind = 'chip-specific measure' then measure_as_of else rule_as_of end as as_of,
    case when decided_by_kind = 'chip-specific measure' then measure_confidence else rule_confidence end
        as confidence
from decided
