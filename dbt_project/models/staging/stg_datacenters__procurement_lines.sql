-- One row per purchase-order line for accelerator cards (raw.procurement_lines), typed and named,
-- with its unit price and amount in USD at the monthly average rate of the order's month (macro
-- in_usd; fx_rate_basis says when the month is outside the months on file).
with lines as (
    select
        po_line_id,
        datacenter_id,
        chip_name,
        order_date,
        delivery_date,
        units,
        unit_price,
        currency,
        amount,
        {{ inbox_file_provenance('procurement file', 'order_date') }}
    from {{ landed('procurement_lines') }}
),

converted as (
    {{ in_usd('lines', 'order_date') }}
)

select
    *,
    unit_price * fx_usd_per_unit as unit_price_usd,
    amount * fx_usd_per_unit as amount_usd
from converted
