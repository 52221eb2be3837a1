"""Great Expectations suites as blocking Dagster asset checks on the staging and mart tables."""

from dagster import AssetCheckResult, AssetCheckSpec, AssetKey, MetadataValue, multi_asset_check
from dagster_duckdb import DuckDBResource

from validation.mart_suites import MART_SUITES
from validation.staging_suites import STAGING_SUITES

EXPECTATIONS_CHECK = "expectations"


def outcome_metadata(outcome) -> dict:
    """Dagster metadata for a `validation.runner.ValidationOutcome`."""
    return {
        "expectations_evaluated": outcome.evaluated,
        "expectations_failed": len(outcome.failures),
        "failures": MetadataValue.json(
            [
                {
                    "expectation": failure.expectation,
                    "column": failure.column,
                    "unexpected_count": failure.unexpected_count,
                    "unexpected_values": [str(value) for value in failure.unexpected_values[:20]],
                }
                for failure in outcome.failures
            ]
        ),
        "summary": outcome.describe(),
    }


def stage_expectations(schema: str, suites: dict) -> object:
    """One check per table of `schema`, all evaluated in one step so GX is imported once."""
    specs = [
        AssetCheckSpec(
            EXPECTATIONS_CHECK,
            asset=AssetKey([schema, table]),
            blocking=True,
            description=f"Great Expectations {schema} suite for {table}.",
        )
        for table in suites
    ]

    @multi_asset_check(specs=specs, name=f"{schema}_expectations", can_subset=True)
    def _stage_expectations(context, duckdb: DuckDBResource):
        from validation.runner import validate_relation  # GX loads at run time only

        selected = {key.asset_key.path[-1] for key in context.selected_asset_check_keys}
        # GX judges what DuckDB computes from each table (validation.runner), never the table loaded whole.
        with duckdb.get_connection() as con:
            outcomes = {
                table: validate_relation(con, f'select * from "{schema}"."{table}"', table, suites[table])
                for table in sorted(selected)
            }
        for table, outcome in outcomes.items():
            yield AssetCheckResult(
                asset_key=AssetKey([schema, table]),
                check_name=EXPECTATIONS_CHECK,
                passed=outcome.success,
                metadata=outcome_metadata(outcome),
            )

    return _stage_expectations


staging_expectations = stage_expectations("staging", STAGING_SUITES)
mart_expectations = stage_expectations("marts", MART_SUITES)
