-- One row per cluster of the newest Epoch AI GPU Clusters file in the inbox.
with newest_file as (
    select _source_file
    from {{ landed('epoch_gpu_clusters') }}
    group by _source_file
    order by max(file_modified_date) desc, _source_file desc
    limit 1
),

clusters as (
    select clusters.*
    from {{ landed('epoch_gpu_clusters') }} as clusters
    inner join newest_file using (_source_file)
),

chips as (
    select chip_name, epoch_hardware_name from {{ ref('stg_reference__chips') }}
)

select
    md5(clusters.cluster_name || '|' || clusters.source_row) as cluster_id,
    clusters.cluster_name,
    clusters.status,
    clusters.certainty,
    clusters.country,
    clusters.owner,
    clusters.sector,
    clusters.chip_type,
    coalesce(by_epoch_name.chip_name, by_chip_name.chip_name) as chip_name,
    clusters.chip_quantity,
    clusters.total_chips,
    clusters.h100_equivalents,
    clusters.power_mw,
    clusters.hardware_cost_usd,
    clusters.first_operational_date,
    clusters.decommissioned_date,
    clusters.gpu_supplier,
    clusters.notes,
    'epoch' as dataset,
    'Epoch AI, GPU Clusters' as source_name,
    coalesce(clusters.source_url, 'https://epoch.ai/data/gpu-clusters') as source_url,
    clusters.file_modified_date as as_of,
    case clusters.certainty
        when 'Confirmed' then 'reported'
        when 'Likely' then 'estimated'
        else 'claimed'
    end as confidence,
    clusters._source_file,
    clusters.source_row
from clusters
left join chips as by_epoch_name on clusters.chip_type = by_epoch_name.epoch_hardware_name
left join chips as by_chip_name on clusters.chip_type = by_chip_name.chip_name
