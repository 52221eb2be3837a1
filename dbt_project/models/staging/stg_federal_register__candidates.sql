-- One row per Federal Register document (newest download wins): rules for a person to review.
-- Nothing downstream reads these into a classification.
with ranked as (
    select
        *,
        row_number() over (
            partition by document_number
            order by file_modified_date desc, _source_file desc
        ) as download_rank
    from {{ landed('federal_register_candidates') }}
)

select
    document_number,
    title,
    document_type,
    abstract,
    cast(publication_date as date) as publication_date,
    cast(effective_on as date) as effective_on,
    html_url,
    pdf_url,
    'filing' as source_kind,
    'Federal Register' as source_name,
    html_url as source_url,
    cast(file_modified_date as date) as as_of,
    'reported' as confidence,
    'review candidate: not used for classification' as note,
    _source_file as source_file
from ranked
where download_rank = 1
