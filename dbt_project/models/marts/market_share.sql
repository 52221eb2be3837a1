-- Each vendor's share within a period, market and basis.
-- units: accelerator cards shipped (curated shipment estimates).
-- compute: H100-equivalents of the Epoch AI GPU clusters that went live in the year, where
--   Epoch names the chip (China's clusters are anonymised in Epoch, so China has no compute rows).
-- revenue: no source yet gives accelerator revenue by vendor for a market; no rows until one does.
with shipments as (
    select * from {{ ref('stg_reference__china_accelerator_shipments') }}
    where units is not null
),

units as (
    select
        period,
        market,
        'units' as basis,
        vendor,
        origin,
        units as value,
        source_name,
        source_url,
        as_of,
        confidence,
        note
    from shipments
),

chips as (
    select chip_name, vendor, origin from {{ ref('int_chips__merged') }}
),

clusters as (
    select
        clusters.*,
        chips.vendor,
        chips.origin
    from {{ ref('stg_epoch__gpu_clusters') }} as clusters
    left join chips on clusters.chip_name = chips.chip_name
    where clusters.h100_equivalents > 0
        and clusters.first_operational_date is not null
        and coalesce(clusters.status, '') <> 'Planned'
),

markets as (
    select *, 'global' as market from clusters
    union all
    select *, 'China' as market from clusters where country = 'China'
),

attributable as (
    select
        cast(year(first_operational_date) as varchar) as period,
        market,
        sum(h100_equivalents) as all_h100e,
        sum(h100_equivalents) filter (where vendor is not null) as known_h100e
    from markets
    group by 1, 2
),

compute_basis as (
    select
        cast(year(markets.first_operational_date) as varchar) as period,
        markets.market,
        'compute' as basis,
        markets.vendor,
        markets.origin,
        sum(markets.h100_equivalents) as value,
        'Epoch AI, GPU Clusters' as source_name,
        'https://epoch.ai/data/gpu-clusters' as source_url,
        max(markets.as_of) as as_of,
        case
            when bool_or(markets.confidence = 'claimed') then 'claimed'
            when bool_or(markets.confidence = 'estimated') then 'estimated'
            else 'reported'
        end as confidence,
        'H100-equivalents of clusters first operational in the year whose chip Epoch names; '
        || 'shares are of the ' || round(100 * any_value(attributable.known_h100e) / any_value(attributable.all_h100e))
        || '% of the year''s H100-equivalents that can be attributed to a vendor' as note
    from markets
    inner join attributable
        on cast(year(markets.first_operational_date) as varchar) = attributable.period
        and markets.market = attributable.market
    where markets.vendor is not null
    group by 1, 2, 3, 4, 5
),

counted as (
    select * from units
    union all
    select * from compute_basis
)

select
    period,
    market,
    basis,
    vendor,
    origin,
    value,
    value / sum(value) over (partition by period, market, basis) as share,
    source_name,
    source_url,
    as_of,
    confidence,
    note
from counted
