-- One row per accelerator card in a data centre's inventory file (raw.card_inventory), typed and
-- named; the source, as-of date (the file's date) and confidence are filled where the file gives none.
select
    card_serial,
    datacenter_id,
    datacenter_name,
    province,
    sector,
    state_funded,
    first_operational_date,
    server_id,
    chip_name,
    status as card_status,
    installed_on as installed_date,
    {{ inbox_file_provenance('card inventory file', 'file_modified_date') }}
from {{ landed('card_inventory') }}
