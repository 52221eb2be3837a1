-- Per data centre in the card inventories and procurement files: its active cards by origin
-- (domestic / foreign, the chips' origin in int_chips__merged), the domestic share of active
-- cards, and what it spent on cards by origin, in USD (stg_datacenters__procurement_lines, at the order date's rate).
-- Two passes with group by over the card and order lines, then one join per data centre; a data
-- centre's dataset and confidence are the weakest of its rows (macro provenance_of_group).
with chips as (
    select chip_name, origin from {{ ref('int_chips__merged') }}
),

cards as (
    select
        inventory.datacenter_id,
        any_value(inventory.datacenter_name) as datacenter_name,
        any_value(inventory.province) as province,
        any_value(inventory.sector) as sector,
        any_value(inventory.state_funded) as state_funded,
        count(*) as total_cards,
        count(*) filter (where inventory.card_status = 'active') as active_cards,
        count(*) filter (where inventory.card_status = 'active' and chips.origin = 'domestic')
            as active_domestic_cards,
        count(*) filter (where inventory.card_status = 'active' and chips.origin = 'foreign')
            as active_foreign_cards,
        count(*) filter (where inventory.card_status = 'active' and chips.origin is null)
            as active_unclassified_cards,
        max(inventory.as_of) as as_of,
        {{ provenance_of_group('inventory') }}
    from {{ ref('stg_datacenters__cards') }} as inventory
    left join chips on inventory.chip_name = chips.chip_name
    group by inventory.datacenter_id
),

spend as (
    select
        orders.datacenter_id,
        count(*) as procurement_lines,
        coalesce(sum(orders.amount_usd) filter (where chips.origin = 'domestic'), 0) as spend_usd_domestic,
        coalesce(sum(orders.amount_usd) filter (where chips.origin = 'foreign'), 0) as spend_usd_foreign,
        coalesce(sum(orders.amount_usd) filter (where chips.origin is null), 0) as spend_usd_unclassified,
        count(*) filter (where orders.amount_usd is null) as procurement_lines_without_usd,
        max(orders.order_date) as last_order_date,
        {{ provenance_of_group('orders') }}
    from {{ ref('stg_datacenters__procurement_lines') }} as orders
    left join chips on orders.chip_name = chips.chip_name
    group by orders.datacenter_id
)

select
    coalesce(cards.datacenter_id, spend.datacenter_id) as datacenter_id,
    cards.datacenter_name,
    cards.province,
    cards.sector,
    cards.state_funded,
    cast(greatest(cards.dataset, spend.dataset) as varchar) as dataset,
    cast(cards.total_cards as bigint) as total_cards,
    cast(cards.active_cards as bigint) as active_cards,
    cast(cards.active_domestic_cards as bigint) as active_domestic_cards,
    cast(cards.active_foreign_cards as bigint) as active_foreign_cards,
    cast(cards.active_unclassified_cards as bigint) as active_unclassified_cards,
    cast(
        cards.active_domestic_cards / nullif(cards.active_domestic_cards + cards.active_foreign_cards, 0)
        as double
    ) as domestic_share_active,
    cast(spend.procurement_lines as bigint) as procurement_lines,
    cast(spend.spend_usd_domestic as double) as spend_usd_domestic,
    cast(spend.spend_usd_foreign as double) as spend_usd_foreign,
    cast(spend.spend_usd_unclassified as double) as spend_usd_unclassified,
    cast(
        spend.spend_usd_domestic / nullif(spend.spend_usd_domestic + spend.spend_usd_foreign, 0) as double
    ) as domestic_share_spend,
    cast(spend.procurement_lines_without_usd as bigint) as procurement_lines_without_usd,
    cards.as_of as inventory_as_of,
    spend.last_order_date,
    array_to_string(
        list_sort(list_distinct(list_concat(cards.source_names, spend.source_names))), '; '
    ) as source_name,
    nullif(
        array_to_string(list_sort(list_distinct(list_concat(cards.source_urls, spend.source_urls))), '; '), ''
    ) as source_url,
    greatest(cards.as_of, spend.last_order_date) as as_of,
    cast(least(cards.confidence, spend.confidence) as varchar) as confidence
from cards
full outer join spend on cards.datacenter_id = spend.datacenter_id
