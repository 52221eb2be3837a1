"""The GX suites: they pass on good frames and name the expectation and values on bad ones."""

import duckdb
import polars as pl
from pandas import Timestamp

from validation import runner
from validation.expectations import Expectation, between, has_rows, in_set, not_null, unique, unique_together
from validation.mart_suites import MART_SUITES
from validation.raw_suites import RAW_SUITES
from validation.runner import FailedExpectation, validate_frame, validate_relation
from validation.staging_suites import STAGING_SUITES


def test_a_failing_expectation_is_named_with_its_values():
    frame = pl.DataFrame({"memory_gb": [80.0, -141.0, None], "origin": ["foreign", "domestic", "alien"]})
    outcome = validate_frame(
        frame, "chips_probe", [between("memory_gb", 1, 10_000), in_set("origin", ["domestic", "foreign"])]
    )
    assert not outcome.success
    described = outcome.describe()
    assert (
        "expect_column_values_to_be_between on chips_probe.memory_gb: 1 unexpected, e.g. [-141.0]"
        in described
    )
    assert (
        "expect_column_values_to_be_in_set on chips_probe.origin: 1 unexpected, e.g. ['alien']" in described
    )


def test_a_good_frame_passes_and_counts_its_expectations():
    outcome = validate_frame(pl.DataFrame({"chip_name": ["H100"]}), "names_probe", [not_null("chip_name")])
    assert outcome.success
    assert outcome.evaluated == 1


def test_every_stage_has_a_suite_for_each_table_it_checks():
    from ingestion.reference_tables import REFERENCE_TABLES

    # Raw tables: every rule in GX. Staging and marts: the ranges and row counts (the rest are dbt
    # tests, tests/test_validation_split.py).
    assert set(REFERENCE_TABLES) <= set(RAW_SUITES)
    assert {"stg_reference__chips", "stg_prices__daily", "stg_datacenters__procurement_lines"} <= set(
        STAGING_SUITES
    )
    assert {"market_share", "chip_cost_efficiency", "export_control_status"} <= set(MART_SUITES)


# validate_relation: GX judges frames DuckDB computes, with the verdicts of GX on every row.

PRICE_SUITE = [
    has_rows(10),
    not_null("close"),
    unique_together("date", "ticker"),
    between("close", 0.0001, 1_000),
    in_set("dataset", ["reported", "synthetic"]),
]


def prices(rows: int = 50):
    """An in-memory DuckDB with `prices`: `rows` rows, 5 tickers a day, in date order."""
    con = duckdb.connect()
    con.execute(
        f"""
        create table prices as
        select date '2024-01-01' + (i // 5)::int as date, 'T' || (i % 5) as ticker,
               10.0 + i as close, 'synthetic' as dataset, i
        from range({rows}) as r(i)
        order by i
        """
    )
    return con


def record_frames(monkeypatch) -> list[tuple[int, list[int]]]:
    """Record (rows, expectation positions) of each frame with columns GX validates (a row count's
    frame has none)."""
    frames: list[tuple[int, list[int]]] = []
    original = runner._Run._validate

    def spy(self, frame, indexes, *args, **kwargs):
        if indexes and len(frame.columns):
            frames.append((len(frame), list(indexes)))
        return original(self, frame, indexes, *args, **kwargs)

    monkeypatch.setattr(runner._Run, "_validate", spy)
    return frames


