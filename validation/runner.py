"""Run an expectation suite with GX Core 1.x on what DuckDB computes, and summarise what failed.

GX judges every expectation, but on a small frame DuckDB computes from the relation in SQL
rather than on the relation's rows, so GX never re-does in pandas what one DuckDB pass does:

- row counts: a frame with as many rows as DuckDB counts, and no columns;
- ranges and nulls (`EXTREMES_KINDS`): each column's minimum, maximum and (where it has one) a
  null. A column passes these expectations on those three values exactly when it passes on all
  its values; when one fails, it is run again on the distinct values for its counts and values;
- other row-wise (map) expectations: the distinct values of the columns they read, each with
  the number of rows holding it, so counts are in rows of the relation;
- uniqueness: the keys that occur more than once, each twice, with the number of its rows
  (among the rows a caller says a key may repeat in, when it has compared the others);
- expectations on the columns only: no rows, every column;
- anything else (aggregates, order-dependent expectations, `mostly`, row conditions): every row
  of the columns it reads.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from ingestion.backend import without_progress_bar
from ingestion.warehouse import sql_name
from validation.expectations import Expectation

if TYPE_CHECKING:
    from ingestion.lander import Validate

# GX's SUMMARY result keeps at most 20 unexpected values; an outcome keeps as many.
MAX_UNEXPECTED_VALUES = 20
ROW_COUNT_KINDS = frozenset({"ExpectTableRowCountToBeBetween", "ExpectTableRowCountToEqual"})
# Row-wise expectations decided by a column's extremes and whether it has a null.
EXTREMES_KINDS = frozenset({"ExpectColumnValuesToBeBetween", "ExpectColumnValuesToNotBeNull"})
# Uniqueness across rows, and the kwarg naming the columns of the key.
UNIQUENESS_KINDS = {
    "ExpectColumnValuesToBeUnique": "column",
    "ExpectCompoundColumnsToBeUnique": "column_list",
    "ExpectMulticolumnValuesToBeUnique": "column_list",
}
# Map expectations whose verdict on a row depends on the other rows (their order or distribution).
CROSS_ROW_KINDS = frozenset(
    {
        "ExpectColumnValuesToBeIncreasing",
        "ExpectColumnValuesToBeDecreasing",
        "ExpectColumnValueZScoresToBeLessThan",
        "ExpectColumnValuesToNotBeOutliers",
    }
)
SCHEMA_METRICS = frozenset({"table.columns", "table.column_types", "table.column_count"})
_INDEX = "chipwatch_index"  # meta key carrying an expectation's position in the suite
_ROWS = "chipwatch_rows"  # the column of a distinct-values frame counting the rows of each value


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
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every pandas batch under this size (an md5 of the whole frame) for batch
    # metadata nobody reads; skip it always.
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # not in the run logs
    datasource = context.data_sources.add_pandas(name="chipwatch")
    batch = datasource.add_dataframe_asset(name="relation").add_batch_definition_whole_dataframe("frame")
    return gx, batch


@dataclass
class _Verdict:
    """One expectation's verdict, accumulated over the frames it is run on."""

    success: bool = True
    unexpected_count: int | None = None
    unexpected_values: list = field(default_factory=list)
    observed_value: object = None
    raised: bool = False  # GX could not compute a metric (a missing column, a wrong type)

    def add(self, result, rows=None) -> None:
        """Add a GX result; `rows` counts the relation's rows behind each row of the frame."""
        self.success = self.success and result.success
        self.raised = self.raised or _raised(result.exception_info)
        found = result.result
        if self.observed_value is None:
            self.observed_value = found.get("observed_value")
        if found.get("unexpected_count") is None:
            return
        values = found.get("unexpected_list", found.get("partial_unexpected_list")) or []
        if rows is None:
            count, repeated = found["unexpected_count"], values
        else:
            weights = [int(rows[i]) for i in found["unexpected_index_list"]]
            count = sum(weights)
            repeated = [value for value, weight in zip(values, weights, strict=True) for _ in range(weight)]
        self.unexpected_count = (self.unexpected_count or 0) + count
        room = MAX_UNEXPECTED_VALUES - len(self.unexpected_values)
        self.unexpected_values += repeated[: max(room, 0)]


