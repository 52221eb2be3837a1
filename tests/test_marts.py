"""Specific values the marts give on the shipped data (issue 4), read from the session's built warehouse."""

import pytest

from ingestion.synthetic_datacenters import generate_synthetic_datacenters


def _status(warehouse_sql, chip: str, month: str):
    [row] = warehouse_sql(
        "select rule_id, rule_effective_date, eccn_class, china_licence_status, decided_by "
        "from marts.export_control_status where chip_name = ? and month = ?",
        [chip, month],
    )
    return row


def test_h100_is_3a090a_under_the_rule_in_force_since_2023_11_17(warehouse_sql):
    rule, effective, eccn, _, _ = _status(warehouse_sql, "NVIDIA H100 SXM5", "2023-11-01")
    assert (rule, str(effective), eccn) == ("us_2023_11", "2023-11-17", "3A090.a")
    # Before 2023-11-17 the 2022 rule was in force.
    assert _status(warehouse_sql, "NVIDIA H100 SXM5", "2023-10-01")[0] == "us_2022_10"


def test_a800_passes_the_2022_rule_and_not_the_2023_one(warehouse_sql):
    rule, _, eccn, licence, _ = _status(warehouse_sql, "NVIDIA A800 SXM 80GB", "2023-06-01")
    assert (rule, eccn, licence) == ("us_2022_10", "none", "not controlled")
    rule, _, eccn, licence, _ = _status(warehouse_sql, "NVIDIA A800 SXM 80GB", "2024-01-01")
    assert (rule, eccn) == ("us_2023_11", "3A090.a")
    assert licence != "not controlled"


def test_h20_needs_a_licence_from_2025_04_14(warehouse_sql):
    assert _status(warehouse_sql, "NVIDIA H20", "2025-03-01")[3] == "not controlled"
    _, _, eccn, licence, decided_by = _status(warehouse_sql, "NVIDIA H20", "2025-06-01")
    assert (eccn, licence, decided_by) == ("none", "licence required", "us_2025_04_h20_licence")


def test_h200_is_case_by_case_from_2026_01_15(warehouse_sql):
    assert _status(warehouse_sql, "NVIDIA H200 SXM", "2025-11-01")[3] == "prohibited"
    assert _status(warehouse_sql, "NVIDIA H200 SXM", "2025-12-01")[3] == "licence required"
    rule, _, _, licence, decided_by = _status(warehouse_sql, "NVIDIA H200 SXM", "2026-01-01")
    assert (rule, licence, decided_by) == ("us_2026_01", "case-by-case", "us_2026_01_case_by_case")


def test_export_control_status_runs_from_2022_10_to_the_current_month(warehouse_sql):
    [(first, last, months)] = warehouse_sql(
        "select min(month), max(month), count(distinct month) from marts.export_control_status"
    )
    [(current,)] = warehouse_sql("select cast(date_trunc('month', current_date) as date)")
    assert str(first) == "2022-10-01" and last == current
    assert months == (current.year - 2022) * 12 + current.month - 9


def test_c10_cost_performance_is_reproduced_from_the_articles_assumptions(warehouse_sql):
    [(efficiency, cost, performance)] = warehouse_sql(
        "select relative_efficiency, relative_cost, cost_performance from marts.cluster_cost_efficiency "
        "where scenario_id = 'c10_ascend_910c'"
    )
    assert efficiency == pytest.approx(0.75, abs=0.02)
    assert cost == pytest.approx(0.5, abs=0.03)
    assert 1.4 <= performance <= 1.6


def test_cluster_comparison_covers_the_other_chips(warehouse_sql):
    rows = dict(
        warehouse_sql(
            "select chip_name, relative_efficiency from marts.cluster_cost_efficiency "
            "where scenario_kind = 'generic' and baseline_scenario_id = 'c10_h200'"
        )
    )
    assert {"Huawei Ascend 910B", "NVIDIA H100 SXM5", "NVIDIA H20", "Cambricon MLU590"} <= rows.keys()
    # 128 x H20 at 0.9 scaling against 128 x H200 at 0.95.
    assert rows["NVIDIA H20"] == pytest.approx(148 * 0.9 / (989.5 * 0.95), rel=1e-6)


def test_chip_cost_efficiency_is_relative_to_the_h200(warehouse_sql):
    [(per_kw, per_usd, bandwidth, cost)] = warehouse_sql(
        "select tflops_per_kw_vs_h200, tflops_per_kusd_vs_h200, bandwidth_per_usd_vs_h200, "
        "cost_per_pflop_day_vs_h200 from marts.chip_cost_efficiency where chip_name = 'NVIDIA H200 SXM'"
    )
    assert (per_kw, per_usd, bandwidth, cost) == pytest.approx((1, 1, 1, 1))
    [(h100_cost, life, power, utilisation, pue)] = warehouse_sql(
        "select cost_per_pflop_day_usd, service_life_years, power_usd_per_kwh, utilisation, pue "
        "from marts.chip_cost_efficiency where chip_name = 'NVIDIA H100 SXM5'"
    )
    expected = (33_600 / (life * 365) + 0.7 * 24 * pue * power) / (989.4 / 1000 * utilisation)
    assert h100_cost == pytest.approx(expected)


