"""Run an expectation suite with GX Core 1.x and summarise what failed.

Two entry points share one GX machinery (`_Suite`: the suite built once, run on pandas batches):

- `validate_frame`: a polars frame in memory (the raw frames before they land, tests).
- `validate_relation`: a SELECT on an open DuckDB connection, streamed to GX in batches of
  about `batch_rows` rows, so memory is bounded by the batch, not by the table.
"""

import ctypes
import gc
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

import polars as pl
import pyarrow

from validation.expectations import Expectation

# GX's SUMMARY result keeps at most 20 unexpected values; a merged result keeps as many.
MAX_UNEXPECTED_VALUES = 20
# Judged in Python on the row count DuckDB computes (count(*)) rather than by GX on a batch.
ROW_COUNT_KINDS = frozenset({"ExpectTableRowCountToBeBetween", "ExpectTableRowCountToEqual"})
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
# Table metrics that depend on the columns only, not on the rows.
SCHEMA_METRICS = frozenset({"table.columns", "table.column_types", "table.column_count"})
_INDEX = "chipwatch_index"  # meta key carrying an expectation's position in the suite


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

    # GX fingerprints every pandas batch under this size (an md5 of `hash_pandas_object` of the
    # whole frame, twice per validation, only for batch metadata nobody reads): a third of the
    # time of a 1 m-row batch. GX skips it above the threshold; skip it always.
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    # GX draws progress bars into the run logs otherwise.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.data_sources.add_pandas(name="chipwatch")
    return gx, context


@dataclass
class _Check:
    """One expectation's verdict on one batch (or on the whole relation)."""

    success: bool
    unexpected_count: int | None = None
    unexpected_values: list = field(default_factory=list)
    observed_value: object = None
    raised: bool = False  # GX could not compute a metric (a missing column, a wrong type)


def _raised(exception_info) -> bool:
    """Whether a GX result carries an exception: its info is flat, or keyed by the failed metric."""
    if not isinstance(exception_info, dict):
        return False
    if "raised_exception" in exception_info:
        return bool(exception_info["raised_exception"])
    return any(isinstance(info, dict) and info.get("raised_exception") for info in exception_info.values())