def test_a_relation_in_many_batches_has_the_outcome_of_one_batch(monkeypatch):
    con = prices()
    # Failures spread over the relation: out of range, outside the set, nulls, a duplicate key.
    con.execute("update prices set close = -1 where i in (3, 27, 48)")
    con.execute("update prices set dataset = 'made up' where i in (11, 44)")
    con.execute("update prices set close = null where i in (8, 33)")
    con.execute("update prices set ticker = 'T0' where i = 26")  # duplicates (date 2024-01-06, T0)
    frames = record_frames(monkeypatch)
    split = validate_relation(con, "select * from prices", "prices", PRICE_SUITE, batch_rows=10)
    # The extremes of close (3 rows), its distinct values in batches of 10, those of dataset, the
    # repeated key (2 rows): never a frame of the relation's 50 rows.
    assert len(frames) >= 5 and max(rows for rows, _ in frames) <= 10
    whole = validate_relation(con, "select * from prices", "prices", PRICE_SUITE)
    frame = validate_frame(con.sql("select * from prices").pl(), "prices", PRICE_SUITE)
    assert not split.success
    assert split.evaluated == whole.evaluated == frame.evaluated == len(PRICE_SUITE)
    assert split.describe() == whole.describe() == frame.describe()
    counts = [(f.expectation, f.column, f.unexpected_count) for f in split.failures]
    assert counts == [(f.expectation, f.column, f.unexpected_count) for f in whole.failures]
    assert counts == [
        ("expect_compound_columns_to_be_unique", None, 2),
        ("expect_column_values_to_not_be_null", "close", 2),
        ("expect_column_values_to_be_between", "close", 3),
        ("expect_column_values_to_be_in_set", "dataset", 2),
    ]
    assert split.failures[2].unexpected_values == [-1.0, -1.0, -1.0]
    assert split.failures[0].unexpected_values == [
        {"date": Timestamp("2024-01-06"), "ticker": "T0"},
        {"date": Timestamp("2024-01-06"), "ticker": "T0"},
    ]


def test_uniqueness_is_judged_on_the_rows_whose_key_repeats(monkeypatch):
    con = prices(200)
    # Appended last, far from the rows they repeat.
    con.execute("insert into prices select * from prices where i in (0, 77, 199)")
    frames = record_frames(monkeypatch)
    outcome = validate_relation(
        con, "select * from prices", "prices", [unique_together("date", "ticker")], batch_rows=7
    )
    assert frames == [(6, [0])]  # GX sees the three keys that repeat, twice each
    assert [(f.expectation, f.unexpected_count) for f in outcome.failures] == [
        ("expect_compound_columns_to_be_unique", 6)
    ]


def test_a_key_repeated_many_times_is_two_rows_counting_all_of_its_rows(monkeypatch):
    con = prices(200)
    con.execute("insert into prices select * from prices where i < 40")  # 40 keys, twice each
    con.execute("insert into prices select * from prices where i = 0")  # (2024-01-01, T0) 4 times
    frames = record_frames(monkeypatch)
    outcome = validate_relation(
        con, "select * from prices", "prices", [unique_together("date", "ticker")], batch_rows=7
    )
    assert frames == [(80, [0])]  # two rows per repeated key, however often it repeats
    assert [(f.expectation, f.unexpected_count) for f in outcome.failures] == [
        ("expect_compound_columns_to_be_unique", 82)
    ]
    first_key = {"date": Timestamp("2024-01-01"), "ticker": "T0"}
    assert outcome.failures[0].unexpected_values[:5] == [first_key] * 4 + [
        {"date": Timestamp("2024-01-01"), "ticker": "T1"}
    ]


def test_duplicates_of_a_null_key_are_found_in_batches():
    con = prices()
    con.execute("update prices set date = null where i in (2, 7, 32)")  # (null, T2) three times
    suite = [unique_together("date", "ticker")]
    split = validate_relation(con, "select * from prices", "prices", suite, batch_rows=10)
    whole = validate_relation(con, "select * from prices", "prices", suite)
    assert [f.unexpected_count for f in split.failures] == [f.unexpected_count for f in whole.failures] == [3]