def _raised(exception_info) -> bool:
    """Whether a GX result carries an exception: its info is flat, or keyed by the failed metric."""
    if not isinstance(exception_info, dict):
        return False
    if "raised_exception" in exception_info:
        return bool(exception_info["raised_exception"])
    return any(isinstance(info, dict) and info.get("raised_exception") for info in exception_info.values())


def _columns(expectation: Expectation) -> list[str]:
    kwargs = expectation.kwargs
    named = [kwargs[key] for key in ("column", "column_A", "column_B") if key in kwargs]
    return named + list(kwargs.get("column_list") or [])


def _plan(expectation: Expectation, gx_class: type) -> str:
    """How the expectation is judged: `rows`, `extremes`, `distinct`, `repeats`, `schema` or `whole`."""
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )

    kwargs = expectation.kwargs
    if kwargs.get("row_condition") or kwargs.get("mostly") is not None:
        return "whole"  # a condition may read any column; `mostly` is a share of all the rows
    if expectation.kind in ROW_COUNT_KINDS:
        return "rows"
    if expectation.kind in UNIQUENESS_KINDS:
        return "repeats"
    if expectation.kind in EXTREMES_KINDS:
        return "extremes"
    row_wise = (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)
    if expectation.kind not in CROSS_ROW_KINDS and issubclass(gx_class, row_wise):
        return "distinct"
    metrics = set(getattr(gx_class, "metric_dependencies", None) or ())
    return "schema" if metrics and metrics <= SCHEMA_METRICS else "whole"


