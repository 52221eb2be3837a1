{#-
  The rows of `raw.<table>` with the provenance of the file each was read from: `_source_file`
  (its name), `file_modified_date` and `_loaded_at` (the load's time), from `meta.landed_files`,
  which the lander writes in the transaction that lands the rows (a raw row carries only its
  file's `_file_id`).
-#}
{% macro landed(table) -%}
    {%- set rows = source('raw', table) -%}
    {%- set files = api.Relation.create(database=rows.database, schema='meta', identifier='landed_files') -%}
    (
        select
            landed_rows.* exclude (_file_id),
            landed_files.source_file as _source_file,
            landed_files.file_modified_date,
            landed_files.loaded_at as _loaded_at
        from {{ rows }} as landed_rows
        inner join {{ files }} as landed_files on landed_files.file_id = landed_rows._file_id
    )
{%- endmacro %}