def test_nulls_are_counted_across_batches(monkeypatch):
    con = prices()
    con.execute("update prices set close = null where i % 7 = 0")  # 8 rows, in 5 batches
    frames = record_frames(monkeypatch)
    streamed = validate_relation(con, "select * from prices", "prices", [not_null("close")], batch_rows=10)
    # Judged on close's extremes and a null; then its 42 distinct values and the null, 10 at a time.
    assert frames == [(3, [0]), (10, [0]), (10, [0]), (10, [0]), (10, [0]), (3, [0])]
    aligned = validate_relation(
        con, "select * from prices", "prices", [not_null("close"), unique("date")], batch_rows=10
    )
    for outcome in (streamed, aligned):
        null = next(f for f in outcome.failures if f.expectation == "expect_column_values_to_not_be_null")
        assert null.unexpected_count == 8
    assert "expect_column_values_to_be_unique on prices.date: 50 unexpected" in aligned.describe()


def test_only_failed_expectations_are_run_again_for_their_counts(monkeypatch):
    con = prices()
    con.execute("update prices set close = -1 where i in (3, 27)")
    frames = record_frames(monkeypatch)
    suite = [not_null("close"), between("close", 0.0001, 10_000_000)]
    outcome = validate_relation(con, "select * from prices", "prices", suite, batch_rows=10)
    # Both judged on the extremes of close; only `between` again, on its 49 distinct values.
    assert frames == [(3, [0, 1])] + [(10, [1])] * 4 + [(9, [1])]
    assert [(f.expectation, f.unexpected_count, f.unexpected_values) for f in outcome.failures] == [
        ("expect_column_values_to_be_between", 2, [-1.0, -1.0])
    ]


def test_the_row_count_is_judged_on_the_whole_relation():
    con = prices()
    passing = validate_relation(con, "select * from prices", "prices", [has_rows(40)], batch_rows=10)
    assert passing.success and passing.evaluated == 1
    failing = validate_relation(con, "select * from prices", "prices", [has_rows(60)], batch_rows=10)
    assert failing.failures == [
        FailedExpectation("expect_table_row_count_to_be_between", None, None, [], observed_value=50)
    ]
    assert failing.describe() == "expect_table_row_count_to_be_between on prices: observed 50"
    one_batch = validate_frame(con.sql("select * from prices").pl(), "prices", [has_rows(60)])
    assert one_batch.failures == failing.failures


def test_each_uniqueness_expectation_sees_only_its_repeated_keys(monkeypatch):
    con = prices()
    con.execute("update prices set i = 3 where i = 4")
    frames = record_frames(monkeypatch)
    outcome = validate_relation(
        con, "select * from prices", "prices", [unique("i"), unique_together("date", "ticker")], batch_rows=10
    )
    assert frames == [(2, [0]), (0, [1])]  # i = 3, twice; no (date, ticker) repeats
    assert [(f.expectation, f.column, f.unexpected_count) for f in outcome.failures] == [
        ("expect_column_values_to_be_unique", "i", 2)
    ]


def test_a_uniqueness_expectation_groups_only_the_rows_its_key_may_repeat_in(monkeypatch):
    con = prices()
    con.execute("update prices set i = 3 where i in (4, 5)")
    frames = record_frames(monkeypatch)
    suite = [unique("i"), unique_together("date", "ticker")]
    # The caller has compared i on every row but 3, 4 and 5 (now 3, 3 and 3).
    outcome = validate_relation(
        con, "select * from prices", "prices", suite, batch_rows=10, may_repeat={frozenset({"i"}): "i <= 5"}
    )
    assert frames == [(2, [0]), (0, [1])]
    assert [(f.column, f.unexpected_count) for f in outcome.failures] == [("i", 3)]
    frames.clear()
    # A condition that leaves the repeats out hides them: it is the caller's word.
    validate_relation(
        con, "select * from prices", "prices", suite, batch_rows=10, may_repeat={frozenset({"i"}): "i > 5"}
    )
    assert frames == [(0, [0]), (0, [1])]


