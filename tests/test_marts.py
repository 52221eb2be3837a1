"""Specific values the marts give on the shipped data (issue 4), read from the session's built warehouse."""

import duckdb
import pytest
from conftest import run_dbt

from bench.queries import PRICE_MARTS, model_sql
from ingestion.quarantine import prepare
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
    # The 910C's dense FP16/BF16 is 752 TFLOPS (Epoch's FP16 column; The Register), the H200's 989.5
    # (Epoch): at the scenarios' 0.88 and 0.95 scaling that is 0.70 of the H200 cluster, not quite
    # the article's 75%.
    assert efficiency == pytest.approx(752 * 0.88 / (989.5 * 0.95), rel=1e-6)
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


def test_market_shares_sum_to_one_per_estimate_and_the_domestic_trend_is_one_query(warehouse_sql):
    totals = warehouse_sql(
        "select estimate_id, sum(share) from marts.market_share "
        "where covers_market and share is not null group by all"
    )
    assert totals and all(total == pytest.approx(1.0) for _, total in totals)
    trend = warehouse_sql(
        "select period, sum(share) filter (where origin = 'domestic') from marts.market_share "
        "where market = 'China' and basis = 'units' and preferred group by period order by period"
    )
    # IDC: 1.65 m of about 4.01 m cards in 2025; more than 820,000 of more than 2.7 m in 2024.
    assert dict(trend)["2025"] == pytest.approx(1.65 / 4.01, abs=0.001)
    assert dict(trend)["2024"] == pytest.approx(0.82 / 2.7, abs=0.001)
    [(compute_rows,)] = warehouse_sql("select count(*) from marts.market_share where basis = 'compute'")
    assert compute_rows > 0


def test_market_share_keeps_every_publisher_side_by_side(warehouse_sql):
    years = [
        row[0]
        for row in warehouse_sql(
            "select distinct period from marts.market_share "
            "where market = 'China' and share is not null order by 1"
        )
    ]
    assert len(years) >= 4 and years[0] <= "2024"
    publishers = dict(
        warehouse_sql(
            "select period, count(distinct publisher) from marts.market_share "
            "where market = 'China' and period in ('2024', '2025') group by period"
        )
    )
    assert publishers["2024"] >= 2 and publishers["2025"] >= 2
    # One preferred estimate per period, market and basis; the others stay beside it.
    assert (
        warehouse_sql(
            "select period, market, basis from marts.market_share group by all "
            "having count(distinct estimate_id) filter (where preferred) <> 1"
        )
        == []
    )
    rows = {
        (publisher, str(published), vendor): (share, forecast, confidence)
        for publisher, published, vendor, share, forecast, confidence in warehouse_sql(
            "select publisher, published_date, vendor, share, forecast, confidence from marts.market_share "
            "where market = 'China' and period = '2025'"
        )
    }
    # TrendForce News 2025-06-05 (research of 2025-05-15): imported chips about 42% in 2025, a forecast.
    imported = "Imported chips (NVIDIA, AMD and others)"
    assert rows[("TrendForce", "2025-05-15", imported)] == (0.42, True, "estimated")
    # TrendForce News ?p=44151: lifted to 49% after the H20 clearance; both estimates kept.
    assert rows[("TrendForce", "2025-07-15", imported)][0] == 0.49
    # Reuters 2025-05-21: NVIDIA's CEO said its China share fell to 50% (a company's claim).
    assert rows[("NVIDIA (Jensen Huang)", "2025-05-21", "NVIDIA")] == (0.5, False, "claimed")
    # IDC via Reuters 2026-04-01: NVIDIA 2.2 m of the 4.01 m cards the rows add up to (computed share).
    assert rows[("IDC", "2026-04-01", "NVIDIA")] == (pytest.approx(2.2 / 4.010), False, "derived")
    [(bernstein_2026, forecast)] = warehouse_sql(
        "select share, forecast from marts.market_share "
        "where publisher = 'Bernstein' and period = '2026' and vendor = 'NVIDIA'"
    )
    assert (bernstein_2026, forecast) == (0.08, True)


