-- The seed article's claims against the figures the warehouse holds. Each claim's evidence is
-- a query over the data; the verdict follows from the evidence, never typed in:
-- supported / contradicted by the figures, unverified where the warehouse holds none,
-- model where the claim is a modelled scenario rather than a fact.
with claims as (
    select * from {{ ref('stg_reference__claims') }}
),

funding as (
    select * from {{ ref('stg_reference__funding_events') }}
),

policy as (
    select * from {{ ref('stg_reference__policy_events') }}
),

chips as (
    select * from {{ ref('int_chips__merged') }}
),

h200 as (
    select bf16_tflops from chips where chip_name = 'NVIDIA H200 SXM'
),

article as (
    select max(as_of) as published from claims
),

evidence as (
    -- C1: Moore Threads' first-day move ("over 400%", 468% quoted).
    select
        'C1' as claim_id,
        first_day_return as held_value,
        'ratio' as held_unit,
        'first-day close ' || printf('%+.1f%%', 100 * first_day_return)
        || ', open ' || printf('%+.1f%%', 100 * first_day_open_return) as held_detail,
        case when first_day_return > 4 then 'supported' else 'contradicted' end as evidence_verdict,
        source_name, source_url, as_of, confidence
    from funding
    where company = 'Moore Threads' and event_type = 'ipo'

    union all
    -- C2: MetaX's IPO oversubscription (2228x claimed).
    select
        'C2', oversubscription, 'times',
        'oversubscription ' || oversubscription || 'x',
        case
            when abs(oversubscription / claims.claimed_value - 1) <= 0.05 then 'supported'
            else 'contradicted'
        end,
        funding.source_name, funding.source_url, funding.as_of, funding.confidence
    from funding
    cross join claims
    where funding.company = 'MetaX' and funding.event_type = 'ipo'
      and funding.oversubscription is not null and claims.claim_id = 'C2'

    union all
    -- C3: H200 sales to China allowed with 25% to the US government.
    select
        'C3', null, null, event_date || ': ' || title,
        'supported',
        source_name, source_url, as_of, confidence
    from policy
    where jurisdiction = 'US' and event_type = 'licence_policy'
      and affected_chips like '%H200%' and title like '%25%%' and confidence = 'reported'

    union all
    -- C4: NVIDIA above 80% of the global market.
    select
        'C4', share, 'share',
        'NVIDIA ' || basis || ' share ' || period || ': ' || printf('%.1f%%', 100 * share) || ' (' || note || ')',
        case when share > 0.8 then 'supported' else 'contradicted' end,
        source_name, source_url, as_of, confidence
    from {{ ref('market_share') }}
    where market = 'global' and vendor = 'NVIDIA'
    qualify row_number() over (order by period desc, basis) = 1

    union all
    -- C5: H200 with 141 GB of HBM3e and 4.8 TB/s.
    select
        'C5', memory_gb, 'GB',
        memory_gb || ' GB, ' || memory_bandwidth_tbps || ' TB/s',
        case
            when abs(memory_gb - 141) < 1 and abs(memory_bandwidth_tbps - 4.8) < 0.05 then 'supported'
            else 'contradicted'
        end,
        source_name, source_url, as_of, confidence
    from chips
    where chip_name = 'NVIDIA H200 SXM'

    union all
    -- C8: US rules on NVIDIA chips changed 6 times in 3 years (counting dated rule and licence changes).
    select
        'C8', count(*), 'count',
        count(*) || ' US rule and licence changes from ' || min(event_date) || ' to ' || max(event_date)
        || ' (what counts as a change moves the count by about one)',
        case when abs(count(*) - any_value(claims.claimed_value)) <= 1 then 'supported' else 'contradicted' end,
        'chipwatch policy timeline', null, max(policy.as_of), 'reported'
    from policy
    cross join article
    cross join claims
    where claims.claim_id = 'C8' and policy.jurisdiction = 'US'
      and policy.event_type in ('export_rule', 'licence_policy') and policy.confidence = 'reported'
      and policy.event_date between article.published - interval 3 year and article.published

    union all
    -- C9: the CAC summoned NVIDIA in July 2025.
    select
        'C9', null, null, event_date || ': ' || title,
        'supported',
        source_name, source_url, as_of, confidence
    from policy
    where jurisdiction = 'CN' and event_type = 'regulatory_action'
      and strftime(event_date, '%Y-%m') = '2025-07' and title ilike '%nvidia%' and confidence = 'reported'

    union all
    -- C10: the 128 x Ascend 910C cluster against the H200 cluster, as modelled from specs and prices.
    select
        'C10', cost_performance, 'ratio',
        'relative efficiency ' || printf('%.2f', relative_efficiency) || ', relative cost '
        || printf('%.2f', relative_cost) || ', cost-performance ' || printf('%.2f', cost_performance),
        'model',
        source_name, source_url, as_of, confidence
    from {{ ref('cluster_cost_efficiency') }}
    where scenario_id = 'c10_ascend_910c'

    union all
    -- C11: the 2023 plan's 35% is a share of intelligent compute, not of domestic chips.
    select
        'C11', plan.min_domestic_share, 'share',
        'the plan''s ' || printf('%.0f%%', 100 * plan.min_domestic_share) || ' is ' || plan.share_basis,
        case
            when plan.share_basis <> 'domestic chips in cards'
                and not exists (
                    select 1 from policy as requirement
                    where requirement.event_type = 'domestic_chip_requirement'
                      and requirement.event_date = plan.event_date
                      and requirement.confidence = 'reported'
                )
                then 'contradicted'
            else 'supported'
        end,
        plan.source_name, plan.source_url, plan.as_of, plan.confidence
    from policy as plan
    where plan.event_type = 'compute_target' and plan.confidence = 'reported'
      and plan.event_date = date '2023-10-09'

    union all
    -- C12: domestic GPU financing in 2024 above CNY 30 bn (a sum over the rounds on file).
    select
        'C12', sum(amount_raised), 'CNY',
        'CNY ' || printf('%.2f', sum(amount_raised) / 1e9) || ' bn in ' || count(*) || ' rounds on file',
        case when sum(amount_raised) > any_value(claims.claimed_value) then 'supported' end,
        'chipwatch funding table', null, max(funding.as_of), 'reported'
    from funding
    cross join claims
    where claims.claim_id = 'C12' and funding.currency = 'CNY' and year(funding.event_date) = 2024
      and funding.amount_raised is not null

    union all
    -- C13: MTT S80 and MetaX C588 far behind the H200 (BF16 throughput relative to the H200).
    select
        'C13', max(chips.bf16_tflops / h200.bf16_tflops), 'ratio',
        string_agg(
            chips.chip_name || ': ' || coalesce(printf('%.2f', chips.bf16_tflops / h200.bf16_tflops), 'no figure'),
            '; ' order by chips.chip_name
        ),
        case
            when count(chips.bf16_tflops) = count(*) and max(chips.bf16_tflops / h200.bf16_tflops) < 0.5
                then 'supported'
        end,
        'chipwatch chip table', null, max(chips.as_of), min(chips.confidence)
    from chips
    cross join h200
    where chips.chip_name in ('Moore Threads MTT S80', 'MetaX C588')
)

select
    claims.claim_id,
    claims.topic,
    claims.claim_en,
    claims.claim_zh,
    claims.claimed_value,
    claims.claimed_unit,
    evidence.held_value,
    evidence.held_unit,
    evidence.held_detail,
    coalesce(evidence.evidence_verdict, 'unverified') as verdict,
    evidence.source_name as evidence_source_name,
    evidence.source_url as evidence_source_url,
    evidence.as_of as evidence_as_of,
    evidence.confidence as evidence_confidence
from claims
left join evidence on claims.claim_id = evidence.claim_id
-- A claim with several matching events keeps the most recent evidence.
qualify row_number() over (partition by claims.claim_id order by evidence.as_of desc nulls last) = 1