def test_uniqueness_with_mostly_is_judged_on_the_whole_relation(monkeypatch):
    con = prices()
    con.execute("update prices set i = 3 where i = 4")  # 2 rows of 50 repeat a key: 4%
    frames = record_frames(monkeypatch)
    mostly = Expectation("ExpectColumnValuesToBeUnique", {"column": "i", "mostly": 0.9})
    outcome = validate_relation(con, "select * from prices", "prices", [mostly], batch_rows=10)
    assert outcome.success  # on the repeated rows alone it would be 100% unexpected
    assert frames == [(50, [0])]


def test_aggregate_and_schema_expectations_see_the_whole_relation():
    con = prices()
    suite = [
        Expectation("ExpectColumnMeanToBeBetween", {"column": "close", "min_value": 34, "max_value": 35}),
        Expectation(
            "ExpectTableColumnsToMatchSet", {"column_set": ["date", "ticker", "close", "dataset", "i"]}
        ),
        Expectation("ExpectColumnToExist", {"column": "volume"}),
    ]
    outcome = validate_relation(con, "select * from prices", "prices", suite, batch_rows=10)
    assert [f.expectation for f in outcome.failures] == ["expect_column_to_exist"]


def test_a_missing_column_fails_its_expectation_without_breaking_the_query():
    con = prices()
    outcome = validate_relation(con, "select * from prices", "prices", [not_null("volume")], batch_rows=10)
    assert [(f.expectation, f.column) for f in outcome.failures] == [
        ("expect_column_values_to_not_be_null", "volume")
    ]


def test_validate_relation_works_inside_an_open_transaction():
    con = prices()
    con.execute("begin")
    con.execute("insert into prices select date, ticker, -5.0, 'synthetic', i + 100 from prices where i < 3")
    outcome = validate_relation(con, "select * from prices", "prices", PRICE_SUITE, batch_rows=10)
    # It sees the uncommitted rows, and leaves the transaction open for its owner to end.
    assert [(f.expectation, f.unexpected_count) for f in outcome.failures] == [
        ("expect_compound_columns_to_be_unique", 6),
        ("expect_column_values_to_be_between", 3),
    ]
    con.execute("rollback")
    assert con.execute("select count(*) from prices").fetchone()[0] == 50
    assert validate_relation(con, "select * from prices", "prices", PRICE_SUITE, batch_rows=10).success


def test_repeated_keys_of_an_enum_are_counted(monkeypatch):
    con = duckdb.connect()
    con.execute("create type grade as enum ('zeta', 'alpha', 'mid')")
    con.execute(
        "create table graded as select ['zeta', 'alpha', 'mid'][1 + i % 3]::grade as g, i from range(30) r(i)"
    )
    con.execute("insert into graded values ('alpha', 4)")  # (alpha, 4) twice; every grade repeats
    frames = record_frames(monkeypatch)
    outcome = validate_relation(
        con, "select * from graded", "graded", [unique_together("g", "i"), unique("g")], batch_rows=20
    )
    assert frames == [(2, [0]), (6, [1])]  # (alpha, 4); then the three grades
    assert [(f.expectation, f.unexpected_count) for f in outcome.failures] == [
        ("expect_compound_columns_to_be_unique", 2),
        ("expect_column_values_to_be_unique", 31),
    ]


def test_a_nan_is_a_null_and_does_not_hide_the_maximum():
    """DuckDB orders NaN above every number; GX (pandas) takes it for a null."""
    con = duckdb.connect()
    con.execute("create table t as select * from (values (1.0), (5000.0), ('NaN'::double)) v(x)")
    suite = [between("x", 0, 100), not_null("x")]
    outcome = validate_relation(con, "select * from t", "t", suite)
    frame = validate_frame(con.sql("select * from t").pl(), "t", suite)
    assert [(f.expectation, f.unexpected_count) for f in outcome.failures] == [
        ("expect_column_values_to_be_between", 1),
        ("expect_column_values_to_not_be_null", 1),
    ]
    assert outcome.failures[0].unexpected_values == [5000.0]
    assert frame.describe() == outcome.describe()