def test_epoch_compute_shares_come_with_their_interval(warehouse_sql):
    import csv

    from ingestion.paths import PROJECT_ROOT

    folder = PROJECT_ROOT / "data" / "inbox" / "epoch_ai_chip_counts"
    medians: dict[tuple[str, str], float] = {}
    for file, vendor in (
        ("nvidia_calendar_quarter_chip_timelines.csv", "NVIDIA"),
        ("amd_chip_timelines.csv", "AMD"),
        ("tpu_calendar_quarter_chip_timelines.csv", "Google"),
        ("trainium_chip_timelines.csv", "Amazon AWS"),
    ):
        with open(folder / file, encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                key = (row["Start date"].split("/")[2], vendor)
                medians[key] = medians.get(key, 0.0) + float(row["Compute estimate in H100e (median)"])
    rows = warehouse_sql(
        "select period, vendor, value, share, share_low, share_high, confidence from marts.market_share "
        "where market = 'global' and basis = 'compute' and publisher = 'Epoch AI' order by period, vendor"
    )
    # Only the years in which Epoch estimates all four quarters of all four makers.
    assert sorted({period for period, *_ in rows}) == ["2024", "2025"]
    for period, vendor, value, share, low, high, confidence in rows:
        year_total = sum(v for (year, _), v in medians.items() if year == period)
        assert value == pytest.approx(medians[(period, vendor)])
        assert share == pytest.approx(medians[(period, vendor)] / year_total)
        assert low < share < high and confidence == "derived"
    # Epoch's chip exports: NVIDIA about 68% of the four makers' H100-equivalents in 2024 and 2025.
    nvidia = {period: share for period, vendor, _, share, *_ in rows if vendor == "NVIDIA"}
    assert nvidia == {"2024": pytest.approx(0.678, abs=0.001), "2025": pytest.approx(0.677, abs=0.001)}
    # nvidia_owners_quarters.csv, owner China: 9414 + ... = 31,791 H100e in 2022; no Chinese maker
    # is estimated, so China's compute share stays unknown.
    [(china_2022, china_share)] = warehouse_sql(
        "select value, share from marts.market_share "
        "where market = 'China' and basis = 'compute' and vendor = 'NVIDIA' and period = '2022'"
    )
    assert (china_2022, china_share) == (31_791, None)


def test_moore_threads_first_day_return_is_about_425_percent(warehouse_sql):
    [(first_day_return, proceeds_usd, fx_rate_date, oversubscription)] = warehouse_sql(
        "select first_day_return, proceeds_usd, fx_rate_date, oversubscription from marts.ipo_performance "
        "where company = 'Moore Threads'"
    )
    assert first_day_return == pytest.approx(4.25, abs=0.01)
    assert oversubscription == 2750
    # The listing month's rate: Federal Reserve G.5 / FRED EXCHUS, 2025-12 average 7.0432 CNY per USD.
    assert str(fx_rate_date) == "2025-12-01"
    assert proceeds_usd == pytest.approx(8.0e9 / 7.0432)


def test_funding_in_usd_uses_the_rate_of_the_events_own_month(warehouse_sql):
    [(amount, usd, rate_date, basis)] = warehouse_sql(
        "select amount_raised, amount_raised_usd, fx_rate_date, fx_rate_basis from marts.funding_summary "
        "where company = 'Moore Threads' and year = 2023 and stage = 'round'"
    )
    assert amount == 1.0e9
    # FRED EXCHUS (Federal Reserve G.5), 2023-10 average: 7.3071 CNY per USD.
    assert (str(rate_date), basis) == ("2023-10-01", "own month")
    assert usd == pytest.approx(1.0e9 / 7.3071)


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
        "company_financials",
        "export_control_status",
        "datacenter_compliance",
        "funding_summary",
        "ipo_performance",
        "price_latest",
        "price_monthly",
    ):
        [(missing,)] = warehouse_sql(
            f"select count(*) from marts.{mart} "
            "where source_name is null or as_of is null or confidence is null"
        )
        assert missing == 0, mart