class _Run:
    """One suite over one relation: the frames DuckDB computes, and GX's verdicts on them."""

    def __init__(
        self,
        con,
        relation: str,
        table: str,
        expectations: list[Expectation],
        batch_rows: int,
        may_repeat: Mapping[frozenset[str], str],
    ):
        self.gx, self.batch = _context()
        self.con, self.relation, self.table, self.batch_rows = con, relation, table, batch_rows
        self.may_repeat = may_repeat
        # GX drops an expectation equal to one already in a suite; so do we, before numbering them.
        self.expectations = [e for i, e in enumerate(expectations) if e not in expectations[:i]]
        self.gx_expectations = [
            getattr(self.gx.expectations, e.kind)(**e.kwargs, meta={_INDEX: i})
            for i, e in enumerate(self.expectations)
        ]
        self.verdicts = [_Verdict() for _ in self.expectations]
        self.types = dict(
            con.execute(
                f"select column_name, column_type from (describe select * from {relation})"
            ).fetchall()
        )
        self.available = list(self.types)
        self.total = con.execute(f"select count(*) from {relation}").fetchone()[0]

    def judge(self) -> ValidationOutcome:
        plans: dict[str, list[int]] = {}
        for i, (expectation, gx_expectation) in enumerate(
            zip(self.expectations, self.gx_expectations, strict=True)
        ):
            missing = not set(_columns(expectation)) <= set(self.available)
            plans.setdefault("schema" if missing else _plan(expectation, type(gx_expectation)), []).append(i)
        import pandas as pd

        self._validate(pd.DataFrame(index=pd.RangeIndex(self.total)), plans.get("rows", []))
        self._validate(self._fetch(f"select * from {self.relation} limit 0"), plans.get("schema", []))
        if plans.get("extremes"):
            failed = self._validate(self._extremes(plans["extremes"]), plans["extremes"], keep_failures=False)
            plans.setdefault("distinct", []).extend(failed)
        for columns, indexes in self._by_columns(plans.get("distinct", [])).items():
            self._validate_streamed(self._distinct(columns), indexes, weighted=True)
        for columns, indexes in self._by_columns(plans.get("repeats", [])).items():
            self._validate(self._fetch(self._repeats(columns)), indexes, weighted=True)
        for columns, indexes in self._by_columns(plans.get("whole", []), every=True).items():
            self._validate(self._fetch(self._select(columns)), indexes)
        return self._outcome()

    def _by_columns(self, indexes: list[int], every: bool = False) -> dict[tuple, list[int]]:
        """The expectations at `indexes` grouped by the columns they read (all, with `every`)."""
        groups: dict[tuple, list[int]] = {}
        for i in indexes:
            columns = self.available if every else _columns(self.expectations[i])
            groups.setdefault(tuple(c for c in self.available if c in columns), []).append(i)
        return groups

    def _select(self, columns: tuple) -> str:
        return f"select {', '.join(map(sql_name, columns))} from {self.relation}"

    def _extremes(self, indexes: list[int]):
        """Three rows: each column's minimum, its maximum, and a null where it has one (else its minimum).

        A NaN is a null to GX (pandas), but DuckDB orders it above every number: it counts as a null
        here, and the maximum is taken without it."""
        columns = sorted(
            {c for i in indexes for c in _columns(self.expectations[i])}, key=self.available.index
        )
        if not self.total:
            return self._fetch(self._select(tuple(columns)) + " limit 0")

        def stats_of(column: str) -> str:
            c, floating = sql_name(column), self.types[column] in ("FLOAT", "DOUBLE")
            maximum = f"max({c}) filter (where not isnan({c}))" if floating else f"max({c})"
            null = f"count({c}) < count(*)" + (f" or bool_or(isnan({c}))" if floating else "")
            return (
                f"min({c}) as {sql_name(f'min {column}')}, {maximum} as {sql_name(f'max {column}')}, "
                f"{null} as {sql_name(f'null {column}')}"
            )

        stats = ", ".join(map(stats_of, columns))
        minimum = ", ".join(f"{sql_name(f'min {c}')} as {sql_name(c)}" for c in columns)
        maximum = ", ".join(sql_name(f"max {c}") for c in columns)
        null = ", ".join(
            f"case when {sql_name(f'null {c}')} then null else {sql_name(f'min {c}')} end" for c in columns
        )
        rows = " union all ".join(f"select {row} from stats" for row in (minimum, maximum, null))
        return self._fetch(f"with stats as materialized (select {stats} from {self.relation}) {rows}")

    def _distinct(self, columns: tuple) -> str:
        keys = ", ".join(map(sql_name, columns))
        return (
            f"select {keys}, count(*) as {_ROWS} from {self.relation} group by all order by {keys} nulls last"
        )

    def _repeats(self, columns: tuple) -> str:
        """Each key that occurs n > 1 times, twice: once counting 1 row, once n - 1 (GX flags both)."""
        keys = ", ".join(map(sql_name, columns))
        where = self.may_repeat.get(frozenset(columns), "true")
        repeated = (
            f"select {keys}, count(*) as n from {self.relation} where {where} "
            "group by all having count(*) > 1"
        )
        return (
            f"select {keys}, case when copy = 0 then 1 else n - 1 end as {_ROWS} "
            f"from ({repeated}) cross join range(2) as copies(copy) order by {keys} nulls last, copy"
        )

    def _fetch(self, query: str):
        return (
            self.con.execute(query)
            .to_arrow_reader(self.batch_rows)
            .read_all()
            .to_pandas(date_as_object=False, split_blocks=True)
        )

    def _validate_streamed(self, query: str, indexes: list[int], weighted: bool = False) -> None:
        reader = self.con.execute(query).to_arrow_reader(self.batch_rows)
        first = True
        for record_batch in reader:
            self._validate(record_batch.to_pandas(date_as_object=False, split_blocks=True), indexes, weighted)
            first = False
        if first:  # no row: GX still judges (an empty frame passes a map expectation)
            self._validate(reader.schema.empty_table().to_pandas(date_as_object=False), indexes, weighted)

    def _validate(
        self, frame, indexes: list[int], weighted: bool = False, keep_failures: bool = True
    ) -> list[int]:
        """Run GX on `frame` for the expectations at `indexes`; the positions of those that failed.

        Without `keep_failures` a failure is not recorded: the expectation is judged again."""
        if not indexes:
            return []
        suite = self.gx.ExpectationSuite(name=f"{self.table}_suite")
        for i in indexes:
            suite.add_expectation(self.gx_expectations[i])
        result_format = "COMPLETE" if weighted else "SUMMARY"
        results = self.batch.get_batch(batch_parameters={"dataframe": frame}).validate(
            suite, result_format=result_format
        )
        rows = frame[_ROWS].to_numpy() if weighted else None
        failed = []
        for result in results.results:
            i = result.expectation_config.meta[_INDEX]
            if result.success or keep_failures:
                self.verdicts[i].add(result, rows)
            if not result.success:
                failed.append(i)
        return failed

    def _outcome(self) -> ValidationOutcome:
        """The failures in the order one GX run reports them: grouped by column in order of first
        appearance, those whose metrics raised first."""
        first_seen: dict[object, int] = {}
        for expectation in self.expectations:
            first_seen.setdefault(_report_column(expectation), len(first_seen))
        order = sorted(
            range(len(self.expectations)),
            key=lambda i: (not self.verdicts[i].raised, first_seen[_report_column(self.expectations[i])]),
        )
        failures = [
            FailedExpectation(
                expectation=self.gx_expectations[i].expectation_type,
                column=self.expectations[i].kwargs.get("column"),
                unexpected_count=self.verdicts[i].unexpected_count,
                unexpected_values=self.verdicts[i].unexpected_values,
                observed_value=self.verdicts[i].observed_value,
            )
            for i in order
            if not self.verdicts[i].success
        ]
        return ValidationOutcome(table=self.table, evaluated=len(self.expectations), failures=failures)