def _merge(checks: list[_Check]) -> _Check:
    """Fails if any batch fails; counts summed, the first unexpected values kept."""
    counts = [check.unexpected_count for check in checks if check.unexpected_count is not None]
    values = [value for check in checks for value in check.unexpected_values][:MAX_UNEXPECTED_VALUES]
    observed = next((check.observed_value for check in checks if check.observed_value is not None), None)
    return _Check(
        success=all(check.success for check in checks),
        unexpected_count=sum(counts) if counts else None,
        unexpected_values=values,
        observed_value=observed,
        raised=any(check.raised for check in checks),
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Suite:
    """A suite as GX expectations, each tagged with its position, and how each can be batched."""

    def __init__(self, table: str, expectations: list[Expectation]):
        self.gx, self.context = _context()
        self.table = table
        # GX drops an expectation equal to one already in a suite; so do we, before numbering them.
        self.expectations = [e for i, e in enumerate(expectations) if e not in expectations[:i]]
        self.gx_expectations = [
            getattr(self.gx.expectations, e.kind)(**e.kwargs, meta={_INDEX: i})
            for i, e in enumerate(self.expectations)
        ]
        self.datasource = self.context.data_sources.get("chipwatch")
        asset_names = {asset.name for asset in self.datasource.assets}
        asset = (
            self.datasource.get_asset(table)
            if table in asset_names
            else self.datasource.add_dataframe_asset(name=table)
        )
        self.batch_definition = next(
            iter(asset.batch_definitions), None
        ) or asset.add_batch_definition_whole_dataframe(name="whole_frame")
        self.groups = [
            self._group(e, type(g)) for e, g in zip(self.expectations, self.gx_expectations, strict=True)
        ]

    def indexes(self, *groups: str) -> list[int]:
        """The positions of the expectations in `groups` (see `_group`)."""
        return [i for i, group in enumerate(self.groups) if group in groups]

    @staticmethod
    def _group(expectation: Expectation, cls: type) -> str:
        """`row_count`, `unique` (uniqueness: a row's verdict needs only the rows sharing its key),
        `rowwise` (a row's verdict needs only the row), `schema` or `whole`."""
        from great_expectations.expectations.expectation import (
            ColumnMapExpectation,
            ColumnPairMapExpectation,
            MulticolumnMapExpectation,
        )

        if expectation.kind in ROW_COUNT_KINDS and not expectation.kwargs.get("row_condition"):
            return "row_count"
        if expectation.kind in UNIQUENESS_KINDS:
            # `mostly` is a share of all the rows, which a frame of the repeated keys cannot give.
            return "whole" if expectation.kwargs.get("mostly") is not None else "unique"
        if expectation.kind not in CROSS_ROW_KINDS and issubclass(
            cls, (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)
        ):
            return "rowwise"
        metrics = set(getattr(cls, "metric_dependencies", None) or ())
        if metrics and metrics <= SCHEMA_METRICS and not expectation.kwargs.get("row_condition"):
            return "schema"
        return "whole"

    def columns(self, indexes: list[int], available: list[str]) -> list[str]:
        """The columns of `available` that the expectations at `indexes` read, in table order.

        All of them when one names no column or has a row condition (which may read any column);
        a named column missing from the relation is left out, and GX reports it missing.
        """
        named: set[str] = set()
        for i in indexes:
            kwargs = self.expectations[i].kwargs
            columns = [kwargs[key] for key in ("column", "column_A", "column_B") if key in kwargs]
            columns += list(kwargs.get("column_list") or [])
            if not columns or kwargs.get("row_condition"):
                return list(available)
            named.update(columns)
        return [column for column in available if column in named]

    def key_columns(self, index: int) -> list[str]:
        """The columns a uniqueness expectation's key is made of."""
        expectation = self.expectations[index]
        value = expectation.kwargs[UNIQUENESS_KINDS[expectation.kind]]
        return [value] if isinstance(value, str) else list(value)

    def validate_batch(self, frame, indexes: list[int]) -> dict[int, _Check]:
        """Run GX on a pandas frame for the expectations at `indexes`.

        First for the verdicts only (GX's BOOLEAN_ONLY: less than half the time of SUMMARY, which
        builds the unexpected counts and values), then, for the expectations that failed, again
        with SUMMARY for what the outcome reports."""
        if not indexes:
            return {}
        checks = self._run(frame, indexes, "BOOLEAN_ONLY")
        failed = [i for i, check in checks.items() if not check.success]
        return checks | self._run(frame, failed, "SUMMARY") if failed else checks

    def _run(self, frame, indexes: list[int], result_format: str) -> dict[int, _Check]:
        suite = self.gx.ExpectationSuite(name=f"{self.table}_suite")
        for i in indexes:
            suite.add_expectation(self.gx_expectations[i])
        batch = self.batch_definition.get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(suite, result_format=result_format)
        # GX's execution engine keeps the data of the last batch of every asset it validated: a
        # table's last batch (150 MB of 1 m price rows) would stay for the rest of the run.
        manager = self.datasource.get_execution_engine().batch_manager
        manager.batch_data_cache.clear()
        manager.reset_batch_cache()
        return {
            check.expectation_config.meta[_INDEX]: _Check(
                success=check.success,
                unexpected_count=check.result.get("unexpected_count"),
                unexpected_values=list(check.result.get("partial_unexpected_list") or []),
                observed_value=check.result.get("observed_value"),
                raised=_raised(check.exception_info),
            )
            for check in result.results
        }

    def judge_row_counts(self, total: int) -> dict[int, _Check]:
        """The row-count expectations judged on `total`, the whole relation's row count."""
        checks = {}
        for i in self.indexes("row_count"):
            kwargs = self.expectations[i].kwargs
            if self.expectations[i].kind == "ExpectTableRowCountToEqual":
                success = total == kwargs["value"]
            else:
                low, high = kwargs.get("min_value"), kwargs.get("max_value")
                above = low is None or (total > low if kwargs.get("strict_min") else total >= low)
                below = high is None or (total < high if kwargs.get("strict_max") else total <= high)
                success = above and below
            checks[i] = _Check(success=success, observed_value=total)
        return checks

    def outcome(self, checks: dict[int, list[_Check]]) -> ValidationOutcome:
        """Merge each expectation's batches; the failures in the order one GX run reports them.

        GX groups a suite's expectations by column (in order of first appearance) and reports
        first those whose metrics raised, then the others."""
        first_seen: dict[object, int] = {}
        for expectation in self.expectations:
            first_seen.setdefault(self._report_column(expectation), len(first_seen))
        merged = {i: _merge(checks[i]) for i in range(len(self.expectations))}
        order = sorted(
            merged,
            key=lambda i: (not merged[i].raised, first_seen[self._report_column(self.expectations[i])]),
        )
        failures = [
            FailedExpectation(
                expectation=self.gx_expectations[i].expectation_type,
                column=self.expectations[i].kwargs.get("column"),
                unexpected_count=merged[i].unexpected_count,
                unexpected_values=merged[i].unexpected_values,
                observed_value=merged[i].observed_value,
            )
            for i in order
            if not merged[i].success
        ]
        return ValidationOutcome(table=self.table, evaluated=len(self.expectations), failures=failures)

    @staticmethod
    def _report_column(expectation: Expectation) -> str | None:
        column = expectation.kwargs.get("column")
        return column if isinstance(column, str) else None


def _collect(checks: dict[int, list[_Check]], batch: dict[int, _Check]) -> None:
    for i, check in batch.items():
        checks.setdefault(i, []).append(check)


def validate_frame(frame: pl.DataFrame, table: str, expectations: list[Expectation]) -> ValidationOutcome:
    """Validate `frame` against `expectations`; the outcome names each failed expectation and its values.

    The whole frame is one batch (it is in memory already); row counts are judged on its height.
    """
    suite = _Suite(table, expectations)
    checks: dict[int, list[_Check]] = {}
    _collect(checks, suite.judge_row_counts(frame.height))
    indexes = suite.indexes("rowwise", "unique", "schema", "whole")
    if indexes:
        # The whole frame, as before: polars' to_pandas of a column subset costs more memory, not less.
        _collect(checks, suite.validate_batch(frame.to_pandas(), indexes))
    return suite.outcome(checks)


def _arrow_to_pandas(data):
    """An Arrow table or record batch as pandas, converted as polars' `DataFrame.to_pandas` does
    (dates as datetime64), so that both entry points give GX the same frame."""
    return data.to_pandas(date_as_object=False, split_blocks=True, self_destruct=True)


def _select(relation: str, columns: list[str]) -> str:
    # A SELECT needs a column; with none (all the named ones are missing) GX reports them missing.
    return f"select {', '.join(_quote(c) for c in columns) or 'null as _no_column'} from {relation}"


def _fetch(con, query: str, batch_rows: int, params: list | None = None):
    """All rows of `query` as one pandas frame, read through Arrow record batches."""
    reader = con.execute(query, params or []).to_arrow_reader(batch_rows)
    return _arrow_to_pandas(reader.read_all())


def _batch_ranges(con, relation: str, column: str, batch_rows: int) -> list[tuple]:
    """Consecutive ranges of `column`'s values holding about `batch_rows` rows each.

    Each value's rows fall in one range (a value with more than `batch_rows` rows is a range on
    its own). Returns (low, high, with_nulls) triples; nulls sort last and join the last range.
    """
    return con.execute(
        f"""
        select min(value), max(value), bool_or(value is null)
        from (
            select value, (sum(n) over (order by value asc nulls last) - n) // {int(batch_rows)} as part
            from (select {_quote(column)} as value, count(*) as n from {relation} group by all)
        )
        group by part
        order by part
        """
    ).fetchall()


def _aligned_batches(
    con, relation: str, columns: list[str], alignment: str, key_type: str, batch_rows: int
) -> Iterator:
    """One pandas frame per range of `alignment`'s values (see `_batch_ranges`), one query each.

    The bounds are cast to the column's type: compared as text, an ENUM would not be in the
    order the ranges were planned in."""
    key = _quote(alignment)
    for low, high, with_nulls in _batch_ranges(con, relation, alignment, batch_rows):
        conditions, params = [], []
        if low is not None:
            conditions.append(f"{key} between cast(? as {key_type}) and cast(? as {key_type})")
            params += [low, high]
        if with_nulls:
            conditions.append(f"{key} is null")
        yield _fetch(con, f"{_select(relation, columns)} where {' or '.join(conditions)}", batch_rows, params)


def _repeated_key_batches(
    con, relation: str, columns: list[str], key: list[str], types: dict[str, str], batch_rows: int
) -> Iterator:
    """The rows of the relation whose `key` occurs more than once, as pandas frames: the only rows
    a uniqueness expectation on `key` can fail, and all the rows of each such key.

    Keys are grouped by one 64-bit hash (a collision only adds rows that GX then passes). No
    repeated key: GX sees a frame with no rows. Up to `batch_rows` repeated rows: one frame. More
    are read again in ranges of the key's first column (`_aligned_batches`). A key column missing
    from the relation gives a frame with no rows, on which GX reports it missing."""
    hashed = f"hash({', '.join(_quote(column) for column in key)})"
    repeats = f"select {hashed} from {relation} group by 1 having count(*) > 1"
    if not set(key) <= set(types) or not con.execute(f"select exists ({repeats})").fetchone()[0]:
        yield _fetch(con, f"{_select(relation, columns)} limit 0", batch_rows)
        return
    repeated = f"(select * from {relation} where {hashed} in ({repeats})) as repeated"
    reader = con.execute(_select(repeated, columns)).to_arrow_reader(batch_rows)
    batches, rows = [], 0
    for batch in reader:
        rows += batch.num_rows
        if rows > batch_rows:
            break
        batches.append(batch)
    else:
        yield _arrow_to_pandas(pyarrow.Table.from_batches(batches, schema=reader.schema))
        return
    batches = None  # not held while the ranges are read
    yield from _aligned_batches(con, repeated, columns, key[0], types[key[0]], batch_rows)


def _streamed_batches(con, relation: str, columns: list[str], batch_rows: int) -> Iterator:
    """The rows of one query as pandas frames of at most `batch_rows` rows, as DuckDB streams them."""
    for record_batch in con.execute(_select(relation, columns)).to_arrow_reader(batch_rows):
        yield _arrow_to_pandas(record_batch)


def validate_relation(
    con, sql: str, table: str, expectations: list[Expectation], batch_rows: int = 1_000_000
) -> ValidationOutcome:
    """Validate the rows of the SELECT `sql` on the open DuckDB connection `con`, in batches.

    `con` may be inside an open transaction: this only reads (it never begins, ends or closes
    anything), and `sql` is read several times, so it must be deterministic. Only the columns the
    expectations read are selected, and DuckDB hands them over as Arrow record batches, each
    converted to pandas and validated by GX as `validate_frame` does.

    - At most `batch_rows` rows: one batch, the same outcome as `validate_frame` on the whole frame.
    - More: row-wise expectations (GX map expectations) are run on the rows as DuckDB streams
      them, batch by batch, and merged: an expectation fails if it fails in any batch, its
      unexpected counts are summed and the first 20 unexpected values kept. A uniqueness
      expectation (without `mostly`) is run by GX on the rows whose key occurs more than once,
      found by a GROUP BY in DuckDB (`_repeated_key_batches`): exact, and no batch has to hold
      every row of a key.

    Table-level expectations are judged on the whole relation, never on a batch:

    - row counts (ExpectTableRowCountToBeBetween / ToEqual) are judged on the total computed
      by DuckDB with count(*) (on the frame's height in `validate_frame`); a failure is reported
      as GX reports it, with observed_value = the total;
    - expectations on the columns only (ExpectTableColumnsToMatchSet, ExpectColumnToExist, ...)
      are run by GX on the relation's first zero rows with every column;
    - any other expectation (column aggregates such as ExpectColumnMeanToBeBetween, order-dependent
      ones such as ExpectColumnValuesToBeIncreasing, row counts with a row condition) is run by GX
      on the whole relation as one frame of the columns it reads: exact, but not bounded in memory.

    `evaluated` is the number of expectations in the suite (identical duplicates counted once).
    """
    suite = _Suite(table, expectations)
    relation = f"({sql.strip().rstrip(';')}) as relation"
    types = dict(
        con.execute(f"select column_name, column_type from (describe select * from {relation})").fetchall()
    )
    available = list(types)
    total = con.execute(f"select count(*) from {relation}").fetchone()[0]
    checks: dict[int, list[_Check]] = {}
    _collect(checks, suite.judge_row_counts(total))

    if total <= batch_rows:
        indexes = suite.indexes("rowwise", "unique", "schema", "whole")
        if indexes:
            frame = _fetch(con, _select(relation, suite.columns(indexes, available)), batch_rows)
            _collect(checks, suite.validate_batch(frame, indexes))
        return suite.outcome(checks)

    rowwise = suite.indexes("rowwise")
    if rowwise:
        for frame in _streamed_batches(con, relation, suite.columns(rowwise, available), batch_rows):
            _collect(checks, suite.validate_batch(frame, rowwise))
    for i in suite.indexes("unique"):
        columns = suite.columns([i], available)
        for frame in _repeated_key_batches(con, relation, columns, suite.key_columns(i), types, batch_rows):
            _collect(checks, suite.validate_batch(frame, [i]))
    schema = suite.indexes("schema")
    if schema:
        frame = _fetch(con, f"select * from {relation} limit 0", batch_rows)
        _collect(checks, suite.validate_batch(frame, schema))
    whole = suite.indexes("whole")
    if whole:
        frame = _fetch(con, _select(relation, suite.columns(whole, available)), batch_rows)
        _collect(checks, suite.validate_batch(frame, whole))
    frame = None  # the last batch: released with the others
    _release_memory()
    return suite.outcome(checks)


def _release_memory() -> None:
    """Give the memory of the batches back to the system. Freed pandas and Arrow buffers otherwise
    stay in the allocators' free lists, and the process carries them into the run's next steps (a
    DuckDB copy of the same table then adds its own gigabyte on top)."""
    gc.collect()
    pyarrow.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to trim