# --- price marts: pre-aggregated from staging.stg_prices__daily --------------------------------


def test_price_latest_is_the_newest_daily_row_of_each_ticker(warehouse_sql):
    newest = warehouse_sql(
        "select ticker, trade_date, close, currency, dataset, source_name, trade_date, confidence "
        "from staging.stg_prices__daily "
        "qualify row_number() over (partition by ticker order by trade_date desc) = 1 order by ticker"
    )
    latest = warehouse_sql(
        "select ticker, latest_trade_date, latest_close, currency, dataset, source_name, as_of, confidence "
        "from marts.price_latest order by ticker"
    )
    assert newest and latest == newest
    history = warehouse_sql(
        "select ticker, min(trade_date), count(*) from staging.stg_prices__daily group by 1 order by 1"
    )
    assert (
        warehouse_sql("select ticker, first_trade_date, trading_days from marts.price_latest order by ticker")
        == history
    )


def test_price_monthly_adds_up_the_daily_rows(warehouse_sql):
    daily = warehouse_sql(
        "select ticker, date_trunc('month', trade_date)::date as month, round(sum(volume), 3), count(*), "
        "max(high), min(low), max(trade_date) from staging.stg_prices__daily group by all order by 1, 2"
    )
    monthly = warehouse_sql(
        "select ticker, month, round(volume, 3), trading_days, high, low, as_of from marts.price_monthly "
        "order by 1, 2"
    )
    assert daily and monthly == daily
    [(volume_daily,)] = warehouse_sql("select sum(volume) from staging.stg_prices__daily")
    [(volume_monthly,)] = warehouse_sql("select sum(volume) from marts.price_monthly")
    assert volume_monthly == pytest.approx(volume_daily)


def test_the_bench_rebuilds_the_price_marts_exactly_as_dbt_does(warehouse_sql):
    """bench.queries rebuilds the marts from the model files (refs resolved): same rows, same types."""
    for mart in PRICE_MARTS:
        [(extra, missing)] = warehouse_sql(
            f"select (select count(*) from (({model_sql(mart)}) except all (from marts.{mart}))), "
            f"(select count(*) from ((from marts.{mart}) except all ({model_sql(mart)})))"
        )
        assert (extra, missing) == (0, 0), mart
        dbt_types = warehouse_sql(f"select column_name, column_type from (describe marts.{mart})")
        bench_types = warehouse_sql(f"select column_name, column_type from (describe ({model_sql(mart)}))")
        assert bench_types == dbt_types, mart


@pytest.fixture(scope="module")
def price_warehouse(tmp_path_factory):
    """A warehouse with a few crafted daily prices, landed out of (ticker, date) order, and the
    staging model and the two price marts built by dbt (their dbt tests included)."""
    warehouse = tmp_path_factory.mktemp("prices") / "chipwatch.duckdb"
    rows = [
        # date, ticker, open, high, low, close, volume, currency, dataset, file
        ("2025-01-02", "AAA.SS", None, 11.0, 9.0, 10.0, 100.0, "CNY", "reported", "a.csv"),
        ("2025-01-02", "SYN1.US", 5.0, 5.5, 4.5, 5.2, 10.0, "USD", "synthetic", "s.csv"),
        ("2025-01-03", "AAA.SS", 10.0, 12.0, 9.5, 11.0, None, "CNY", "reported", "a.csv"),
        ("2025-01-31", "AAA.SS", 11.0, 13.0, 10.5, 12.5, 300.0, "CNY", "reported", "b.csv"),
        ("2025-02-03", "AAA.SS", 12.5, 14.0, 12.0, 13.0, 50.0, "CNY", "reported", "b.csv"),
        ("2025-02-04", "BBB.HK", 3.0, None, None, 3.1, None, "HKD", "reported", "b.csv"),
    ]
    file_ids = {name: number for number, name in enumerate(sorted({row[-1] for row in rows}), start=1)}
    with duckdb.connect(str(warehouse)) as con:
        prepare(con)  # the raw and meta schemas, meta.landed_files among them
        con.execute(
            "create table raw.daily_prices (date date, ticker varchar, open double, high double, "
            "low double, close double, volume double, currency varchar, dataset varchar, "
            "_file_id ubigint)"
        )
        con.executemany(
            "insert into raw.daily_prices values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*row[:-1], file_ids[row[-1]]) for row in rows],
        )
        con.executemany(
            "insert into meta.landed_files values (?, 'daily_prices', ?, '2025-02-05', now(), null)",
            [(number, name) for name, number in file_ids.items()],
        )
    completed = run_dbt(warehouse, "stg_prices__daily", *PRICE_MARTS)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return warehouse


