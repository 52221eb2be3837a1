-- ECCN 3A090 class of every chip under every rule version that sets thresholds.
-- SQL's three-valued logic carries missing specs through: a test that cannot be decided
-- (unknown I/O or die area where it matters) leaves the class null rather than guessing.
with chips as (
    select * from {{ ref('int_chips__merged') }}
),

rules as (
    select * from {{ ref('stg_reference__export_control_rules') }}
    where a_tpp_min is not null
),

tests as (
    select
        chips.chip_name,
        chips.vendor,
        chips.origin,
        rules.rule_id,
        rules.effective_date as rule_effective_date,
        rules.rescinded_date as rule_rescinded_date,
        chips.tpp,
        chips.performance_density,
        chips.interconnect_gbps,
        (
            (chips.tpp >= rules.a_tpp_min
                and (rules.a_io_gbps_min is null or chips.interconnect_gbps >= rules.a_io_gbps_min))
            or (rules.a_tpp_min_with_pd is not null
                and chips.tpp >= rules.a_tpp_min_with_pd
                and chips.performance_density >= rules.a_pd_min)
        ) as meets_a,
        (
            (rules.b_tpp_min is not null
                and chips.tpp >= rules.b_tpp_min and chips.tpp < rules.b_tpp_max
                and chips.performance_density >= rules.b_pd_min
                and chips.performance_density < rules.pd_max_for_b)
            or (rules.b_alt_tpp_min is not null
                and chips.tpp >= rules.b_alt_tpp_min
                and chips.performance_density >= rules.b_alt_pd_min
                and chips.performance_density < rules.pd_max_for_b)
        ) as meets_b,
        rules.source_name,
        rules.source_url,
        rules.as_of,
        rules.confidence
    from chips
    cross join rules
)

select
    chip_name,
    vendor,
    origin,
    rule_id,
    rule_effective_date,
    rule_rescinded_date,
    tpp,
    performance_density,
    interconnect_gbps,
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
    end as classification_note,
    source_name,
    source_url,
    as_of,
    confidence
from tests