def test_market_shares_sum_to_one_and_the_domestic_trend_is_one_query(warehouse_sql):
    totals = warehouse_sql("select period, market, basis, sum(share) from marts.market_share group by all")
    assert totals and all(total == pytest.approx(1.0) for *_, total in totals)
    trend = warehouse_sql(
        "select period, sum(share) filter (where origin = 'domestic') from marts.market_share "
        "where market = 'China' and basis = 'units' group by period order by period"
    )
    assert dict(trend)["2025"] == pytest.approx(0.41, abs=0.01)
    [(compute_rows,)] = warehouse_sql("select count(*) from marts.market_share where basis = 'compute'")
    assert compute_rows > 0


def test_moore_threads_first_day_return_is_about_425_percent(warehouse_sql):
    [(first_day_return, proceeds_usd, fx_rate_date, oversubscription)] = warehouse_sql(
        "select first_day_return, proceeds_usd, fx_rate_date, oversubscription from marts.ipo_performance "
        "where company = 'Moore Threads'"
    )
    assert first_day_return == pytest.approx(4.25, abs=0.01)
    assert oversubscription == 2750
    # fx_rates has no CNY rate for 2025-12: the latest earlier one (2025-02) is used, and shown.
    assert str(fx_rate_date) == "2025-02-01"
    assert proceeds_usd == pytest.approx(8.0e9 * 0.1374872824)


def test_funding_in_usd_uses_the_latest_earlier_rate(warehouse_sql):
    [(amount, usd, rate_date)] = warehouse_sql(
        "select amount_raised, amount_raised_usd, fx_rate_date from marts.funding_summary "
        "where company = 'Moore Threads' and year = 2023 and stage = 'round'"
    )
    assert amount == 1.0e9
    assert str(rate_date) == "2023-06-01"
    assert usd == pytest.approx(1.0e9 * 0.1396375010)


def test_datacenter_compliance_labels_synthetic_rows_and_measures_shortfalls(warehouse_sql):
    rows = warehouse_sql(
        "select dataset, confidence, total_cards, domestic_cards, required_share, compliant, shortfall_cards "
        "from marts.datacenter_compliance"
    )
    synthetic = [row for row in rows if row[0] == "synthetic"]
    assert len(synthetic) == generate_synthetic_datacenters()["datacenter_id"].n_unique()
    assert {row[1] for row in synthetic} == {"claimed"}
    assert any(row[5] is False for row in synthetic) and any(row[5] is True for row in synthetic)
    for _, _, total, domestic, required, compliant, shortfall in synthetic:
        assert shortfall == max(0, -(-round(required * total, 6) // 1) - domestic)
        assert compliant == (shortfall == 0)
    # Epoch's China clusters are anonymised: the chip mix, hence compliance, stays unknown.
    epoch = [row for row in rows if row[0] == "epoch"]
    assert epoch and all(row[5] is None and row[6] is None for row in epoch)


def test_state_funded_requirement_is_reported_and_the_articles_shares_are_claims(warehouse_sql):
    confidences = dict(
        warehouse_sql(
            "select distinct requirement_event_id, requirement_confidence from marts.datacenter_compliance "
            "where requirement_event_id is not null"
        )
    )
    assert confidences["cn_2025_11_state_funded"] == "reported"
    assert confidences["cn_2023_10_claimed_share"] == "claimed"


def test_synthetic_rows_are_labelled_in_every_table_they_land_in(warehouse_sql):
    for table in ("raw.synthetic_datacenters", "staging.stg_synthetic__datacenters"):
        [(labels,)] = warehouse_sql(f"select list(distinct dataset) from {table}")
        assert labels == ["synthetic"], table


def test_synthetic_generator_is_deterministic():
    assert generate_synthetic_datacenters().equals(generate_synthetic_datacenters())
    assert not generate_synthetic_datacenters(seed=1).equals(generate_synthetic_datacenters())


def test_every_new_mart_row_names_its_source(warehouse_sql):
    for mart in (
        "cluster_cost_efficiency",
        "export_control_status",
        "datacenter_compliance",
        "funding_summary",
        "ipo_performance",
    ):
        [(missing,)] = warehouse_sql(
            f"select count(*) from marts.{mart} "
            "where source_name is null or as_of is null or confidence is null"
        )
        assert missing == 0, mart
