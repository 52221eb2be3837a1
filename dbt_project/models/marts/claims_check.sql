-- The seed article's claims against the figures the warehouse holds: one row per claim, its
-- overall verdict from the verdicts of its parts (marts.claim_parts, macro overall_verdict:
-- supported, partly supported, contradicted, misattributed, too thin to decide, unverified or
-- model), each part's verdict in words, and every row the verdicts rest on.
with claims as (
    select * from {{ ref('stg_reference__claims') }}
),

parts as (
    select * from {{ ref('claim_parts') }}
),

by_claim as (
    select
        claim_id,
        list(verdict order by part_id) as verdicts,
        string_agg(part_id || ' ' || verdict || ': ' || coalesce(held_detail, 'no figure on file'), '; ' order by part_id)
            as held_detail,
        string_agg(part_id || ' ' || verdict, '; ' order by part_id) as part_verdicts,
        string_agg(part_id || ': ' || coverage_note, '; ' order by part_id) as coverage_note,
        cast(to_json(flatten(list(json_transform(evidence, '[{"table":"VARCHAR","key":"VARCHAR","field":"VARCHAR","value":"VARCHAR"}]') order by part_id)))
            as varchar) as evidence,
        -- The claim's headline figure: its first part with a figure on file.
        arg_min(held_value, part_id) filter (where held_value is not null) as held_value,
        arg_min(held_unit, part_id) filter (where held_value is not null) as held_unit,
        arg_min(evidence_source_name, part_id) filter (where evidence_source_name is not null) as evidence_source_name,
        arg_min(evidence_source_url, part_id) filter (where evidence_source_name is not null) as evidence_source_url,
        arg_min(evidence_as_of, part_id) filter (where evidence_source_name is not null) as evidence_as_of,
        arg_min(evidence_confidence, part_id) filter (where evidence_source_name is not null) as evidence_confidence
    from parts
    group by claim_id
)

select
    claims.claim_id,
    claims.topic,
    claims.claim_en,
    claims.claim_zh,
    claims.claimed_value,
    claims.claimed_unit,
    by_claim.held_value,
    by_claim.held_unit,
    by_claim.held_detail,
    coalesce({{ overall_verdict('by_claim.verdicts') }}, 'unverified') as verdict,
    by_claim.part_verdicts,
    coalesce(by_claim.evidence, '[]') as evidence,
    by_claim.coverage_note,
    by_claim.evidence_source_name,
    by_claim.evidence_source_url,
    by_claim.evidence_as_of,
    by_claim.evidence_confidence
from claims
left join by_claim on claims.claim_id = by_claim.claim_id
