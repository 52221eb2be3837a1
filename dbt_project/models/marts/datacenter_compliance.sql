-- Per Chinese data centre: its domestic-chip share by cards and by compute, the share its sector
-- must meet under each domestic-chip requirement of the policy table, and the shortfall in cards.
-- Two views of the requirement: the strictest one whatever its confidence (the seed article's
-- 35% / 50% are claims), and the strictest reported one (the state-funded guidance of 2025-11).
-- Rows come from Epoch AI's China clusters (anonymised: chip unknown, so shares stay null) and a
-- synthetic set labelled dataset = 'synthetic'.
with chips as (
    select chip_name, origin, bf16_tflops from {{ ref('int_chips__merged') }}
),

h100 as (
    select bf16_tflops from chips where chip_name = 'NVIDIA H100 SXM5'
),

synthetic_cards as (
    select synthetic.*, chips.origin, chips.bf16_tflops
    from {{ ref('stg_synthetic__datacenters') }} as synthetic
    left join chips on synthetic.chip_name = chips.chip_name
),

synthetic as (
    select
        datacenter_id,
        any_value(datacenter_name) as datacenter_name,
        any_value(dataset) as dataset,
        'China' as country,
        cast(null as varchar) as owner,
        any_value(sector) as sector,
        any_value(state_funded) as state_funded,
        any_value(status) as status,
        any_value(first_operational_date) as first_operational_date,
        sum(cards) as total_cards,
        coalesce(sum(cards) filter (where origin = 'domestic'), 0) as domestic_cards,
        case when count(*) filter (where bf16_tflops is null) = 0 then sum(cards * bf16_tflops) end
            as total_tflops,
        case when count(*) filter (where bf16_tflops is null) = 0
            then coalesce(sum(cards * bf16_tflops) filter (where origin = 'domestic'), 0)
        end as domestic_tflops,
        cast(null as double) as reported_h100_equivalents,
        any_value(source_name) as source_name,
        any_value(source_url) as source_url,
        any_value(as_of) as as_of,
        any_value(confidence) as confidence,
        any_value(note) as note
    from synthetic_cards
    group by datacenter_id
),

epoch as (
    select
        clusters.cluster_id as datacenter_id,
        clusters.cluster_name as datacenter_name,
        clusters.dataset,
        clusters.country,
        clusters.owner,
        clusters.sector,
        -- Epoch's sector: Public and Public/Private clusters have state money in them.
        case clusters.sector when 'Private' then false when 'Public' then true when 'Public/Private' then true end
            as state_funded,
        clusters.status,
        clusters.first_operational_date,
        coalesce(clusters.total_chips, clusters.chip_quantity) as total_cards,
        -- Decidable only where Epoch names the chip and it makes up the whole cluster.
        case
            when chips.origin is not null and coalesce(clusters.total_chips, clusters.chip_quantity) = clusters.chip_quantity
                then case chips.origin when 'domestic' then clusters.chip_quantity else 0 end
        end as domestic_cards,
        case
            when chips.bf16_tflops is not null and coalesce(clusters.total_chips, clusters.chip_quantity) = clusters.chip_quantity
                then clusters.chip_quantity * chips.bf16_tflops
        end as total_tflops,
        case
            when chips.bf16_tflops is not null and coalesce(clusters.total_chips, clusters.chip_quantity) = clusters.chip_quantity
                then case chips.origin when 'domestic' then clusters.chip_quantity * chips.bf16_tflops else 0 end
        end as domestic_tflops,
        clusters.h100_equivalents as reported_h100_equivalents,
        clusters.source_name,
        clusters.source_url,
        clusters.as_of,
        clusters.confidence,
        case
            when clusters.chip_name is null then 'Epoch AI does not name the chip (China rows are anonymised): shares undecidable'
        end as note
    from {{ ref('stg_epoch__gpu_clusters') }} as clusters
    left join chips on clusters.chip_name = chips.chip_name
    where clusters.country = 'China'
),

