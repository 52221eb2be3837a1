-- Each figure of the seed article's claims (claim_parts.csv) against the figures the warehouse
-- holds. One CTE per claim computes its parts' evidence; a verdict follows from the evidence,
-- never typed in (docs/SOURCES.md, "Claims"): supported, contradicted, misattributed (the number
-- exists but belongs to another period, tranche or quantity), too thin to decide (the rows on file
-- cover too little of what the claim is about), unverified (no figure on file), model (a modelled
-- scenario). `evidence` lists the rows each verdict rests on: table, key, field, value.
with parts as (
    select * from {{ ref('stg_reference__claim_parts') }}
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

-- The chosen value of every observed figure (int_figures__chosen): the figures the curated rows
-- do not carry, such as intraday highs, tranche multiples and NVIDIA's disclosures.
figures as (
    select * from {{ ref('int_figures__chosen') }}
),

-- NVIDIA's own disclosures the claims C6 and C7 rest on. Re-point to the NVIDIA revenue mart
-- when it holds China revenue by fiscal year and the H20 figures.
nvidia_figures as (
    select record_key, field, value, source_name, source_url, as_of, confidence
    from figures
    where table_name = 'nvidia_disclosures'
),

article as (
    select max(as_of) as published from {{ ref('stg_reference__claims') }}
),

c1_moore_threads as (
    with listing as (
        select
            funding.*,
            funding.company || '|ipo|' || funding.event_date as record_key,
            valuation_chosen.value as close_market_value,
            valuation_chosen.source_name as market_value_source,
            valuation_chosen.source_url as market_value_url,
            valuation_chosen.as_of as market_value_as_of,
            valuation_chosen.confidence as market_value_confidence,
            intraday.value as intraday_market_value,
            high.value as intraday_high,
            500 * (funding.first_day_close - funding.offer_price) as lot_gain_at_close,
            500 * (high.value - funding.offer_price) as lot_gain_at_high
        from funding
        left join figures as valuation_chosen
            on valuation_chosen.table_name = 'funding_events' and valuation_chosen.field = 'valuation'
            and valuation_chosen.record_key = funding.company || '|ipo|' || funding.event_date
        left join figures as intraday
            on intraday.table_name = 'funding_events' and intraday.field = 'intraday_market_value'
            and intraday.record_key = funding.company || '|ipo|' || funding.event_date
        left join figures as high
            on high.table_name = 'funding_events' and high.field = 'intraday_high'
            and high.record_key = funding.company || '|ipo|' || funding.event_date
        where funding.company = 'Moore Threads' and funding.event_type = 'ipo'
    )

    select
        'C1a' as part_id, null as held_value, null as held_unit,
        'listed on ' || exchange || ' on ' || event_date as held_detail,
        case when event_date = date '2025-12-05' and exchange = 'SSE STAR' then 'supported' else 'contradicted' end
            as verdict,
        [{{ evidence_row("'funding_events'", 'record_key', "'event_date'", 'event_date') }},
         {{ evidence_row("'funding_events'", 'record_key', "'exchange'", 'exchange') }}] as evidence,
        null as coverage_note,
        source_name, source_url, as_of, confidence
    from listing
    union all
    select
        'C1b', first_day_return, 'ratio',
        'close ' || first_day_close || ' on an offer price of ' || offer_price || ': '
        || printf('%+.2f%%', 100 * first_day_return),
        case when first_day_return > 4 then 'supported' else 'contradicted' end,
        [{{ evidence_row("'funding_events'", 'record_key', "'first_day_close'", 'first_day_close') }},
         {{ evidence_row("'funding_events'", 'record_key', "'offer_price'", 'offer_price') }}],
        null, source_name, source_url, as_of, confidence
    from listing
    union all
    select
        'C1c', first_day_open_return, 'ratio',
        '468% is the gain at the open (' || first_day_open || ', ' || printf('%+.2f%%', 100 * first_day_open_return)
        || '); the day closed ' || printf('%+.2f%%', 100 * first_day_return),
        case
            when abs(first_day_return - 4.68) <= 0.01 then 'supported'
            when abs(first_day_open_return - 4.68) <= 0.01 then 'misattributed'
            else 'contradicted'
        end,
        [{{ evidence_row("'funding_events'", 'record_key', "'first_day_open'", 'first_day_open') }},
         {{ evidence_row("'funding_events'", 'record_key', "'first_day_close'", 'first_day_close') }}],
        null, source_name, source_url, as_of, confidence
    from listing
    union all
    select
        'C1d', close_market_value, 'CNY',
        'market value at the first-day close CNY ' || printf('%.2f', close_market_value / 1e9) || ' bn ('
        || market_value_source || ')'
        || case when intraday_market_value >= 3e11 then '; above CNY 300 bn only intraday, after the open' else '' end,
        -- As for C1e: a figure reached only intraday belongs to another moment of the day.
        case
            when close_market_value > 3e11 then 'supported'
            when intraday_market_value >= 3e11 then 'misattributed'
            else 'contradicted'
        end,
        [{{ evidence_row("'figure_observations'", 'record_key', "'valuation'", 'close_market_value') }},
         {{ evidence_row("'figure_observations'", 'record_key', "'intraday_market_value'", 'intraday_market_value') }}],
        null, market_value_source, market_value_url, market_value_as_of, market_value_confidence
    from listing
    union all
    select
        'C1e', lot_gain_at_close, 'CNY',
        '500 shares gained CNY ' || printf('%,.0f', lot_gain_at_close) || ' at the close; CNY '
        || printf('%,.0f', lot_gain_at_high) || ' only at the intraday high of ' || intraday_high,
        case
            when abs(lot_gain_at_close / 280000 - 1) <= 0.05 then 'supported'
            when lot_gain_at_high >= 280000 then 'misattributed'
            else 'contradicted'
        end,
        [{{ evidence_row("'funding_events'", 'record_key', "'first_day_close'", 'first_day_close') }},
         {{ evidence_row("'figure_observations'", 'record_key', "'intraday_high'", 'intraday_high') }}],
        null, source_name, source_url, as_of, confidence
    from listing
),

c2_metax as (
    with tranches as (
        select
            record_key,
            any_value(value) filter (where field = 'oversubscription_offline') as offline,
            any_value(value) filter (where field = 'oversubscription_online_before_clawback') as online_before,
            any_value(value) filter (where field = 'oversubscription') as online_after,
            any_value(source_name) filter (where field = 'oversubscription_offline') as source_name,
            any_value(source_url) filter (where field = 'oversubscription_offline') as source_url,
            any_value(as_of) filter (where field = 'oversubscription_offline') as as_of,
            any_value(confidence) filter (where field = 'oversubscription_offline') as confidence
        from figures
        where table_name = 'funding_events' and record_key like 'MetaX|ipo|%'
        group by record_key
    )

    select
        'C2a' as part_id, offline as held_value, 'times' as held_unit,
        'offline (institutional) tranche ' || printf('%,.1f', offline) || 'x; online (retail) '
        || printf('%,.0f', online_before) || 'x before clawback, ' || printf('%,.0f', online_after)
        || 'x after: 2,228x is the offline multiple' as held_detail,
        case
            when abs(offline / 2228 - 1) <= 0.01 then 'supported'
            when abs(online_before / 2228 - 1) <= 0.01 or abs(online_after / 2228 - 1) <= 0.01 then 'supported'
            else 'contradicted'
        end as verdict,
        [{{ evidence_row("'figure_observations'", 'record_key', "'oversubscription_offline'", 'offline') }},
         {{ evidence_row("'figure_observations'", 'record_key', "'oversubscription_online_before_clawback'", 'online_before') }},
         {{ evidence_row("'funding_events'", 'record_key', "'oversubscription'", 'online_after') }}] as evidence,
        null as coverage_note,
        source_name, source_url, as_of, confidence
    from tranches
),

c3_h200 as (
    with decision as (
        select * from policy
        where jurisdiction = 'US' and event_type = 'licence_policy' and affected_chips like '%H200%'
          and confidence = 'reported' and event_date <= (select published from article)
        qualify row_number() over (order by event_date desc) = 1
    )

    select
        'C3a' as part_id, null as held_value, null as held_unit, event_date || ': ' || title as held_detail,
        'supported' as verdict,
        [{{ evidence_row("'policy_events'", 'event_id', "'title'", 'title') }}] as evidence,
        null as coverage_note, source_name, source_url, as_of, confidence
    from decision
    union all
    select
        'C3b', 0.25, 'share', event_date || ': ' || title,
        case when title like '%25%%' then 'supported' else 'contradicted' end,
        [{{ evidence_row("'policy_events'", 'event_id', "'title'", 'title') }}],
        null, source_name, source_url, as_of, confidence
    from decision
),

-- Epoch's GPU clusters are a sample of large clusters, not the market: the share they give is
-- stated with its coverage, and decides nothing until a market basis (units or revenue) exists.
-- "AI compute" is compute, not GPU revenue: decided on the newest global compute estimate with its
-- range; the GPU-only share (no TPUs or other in-house chips) is stated beside it, not used.
c4_nvidia_share as (
    with compute as (
        select * from {{ ref('market_share') }}
        where market = 'global' and basis = 'compute' and vendor = 'NVIDIA' and share is not null
        qualify row_number() over (order by period desc, published_date desc) = 1
    ),

    gpus as (
        select * from {{ ref('market_share') }}
        where market = 'global' and basis in ('units', 'revenue') and vendor = 'NVIDIA' and share is not null
        qualify row_number() over (order by period desc, basis desc, published_date desc) = 1
    )

    select
        'C4a' as part_id,
        compute.share as held_value,
        'share' as held_unit,
        'NVIDIA ' || printf('%.1f%%', 100 * compute.share) || ' of the H100-equivalents sold in '
        || compute.period || ' (' || compute.publisher || '; range '
        || printf('%.1f%%', 100 * compute.share_low) || '-' || printf('%.1f%%', 100 * compute.share_high) || ')'
            as held_detail,
        case
            when compute.share_high < 0.8 then 'contradicted'
            when compute.share_low > 0.8 then 'supported'
            else 'too thin to decide'
        end as verdict,
        [{{ evidence_row("'market_share'", "compute.estimate_id || '|NVIDIA'", "'share'", 'compute.share') }},
         {{ evidence_row("'market_share'", "gpus.estimate_id || '|NVIDIA'", "'share'", 'gpus.share') }}]
            as evidence,
        compute.publisher || ' counts NVIDIA, AMD, Google TPU and Amazon Trainium only: other makers '
        || '(Huawei, Intel, other in-house chips) can only lower NVIDIA''s share, so even the upper end of '
        || 'the range is an upper bound. Counting data-centre GPUs only, ' || gpus.publisher || ' put NVIDIA at '
        || printf('%.0f%%', 100 * gpus.share) || ' of ' || gpus.period || ' ' || gpus.basis
        || ': the claim holds for GPUs, not for AI compute.' as coverage_note,
        compute.source_name, compute.source_url, compute.as_of, compute.confidence
    from compute
    left join gpus on true
),

c5_h200_memory as (
    select
        'C5a' as part_id, memory_gb as held_value, 'GB' as held_unit, memory_gb || ' GB' as held_detail,
        case when abs(memory_gb - 141) < 1 then 'supported' else 'contradicted' end as verdict,
        [{{ evidence_row("'chips'", 'chip_name', "'memory_gb'", 'memory_gb') }}] as evidence,
        null as coverage_note, source_name, source_url, as_of, confidence
    from chips where chip_name = 'NVIDIA H200 SXM'
    union all
    select
        'C5b', memory_bandwidth_tbps, 'TB/s', memory_bandwidth_tbps || ' TB/s',
        case when abs(memory_bandwidth_tbps - 4.8) < 0.05 then 'supported' else 'contradicted' end,
        [{{ evidence_row("'chips'", 'chip_name', "'memory_bandwidth_tbps'", 'memory_bandwidth_tbps') }}],
        null, source_name, source_url, as_of, confidence
    from chips where chip_name = 'NVIDIA H200 SXM'
),

-- 17.1 bn is revenue NVIDIA earned from China in FY2025, not revenue lost to the controls.
c6_nvidia_china as (
    select
        'C6a' as part_id, revenue_usd_m * 1e6 as held_value, 'USD' as held_unit,
        'USD ' || printf('%.1f', revenue_usd_m / 1e3) || ' bn is NVIDIA''s revenue from China (incl. Hong Kong) '
        || 'in FY' || fiscal_year || ', revenue earned, not revenue lost' as held_detail,
        'misattributed' as verdict,
        [{{ evidence_row("'nvidia_revenue'", "fiscal_year || '|' || fiscal_period || '|' || line", "'revenue_usd_m'", 'revenue_usd_m') }}] as evidence,
        null as coverage_note, source_name, source_url, as_of, confidence
    from {{ ref('nvidia_revenue') }}
    where line_type = 'geography' and line = 'China (including Hong Kong)' and fiscal_period = 'FY'
      and abs(revenue_usd_m * 1e6 / 1.71e10 - 1) <= 0.01
    union all
    select
        'C6b', value * 1e6, 'USD',
        'a USD ' || printf('%.1f', value / 1e3) || ' bn charge for H20 excess inventory and purchase obligations in '
        || split_part(record_key, '|', 1),
        case when abs(value * 1e6 / 4.5e9 - 1) <= 0.01 then 'supported' else 'contradicted' end,
        [{{ evidence_row("'figure_observations'", "'nvidia_disclosures|' || record_key", 'field', 'value') }}],
        null, source_name, source_url, as_of, confidence
    from nvidia_figures
    where field = 'charge_usd_m' and record_key like '%|H20'
),

-- About USD 50 m of H20 sales were a quarter of FY2026 (August to October 2025), not 2024; the
-- USD 12 bn was an analyst forecast of 2024 H20 sales in China.
c7_h20 as (
    select
        'C7a' as part_id, value * 1e6 as held_value, 'USD' as held_unit,
        'about USD ' || printf('%.0f', value) || ' m of H20 sales in ' || split_part(record_key, '|', 1)
        || ' (the quarter ended 2025-10-26), not in 2024' as held_detail,
        case
            when abs(value * 1e6 / 5e7 - 1) > 0.1 then 'contradicted'
            when split_part(record_key, '|', 1) like '%FY2025%' then 'supported'
            else 'misattributed'
        end as verdict,
        [{{ evidence_row("'figure_observations'", "'nvidia_disclosures|' || record_key", 'field', 'value') }}] as evidence,
        null as coverage_note, source_name, source_url, as_of, confidence
    from nvidia_figures
    where field = 'revenue_usd_m' and record_key like '%|H20'
    union all
    select
        'C7b', value * 1e6, 'USD',
        'USD ' || printf('%.0f', value / 1e3) || ' bn was an analyst forecast of H20 sales in China in '
        || split_part(record_key, '|', 1) || ' (' || confidence || ')',
        case when abs(value * 1e6 / 1.2e10 - 1) <= 0.05 then 'supported' else 'contradicted' end,
        [{{ evidence_row("'figure_observations'", "'nvidia_disclosures|' || record_key", 'field', 'value') }}],
        null, source_name, source_url, as_of, confidence
    from nvidia_figures
    where field = 'revenue_usd_m' and record_key like '%|H20 China forecast'
),

c8_us_rule_changes as (
    select
        'C8a' as part_id, count(*) as held_value, 'count' as held_unit,
        count(*) || ' US rule and licence changes from ' || min(event_date) || ' to ' || max(event_date)
        || ' (what counts as a change moves the count by about one)' as held_detail,
        case when abs(count(*) - 6) <= 1 then 'supported' else 'contradicted' end as verdict,
        list({{ evidence_row("'policy_events'", 'event_id', "'event_date'", 'event_date') }} order by event_date)
            as evidence,
        null as coverage_note,
        'chipwatch policy timeline' as source_name, null as source_url, max(policy.as_of) as as_of,
        'derived' as confidence
    from policy
    cross join article
    where policy.jurisdiction = 'US' and policy.event_type in ('export_rule', 'licence_policy')
      and policy.confidence = 'reported'
      and policy.event_date between article.published - interval 3 year and article.published
),

c9_cac as (
    select
        'C9a' as part_id, null as held_value, null as held_unit, event_date || ': ' || title as held_detail,
        'supported' as verdict,
        [{{ evidence_row("'policy_events'", 'event_id', "'title'", 'title') }}] as evidence,
        null as coverage_note, source_name, source_url, as_of, confidence
    from policy
    where jurisdiction = 'CN' and event_type = 'regulatory_action'
      and strftime(event_date, '%Y-%m') = '2025-07' and title ilike '%nvidia%' and confidence = 'reported'
    qualify row_number() over (order by event_date) = 1
),

c10_cluster_model as (
    unpivot (
        select
            scenario_id,
            relative_efficiency as "C10a",
            relative_cost as "C10b",
            cost_performance as "C10c",
            source_name, source_url, as_of, confidence
        from {{ ref('cluster_cost_efficiency') }}
        where scenario_id = 'c10_ascend_910c'
    )
    on "C10a", "C10b", "C10c"
    into name part_id value held_value
),

c10_ascend_cluster as (
    select
        part_id, held_value, 'ratio' as held_unit,
        'the cluster model gives ' || printf('%.2f', held_value) || ' under the article''s assumptions' as held_detail,
        'model' as verdict,
        [{{ evidence_row("'cluster_cost_efficiency'", 'scenario_id', 'part_id', 'held_value') }}] as evidence,
        null as coverage_note, source_name, source_url, as_of, confidence
    from c10_cluster_model
),

-- The plan's 35% is intelligent compute in total compute; no reported text sets a domestic-chip share.
c11_action_plan as (
    select
        parts.part_id,
        plan.min_domestic_share as held_value, 'share' as held_unit,
        'the plan''s ' || printf('%.0f%%', 100 * plan.min_domestic_share) || ' is ' || plan.share_basis
        || '; the article''s ' || printf('%.0f%%', 100 * parts.claimed_value) || ' is not in its text' as held_detail,
        case
            when exists (
                select 1 from policy as requirement
                where requirement.event_type = 'domestic_chip_requirement'
                  and requirement.event_date = plan.event_date and requirement.confidence = 'reported'
                  and requirement.min_domestic_share = parts.claimed_value
            ) then 'supported'
            when plan.share_basis <> 'domestic chips in cards' then 'contradicted'
            else 'unverified'
        end as verdict,
        [{{ evidence_row("'policy_events'", 'plan.event_id', "'share_basis'", 'plan.share_basis') }},
         {{ evidence_row("'policy_events'", 'plan.event_id', "'min_domestic_share'", 'plan.min_domestic_share') }}]
            as evidence,
        null as coverage_note,
        plan.source_name, plan.source_url, plan.as_of, plan.confidence
    from policy as plan
    cross join parts
    where plan.event_type = 'compute_target' and plan.confidence = 'reported'
      and plan.event_date = date '2023-10-09' and parts.claim_id = 'C11'
),

-- A sum over the rounds on file decides only when it already exceeds the claim: the table is
-- not a complete record of 2024's financing.
c12_financing as (
    select
        'C12a' as part_id, sum(amount_raised) as held_value, 'CNY' as held_unit,
        'CNY ' || printf('%.2f', sum(amount_raised) / 1e9) || ' bn in ' || count(*) || ' rounds on file' as held_detail,
        case when sum(amount_raised) > 3e10 then 'supported' else 'too thin to decide' end as verdict,
        list({{ evidence_row("'funding_events'", "company || '|' || event_type || '|' || event_date", "'amount_raised'", 'amount_raised') }})
            as evidence,
        case when sum(amount_raised) <= 3e10 then
            count(*) || ' CNY rounds of 2024 on file (' || string_agg(company, ', ' order by company)
            || '); the funding table is not a complete record of the year''s financing'
        end as coverage_note,
        'chipwatch funding table' as source_name, null as source_url, max(as_of) as as_of,
        'derived' as confidence
    from funding
    where currency = 'CNY' and year(event_date) = 2024 and amount_raised is not null
),

c13_domestic_vs_h200 as (
    select
        case chips.chip_name when 'Moore Threads MTT S80' then 'C13a' else 'C13b' end as part_id,
        chips.bf16_tflops / h200.bf16_tflops as held_value, 'ratio' as held_unit,
        chips.chip_name || ': '
        || coalesce(printf('%.2f', chips.bf16_tflops / h200.bf16_tflops) || ' of the H200''s BF16 throughput',
            'no BF16 figure found') as held_detail,
        case
            when chips.bf16_tflops is null then 'unverified'
            when chips.bf16_tflops / h200.bf16_tflops < 0.5 then 'supported'
            else 'contradicted'
        end as verdict,
        [{{ evidence_row("'chips'", 'chips.chip_name', "'bf16_tflops'", 'chips.bf16_tflops') }},
         {{ evidence_row("'chips'", 'h200.chip_name', "'bf16_tflops'", 'h200.bf16_tflops') }}] as evidence,
        null as coverage_note,
        chips.source_name, chips.source_url, chips.as_of, chips.confidence
    from chips
    cross join (select chip_name, bf16_tflops from chips where chip_name = 'NVIDIA H200 SXM') as h200
    where chips.chip_name in ('Moore Threads MTT S80', 'MetaX C588')
),

evidence as (
    select * from c1_moore_threads
    union all by name select * from c2_metax
    union all by name select * from c3_h200
    union all by name select * from c4_nvidia_share
    union all by name select * from c5_h200_memory
    union all by name select * from c6_nvidia_china
    union all by name select * from c7_h20
    union all by name select * from c8_us_rule_changes
    union all by name select * from c9_cac
    union all by name select * from c10_ascend_cluster
    union all by name select * from c11_action_plan
    union all by name select * from c12_financing
    union all by name select * from c13_domestic_vs_h200
)

select
    parts.claim_id,
    parts.part_id,
    parts.part_en,
    parts.claimed_value,
    parts.claimed_unit,
    cast(evidence.held_value as double) as held_value,
    cast(evidence.held_unit as varchar) as held_unit,
    cast(evidence.held_detail as varchar) as held_detail,
    coalesce(evidence.verdict, 'unverified') as verdict,
    cast(to_json(coalesce(evidence.evidence, [])) as varchar) as evidence,
    cast(case when evidence.verdict is null then 'no figure on file for this part' else evidence.coverage_note end as varchar)
        as coverage_note,
    cast(evidence.source_name as varchar) as evidence_source_name,
    cast(evidence.source_url as varchar) as evidence_source_url,
    cast(evidence.as_of as date) as evidence_as_of,
    cast(evidence.confidence as varchar) as evidence_confidence
from parts
left join evidence on parts.part_id = evidence.part_id
