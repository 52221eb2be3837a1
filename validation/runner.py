"""Run an expectation suite on a frame with GX Core 1.x and summarise what failed."""

import os
from dataclasses import dataclass, field
from functools import cache

import polars as pl

from validation.expectations import Expectation


@dataclass(frozen=True)
class FailedExpectation:
    expectation: str
    column: str | None
    unexpected_count: int | None
    unexpected_values: list
    observed_value: object = None

    def describe(self, table: str) -> str:
        where = f"{table}.{self.column}" if self.column else table
        detail = (
            f"{self.unexpected_count} unexpected, e.g. {self.unexpected_values[:5]}"
            if self.unexpected_count
            else f"observed {self.observed_value!r}"
        )
        return f"{self.expectation} on {where}: {detail}"


@dataclass(frozen=True)
class ValidationOutcome:
    table: str
    evaluated: int
    failures: list[FailedExpectation] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return not self.failures

    def describe(self) -> str:
        if self.success:
            return f"{self.table}: {self.evaluated} expectations passed"
        return "; ".join(failure.describe(self.table) for failure in self.failures)


@cache
def _context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # GX draws progress bars into the run logs otherwise.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.data_sources.add_pandas(name="chipwatch")
    return gx, context


def validate_frame(frame: pl.DataFrame, table: str, expectations: list[Expectation]) -> ValidationOutcome:
    """Validate `frame` against `expectations`; the outcome names each failed expectation and its values."""
    gx, context = _context()
    datasource = context.data_sources.get("chipwatch")
    asset_names = {asset.name for asset in datasource.assets}
    asset = (
        datasource.get_asset(table) if table in asset_names else datasource.add_dataframe_asset(name=table)
    )
    batch_definition = next(
        iter(asset.batch_definitions), None
    ) or asset.add_batch_definition_whole_dataframe(name="whole_frame")
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame.to_pandas()})
    suite = gx.ExpectationSuite(name=f"{table}_suite")
    for expectation in expectations:
        suite.add_expectation(getattr(gx.expectations, expectation.kind)(**expectation.kwargs))
    result = batch.validate(suite, result_format="SUMMARY")
    failures = [
        FailedExpectation(
            expectation=check.expectation_config.type,
            column=check.expectation_config.kwargs.get("column"),
            unexpected_count=check.result.get("unexpected_count"),
            unexpected_values=list(check.result.get("partial_unexpected_list") or []),
            observed_value=check.result.get("observed_value"),
        )
        for check in result.results
        if not check.success
    ]
    return ValidationOutcome(table=table, evaluated=len(result.results), failures=failures)
