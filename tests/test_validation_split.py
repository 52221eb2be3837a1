"""Each rule of the staging and mart tables is declared once, as a dbt test or a GX expectation.

The split is docs/VALIDATION.md.
"""

from pathlib import Path

import yaml

from validation.expectations import Expectation, not_null
from validation.mart_suites import MART_SUITES
from validation.staging_suites import STAGING_SUITES

MODELS = Path(__file__).parents[1] / "dbt_project" / "models"
# The GX expectations that state a rule a dbt test can state, as the dbt test's name.
AS_DBT_TEST = {
    "ExpectColumnValuesToNotBeNull": "not_null",
    "ExpectColumnValuesToBeUnique": "unique",
    "ExpectCompoundColumnsToBeUnique": "unique_combination",
    "ExpectColumnValuesToBeInSet": "accepted_values",
    "ExpectColumnValuesToBeBetween": "between",
}
# What GX owns; every other rule kind is dbt's.
GX_KINDS = {"ExpectColumnValuesToBeBetween", "ExpectTableRowCountToBeBetween"}


def dbt_models(folder: str) -> dict[str, dict]:
    """The models declared in the YAML under models/<folder>, by name."""
    return {
        model["name"]: model
        for path in sorted((MODELS / folder).glob("*.yml"))
        for model in yaml.safe_load(path.read_text()).get("models") or []
    }


def _test_name(test) -> tuple[str, dict]:
    name, config = (test, {}) if isinstance(test, str) else next(iter(test.items()))
    return name, (config or {}).get("arguments") or {}


def dbt_rules(models: dict[str, dict]) -> set[tuple]:
    """(model, column or set of columns, test name) of every dbt test of `models`."""
    rules = set()
    for name, model in models.items():
        for test in model.get("data_tests") or []:
            kind, arguments = _test_name(test)
            columns = arguments.get("columns")
            rules.add((name, frozenset(columns) if columns else None, kind))
        for column in model.get("columns") or []:
            for test in column.get("data_tests") or []:
                rules.add((name, column["name"], _test_name(test)[0]))
    return rules


def gx_rules(suites: dict[str, list[Expectation]]) -> set[tuple]:
    """(model, column or set of columns, dbt test name) of every GX expectation a dbt test could state."""
    rules = set()
    for table, expectations in suites.items():
        for expectation in expectations:
            if expectation.kind in AS_DBT_TEST:
                columns = expectation.kwargs.get("column_list")
                key = frozenset(columns) if columns else expectation.kwargs["column"]
                rules.add((table, key, AS_DBT_TEST[expectation.kind]))
    return rules


def declared_twice(suites: dict[str, list[Expectation]], models: dict[str, dict]) -> set[tuple]:
    return gx_rules(suites) & dbt_rules(models)


STAGING_MODELS = dbt_models("staging")
MART_MODELS = dbt_models("marts")


def test_no_rule_is_declared_both_as_a_dbt_test_and_a_gx_expectation():
    assert declared_twice(STAGING_SUITES, STAGING_MODELS) == set()
    assert declared_twice(MART_SUITES, MART_MODELS) == set()


def test_a_rule_declared_twice_is_found():
    # The key of stg_prices__daily is a dbt test (in either column order); its range is GX's.
    assert ("stg_prices__daily", frozenset({"trade_date", "ticker"}), "unique_combination") in dbt_rules(
        STAGING_MODELS
    )
    assert ("stg_prices__daily", "close", "between") in gx_rules(STAGING_SUITES)
    suites = STAGING_SUITES | {"stg_prices__daily": [*STAGING_SUITES["stg_prices__daily"], not_null("close")]}
    assert declared_twice(suites, STAGING_MODELS) == {("stg_prices__daily", "close", "not_null")}
    mart_models = MART_MODELS | {"price_monthly": {**MART_MODELS["price_monthly"]}}
    mart_models["price_monthly"]["columns"] = [
        {
            **column,
            "data_tests": [*(column.get("data_tests") or []), {"between": {"arguments": {"min_value": 0}}}],
        }
        if column["name"] == "volume"
        else column
        for column in MART_MODELS["price_monthly"]["columns"]
    ]
    assert declared_twice(MART_SUITES, mart_models) == {("price_monthly", "volume", "between")}


def test_each_rule_kind_has_one_owner():
    """GX states ranges and row counts only; dbt never states a range."""
    kinds = {e.kind for suites in (STAGING_SUITES, MART_SUITES) for es in suites.values() for e in es}
    assert kinds <= GX_KINDS
    dbt_kinds = {kind for _, _, kind in dbt_rules(STAGING_MODELS) | dbt_rules(MART_MODELS)}
    assert dbt_kinds.isdisjoint({AS_DBT_TEST[kind] for kind in GX_KINDS if kind in AS_DBT_TEST})
    assert {"not_null", "unique", "unique_combination", "accepted_values", "relationships"} <= dbt_kinds


def test_every_suite_names_a_dbt_model_and_its_columns():
    for suites, models in ((STAGING_SUITES, STAGING_MODELS), (MART_SUITES, MART_MODELS)):
        for table, expectations in suites.items():
            assert expectations, table  # a table with no range or row count has no GX check
            declared = {column["name"] for column in models[table].get("columns") or []}
            named = {e.kwargs["column"] for e in expectations if "column" in e.kwargs}
            assert named <= declared, (table, named - declared)


def test_provenance_is_a_dbt_test_on_every_model_that_carries_it():
    checked = []
    for name, model in (STAGING_MODELS | MART_MODELS).items():
        tests = {
            column["name"]: {_test_name(test)[0] for test in column.get("data_tests") or []}
            for column in model.get("columns") or []
        }
        if "confidence" not in tests:
            continue
        checked.append(name)
        assert {"not_null", "accepted_values"} <= tests["confidence"], name
        assert "not_null" in tests["source_name"] and "not_null" in tests["as_of"], name
    assert {"stg_prices__daily", "stg_reference__chips", "market_share", "figure_observations"} <= set(
        checked
    )