def _report_column(expectation: Expectation) -> str | None:
    column = expectation.kwargs.get("column")
    return column if isinstance(column, str) else None


def validate_relation(
    con,
    sql: str,
    table: str,
    expectations: list[Expectation],
    batch_rows: int = 1_000_000,
    may_repeat: Mapping[frozenset[str], str] | None = None,
) -> ValidationOutcome:
    """Validate the rows of the SELECT `sql` on the open DuckDB connection `con`.

    `con` may be inside an open transaction: this only reads (it never begins, ends or closes
    anything), and `sql` is read several times, so it must be deterministic. GX sees the frames
    of the module docstring; those that grow with the data (distinct values, repeated keys) reach
    it in batches of at most `batch_rows` rows. An unexpected count is a count of the relation's
    rows, with up to 20 of their values. `evaluated` is the number of expectations in the suite
    (identical duplicates counted once).

    `may_repeat` maps a key's columns to a condition on the rows outside of which no two rows
    share that key, known to the caller (the lander, which has just compared every key): the
    uniqueness expectations on those columns then group only the rows that meet it.
    """
    relation = f"({sql.strip().rstrip(';')}) as relation"
    return _Run(con, relation, table, expectations, batch_rows, may_repeat or {}).judge()


def validator(table: str, expectations: list[Expectation]) -> "Validate":
    """The lander's `validate`: `expectations` on the staged rows of `table`."""
    return lambda con, sql, may_repeat=None: validate_relation(
        con, sql, table, expectations, may_repeat=may_repeat
    )


def validate_frame(frame: pl.DataFrame, table: str, expectations: list[Expectation]) -> ValidationOutcome:
    """Validate the polars `frame` against `expectations`, as `validate_relation` does a relation."""
    with without_progress_bar(duckdb.connect()) as con:
        con.register("frame", frame)
        return validate_relation(con, "select * from frame", table, expectations)