datacenters as (
    select * from epoch
    union all
    select * from synthetic
),

requirements as (
    select *
    from {{ ref('stg_reference__policy_events') }}
    where event_type = 'domestic_chip_requirement'
        and share_basis = 'domestic chips in cards'
        and min_domestic_share is not null
        and event_date <= current_date
        and (rescinded_date is null or rescinded_date > current_date)
),

-- Which requirement applies to which data centre: the 2023 plan as the article reads it covers
-- every intelligent computing centre (35%) and government and finance (50%); the 2025 guidance
-- covers state-funded data centres that go live after it (or are still planned).
applicable as (
    select
        datacenters.datacenter_id,
        requirements.event_id,
        requirements.min_domestic_share,
        requirements.confidence
    from datacenters
    inner join requirements
        on case requirements.sector
            when 'intelligent computing' then true
            when 'government and finance' then datacenters.sector in ('government', 'finance')
            when 'state-funded' then datacenters.state_funded
                and (datacenters.first_operational_date >= requirements.event_date
                    or (datacenters.first_operational_date is null and datacenters.status = 'Planned'))
            else false
        end
),

strictest as (
    select
        datacenter_id,
        max(min_domestic_share) as required_share,
        arg_max(event_id, min_domestic_share) as requirement_event_id,
        arg_max(confidence, min_domestic_share) as requirement_confidence
    from applicable
    group by datacenter_id
),

strictest_reported as (
    select
        datacenter_id,
        max(min_domestic_share) as required_share,
        arg_max(event_id, min_domestic_share) as requirement_event_id
    from applicable
    where confidence = 'reported'
    group by datacenter_id
),

measured as (
    select
        datacenters.*,
        datacenters.domestic_cards / datacenters.total_cards as domestic_share_cards,
        datacenters.domestic_tflops / datacenters.total_tflops as domestic_share_compute,
        coalesce(datacenters.reported_h100_equivalents, datacenters.total_tflops / h100.bf16_tflops)
            as h100_equivalents,
        strictest.required_share,
        strictest.requirement_event_id,
        strictest.requirement_confidence,
        strictest_reported.required_share as required_share_reported,
        strictest_reported.requirement_event_id as requirement_reported_event_id,
        -- Domestic cards the requirement asks for (rounded first: 0.35 * 1000 is 350.00000000000006).
        ceil(round(strictest.required_share * datacenters.total_cards, 6)) as required_cards,
        ceil(round(coalesce(strictest_reported.required_share, 0.0) * datacenters.total_cards, 6))
            as required_cards_reported
    from datacenters
    cross join h100
    left join strictest on datacenters.datacenter_id = strictest.datacenter_id
    left join strictest_reported on datacenters.datacenter_id = strictest_reported.datacenter_id
)

select
    datacenter_id,
    datacenter_name,
    dataset,
    country,
    owner,
    sector,
    state_funded,
    status,
    first_operational_date,
    cast(total_cards as bigint) as total_cards,
    cast(domestic_cards as bigint) as domestic_cards,
    domestic_share_cards,
    h100_equivalents,
    domestic_share_compute,
    required_share,
    requirement_event_id,
    requirement_confidence,
    domestic_cards >= required_cards as compliant,
    -- greatest() skips nulls in DuckDB: keep the shortfall null where the chip mix is unknown.
    cast(
        case when required_cards - domestic_cards is not null then greatest(0, required_cards - domestic_cards) end
        as bigint
    ) as shortfall_cards,
    coalesce(required_share_reported, 0.0) as required_share_reported,
    requirement_reported_event_id,
    domestic_cards >= required_cards_reported as compliant_reported,
    cast(
        case
            when required_cards_reported - domestic_cards is not null
                then greatest(0, required_cards_reported - domestic_cards)
        end as bigint
    ) as shortfall_cards_reported,
    source_name,
    source_url,
    as_of,
    confidence,
    note
from measured