def _rows(warehouse, sql: str):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [
            tuple(str(v) if hasattr(v, "isoformat") else v for v in row) for row in con.sql(sql).fetchall()
        ]


def test_price_latest_on_crafted_prices(price_warehouse):
    latest = _rows(
        price_warehouse,
        "select ticker, latest_trade_date, latest_close, currency, first_trade_date, trading_days "
        "from marts.price_latest order by ticker",
    )
    assert latest == [
        ("AAA.SS", "2025-02-03", 13.0, "CNY", "2025-01-02", 4),
        ("BBB.HK", "2025-02-04", 3.1, "HKD", "2025-02-04", 1),
        ("SYN1.US", "2025-01-02", 5.2, "USD", "2025-01-02", 1),
    ]
    provenance = _rows(
        price_warehouse, "select ticker, dataset, source_name, as_of, confidence from marts.price_latest"
    )
    assert sorted(provenance) == [
        ("AAA.SS", "reported", "price file b.csv", "2025-02-03", "reported"),
        ("BBB.HK", "reported", "price file b.csv", "2025-02-04", "reported"),
        ("SYN1.US", "synthetic", "price file s.csv", "2025-01-02", "claimed"),
    ]


def test_price_monthly_bars_on_crafted_prices(price_warehouse):
    # No order by: the mart is stored in (ticker, month) order. January's first day has no open: the
    # bar's open stays null rather than taking a later day's; a missing volume adds nothing, and a
    # month without any volume has none.
    bars = _rows(
        price_warehouse,
        "select ticker, month, open, high, low, close, volume, trading_days from marts.price_monthly",
    )
    assert bars == [
        ("AAA.SS", "2025-01-01", None, 13.0, 9.0, 12.5, 400.0, 3),
        ("AAA.SS", "2025-02-01", 12.5, 14.0, 12.0, 13.0, 50.0, 1),
        ("BBB.HK", "2025-02-01", 3.0, None, None, 3.1, None, 1),
        ("SYN1.US", "2025-01-01", 5.0, 5.5, 4.5, 5.2, 10.0, 1),
    ]
    provenance = _rows(
        price_warehouse,
        "select ticker, month, currency, dataset, source_name, as_of, confidence from marts.price_monthly "
        "order by 1, 2",
    )
    assert provenance == [
        ("AAA.SS", "2025-01-01", "CNY", "reported", "price file b.csv", "2025-01-31", "reported"),
        ("AAA.SS", "2025-02-01", "CNY", "reported", "price file b.csv", "2025-02-03", "reported"),
        ("BBB.HK", "2025-02-01", "HKD", "reported", "price file b.csv", "2025-02-04", "reported"),
        ("SYN1.US", "2025-01-01", "USD", "synthetic", "price file s.csv", "2025-01-02", "claimed"),
    ]


def test_daily_prices_are_stored_in_ticker_and_date_order(price_warehouse):
    stored = _rows(price_warehouse, "select ticker, trade_date from staging.stg_prices__daily order by rowid")
    assert stored == sorted(stored)
    assert _rows(price_warehouse, "select count(*) from staging.stg_prices__daily") == [(6,)]
