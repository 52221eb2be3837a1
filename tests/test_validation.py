"""The GX suites: they pass on good frames and name the expectation and values on bad ones."""

import polars as pl

from validation.expectations import between, in_set, not_null
from validation.mart_suites import MART_SUITES
from validation.raw_suites import RAW_SUITES
from validation.runner import validate_frame
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

    assert set(REFERENCE_TABLES) <= set(RAW_SUITES)
    assert {f"stg_reference__{name}" for name in REFERENCE_TABLES} <= set(STAGING_SUITES)
    assert {"market_share", "chip_cost_efficiency", "export_control_status"} <= set(MART_SUITES)
