"""Rows that cannot be landed go to `quarantine.<table>`, and every load balances its books.

A `Load` is what a reader made of its files: the rows that proceed (`frame`), the rows set
aside (`quarantined`: the row as read as JSON text, the reason, the file and line) and how many
rows it read. `land()` writes the raw table, the quarantine table and a `meta.load_accounting`
row in one transaction, and commits only if rows read = rows landed + rows quarantined (+ rows
of other partitions, for a partitioned load); otherwise it rolls back.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import duckdb
import polars as pl

from ingestion.source_text import INTERNAL_COLUMNS, LINE, ROW_JSON

REASON = "_reason"
QUARANTINE_SCHEMA = {
    "source_file": pl.String,
    "line": pl.Int64,
    "reason": pl.String,
    "row_json": pl.String,
}
ACCOUNTING_TABLE = "meta.load_accounting"
ACCOUNTING_DDL = f"""
create table if not exists {ACCOUNTING_TABLE} (
    table_name varchar not null,
    loaded_at timestamp not null,
    run_id varchar,
    files varchar,
    rows_read bigint not null,
    rows_landed bigint not null,
    rows_quarantined bigint not null,
    rows_other_partitions bigint not null,
    balanced boolean not null
)
"""


def empty_quarantine() -> pl.DataFrame:
    return pl.DataFrame(schema=QUARANTINE_SCHEMA)


@dataclass
class Load:
    """Rows read from a source: those that proceed and those quarantined."""

    frame: pl.DataFrame  # may still hold the internal columns `_line` and `_row_json`
    quarantined: pl.DataFrame  # QUARANTINE_SCHEMA
    rows_read: int
    files: tuple[str, ...] = ()

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.frame.height + self.quarantined.height

    def landable(self) -> pl.DataFrame:
        """The rows to land, without the reader's internal columns."""
        return self.frame.drop([c for c in (*INTERNAL_COLUMNS, REASON) if c in self.frame.columns])

    @classmethod
    def of_frame(cls, frame: pl.DataFrame, files: Iterable[str] = ()) -> "Load":
        """A load in which every row read proceeds (generated data, say)."""
        return cls(frame, empty_quarantine(), frame.height, tuple(files))


def quarantine_records(records: list[dict], source_file: str) -> pl.DataFrame:
    """Quarantine rows from `{line, reason, row_json}` dicts."""
    return pl.DataFrame(
        [{"source_file": source_file, **record} for record in records], schema=QUARANTINE_SCHEMA
    )


def flag(frame: pl.DataFrame, reasons: pl.Series | pl.Expr) -> pl.DataFrame:
    """Record `reasons` (null = fine) in `_reason`, keeping a row's first reason."""
    if REASON not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.String).alias(REASON))
    reasons_expr = reasons if isinstance(reasons, pl.Expr) else pl.lit(reasons)
    return frame.with_columns(pl.coalesce(pl.col(REASON), reasons_expr).alias(REASON))


def split(frame: pl.DataFrame, source_file: str | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows without a `_reason`, and the flagged ones as quarantine rows."""
    if REASON not in frame.columns:
        return frame, empty_quarantine()
    flagged = frame.filter(pl.col(REASON).is_not_null())
    file_column = (
        pl.col("_source_file") if "_source_file" in frame.columns else pl.lit(source_file, pl.String)
    )
    quarantined = flagged.select(
        file_column.alias("source_file"),
        pl.col(LINE).cast(pl.Int64).alias("line") if LINE in frame.columns else pl.lit(None, pl.Int64),
        pl.col(REASON).alias("reason"),
        pl.col(ROW_JSON).alias("row_json") if ROW_JSON in frame.columns else _json_of_rows(flagged),
    )
    return frame.filter(pl.col(REASON).is_null()).drop(REASON), quarantined


def _json_of_rows(frame: pl.DataFrame) -> pl.Series:
    columns = [c for c in frame.columns if not c.startswith("_")]
    return pl.Series(
        "row_json",
        [
            json.dumps(row, ensure_ascii=False, default=str)
            for row in frame.select(columns).iter_rows(named=True)
        ],
        pl.String,
    )


def apply(load: Load, *rules: Callable[[pl.DataFrame], pl.Series | pl.Expr]) -> Load:
    """Quarantine the rows of `load` for which a rule gives a reason (rules give null for fine rows)."""
    frame = load.frame
    for rule in rules:
        frame = flag(frame, rule(frame))
    good, bad = split(frame, load.files[0] if len(load.files) == 1 else None)
    return Load(good, pl.concat([load.quarantined, bad]), load.rows_read, load.files)


def suite_bounds(table: str) -> dict[str, tuple[float | None, float | None]]:
    """The `between` bounds of the table's raw suite: what a plausible value is."""
    from validation.raw_suites import RAW_SUITES

    return {
        e.kwargs["column"]: (e.kwargs["min_value"], e.kwargs["max_value"])
        for e in RAW_SUITES.get(table, [])
        if e.kind == "ExpectColumnValuesToBeBetween"
    }


def stack(loads: list[Load]) -> Load:
    return Load(
        pl.concat([load.frame for load in loads], how="diagonal_relaxed"),
        pl.concat([load.quarantined for load in loads]),
        sum(load.rows_read for load in loads),
        tuple(name for load in loads for name in load.files),
    )


# Rules: each returns per row the reason to quarantine it, or null.


def empty_key(*columns: str) -> Callable[[pl.DataFrame], pl.Expr]:
    def rule(frame: pl.DataFrame) -> pl.Expr:
        reasons = [
            pl.when(pl.col(c).is_null()).then(pl.lit(f"key column '{c}' is empty: a row needs it"))
            for c in columns
        ]
        return pl.coalesce(*reasons, pl.lit(None, pl.String))

    return rule


def within_bounds(bounds: dict[str, tuple[float | None, float | None]]) -> Callable[[pl.DataFrame], pl.Expr]:
    """Values outside [low, high] (the raw suite's `between` bounds) are not plausible readings."""

    def rule(frame: pl.DataFrame) -> pl.Expr:
        reasons = []
        for column, (low, high) in bounds.items():
            if column not in frame.columns:
                continue
            value = pl.col(column)
            outside = pl.lit(False)
            if low is not None:
                outside = outside | (value < low)
            if high is not None:
                outside = outside | (value > high)
            reasons.append(
                pl.when(value.is_not_null() & outside).then(
                    pl.format(
                        f"column '{column}' = {{}} is outside the plausible range [{low}, {high}]: "
                        "a negative or absurd value (a wrong unit or a typo)",
                        value,
                    )
                )
            )
        return pl.coalesce(*reasons, pl.lit(None, pl.String))

    return rule


def not_in_future(column: str, days_ahead: int = 1) -> Callable[[pl.DataFrame], pl.Expr]:
    def rule(frame: pl.DataFrame) -> pl.Expr:
        limit = date.today() + timedelta(days=days_ahead)
        return pl.when(pl.col(column) > limit).then(
            pl.format(f"column '{column}' = {{}} is in the future (after {limit})", pl.col(column))
        )

    return rule


def duplicate_keys(*key: str) -> Callable[[pl.DataFrame], pl.Series]:
    """Rows sharing a key: an identical repeat is quarantined (the first is kept); rows that
    disagree are all quarantined, since nothing says which one is right."""

    def rule(frame: pl.DataFrame) -> pl.Series:
        content = [c for c in frame.columns if not c.startswith("_") and c != "source_row"]
        where = frame.select(
            (
                pl.col("_source_file") + pl.lit(":") + pl.col(LINE).cast(pl.String)
                if "_source_file" in frame.columns and LINE in frame.columns
                else pl.col(LINE).cast(pl.String)
                if LINE in frame.columns
                else pl.int_range(1, pl.len() + 1).cast(pl.String)
            ).alias("where")
        )["where"].to_list()
        keys = frame.select(key).rows()
        hashes = frame.select(pl.struct(content).hash().alias("h"))["h"].to_list()
        groups: dict[tuple, list[int]] = {}
        for index, value in enumerate(keys):
            if all(part is not None for part in value):
                groups.setdefault(value, []).append(index)
        reasons: list[str | None] = [None] * frame.height
        for value, rows in groups.items():
            if len(rows) < 2:
                continue
            label = ", ".join(f"{k}={v}" for k, v in zip(key, value, strict=True))
            if len({hashes[i] for i in rows}) == 1:
                for i in rows[1:]:
                    reasons[i] = f"duplicate key ({label}): a repeat of line {where[rows[0]]}, which was kept"
            else:
                lines = ", ".join(where[i] for i in rows)
                for i in rows:
                    reasons[i] = (
                        f"conflicting rows for key ({label}) on lines {lines}: "
                        "none kept; keep one row per key in the file and re-run"
                    )
        return pl.Series(REASON, reasons, pl.String)

    return rule


@dataclass(frozen=True)
class Accounting:
    table: str
    rows_read: int
    rows_landed: int
    rows_quarantined: int
    rows_other_partitions: int = 0

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.rows_landed + self.rows_quarantined + self.rows_other_partitions

    def describe(self) -> str:
        other = f" + {self.rows_other_partitions} in other partitions" if self.rows_other_partitions else ""
        verdict = "balanced" if self.balanced else "NOT balanced: nothing was landed"
        return (
            f"raw.{self.table}: {self.rows_read} rows read = {self.rows_landed} landed + "
            f"{self.rows_quarantined} quarantined{other} ({verdict})"
        )


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """The schemas and the accounting table every load writes to."""
    for schema in ("raw", "quarantine", "meta"):
        con.execute(f'create schema if not exists "{schema}"')
    con.execute(ACCOUNTING_DDL)


def record(
    con: duckdb.DuckDBPyConnection,
    table: str,
    quarantined: pl.DataFrame | str,
    rows_read: int,
    rows_landed: int,
    files: Iterable[str],
    loaded_at: datetime,
    rows_other_partitions: int = 0,
    run_id: str | None = None,
) -> Accounting:
    """Inside the load's open transaction: replace `quarantine.<table>` with `quarantined`
    (QUARANTINE_SCHEMA: a frame, or a SELECT on `con` giving those columns, for loads whose set-aside
    rows never leave DuckDB) and append the load's row to `meta.load_accounting`."""
    if isinstance(quarantined, str):
        con.execute(
            f'create or replace table quarantine."{table}" as '
            f"select {', '.join(QUARANTINE_SCHEMA)}, ?::timestamp as _loaded_at from ({quarantined})",
            [loaded_at],
        )
    else:
        con.register("_quarantine_frame", quarantined.with_columns(pl.lit(loaded_at).alias("_loaded_at")))
        try:
            con.execute(f'create or replace table quarantine."{table}" as select * from _quarantine_frame')
        finally:
            con.unregister("_quarantine_frame")
    [(in_quarantine,)] = con.execute(f'select count(*) from quarantine."{table}"').fetchall()
    accounting = Accounting(table, rows_read, rows_landed, in_quarantine, rows_other_partitions)
    con.execute(
        f"insert into {ACCOUNTING_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            table,
            loaded_at,
            run_id,
            json.dumps(list(files), ensure_ascii=False),
            accounting.rows_read,
            accounting.rows_landed,
            accounting.rows_quarantined,
            accounting.rows_other_partitions,
            accounting.balanced,
        ],
    )
    return accounting


def land(
    con: duckdb.DuckDBPyConnection,
    table: str,
    load: Load,
    rows_between: tuple[str, object, object] | None = None,
    rows_other_partitions: int = 0,
    run_id: str | None = None,
) -> Accounting:
    """Land `load` in `raw.<table>` (replacing it, or only the rows whose column lies between
    first and last), replace `quarantine.<table>`, and append to `meta.load_accounting`, in one
    transaction, committed only if the counts in the warehouse balance."""
    frame = load.landable()
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    target = f'raw."{table}"'
    prepare(con)
    con.register("_landing_frame", frame)
    try:
        con.execute("begin transaction")
        if rows_between is None:
            con.execute(f"create or replace table {target} as select * from _landing_frame")
            [(landed,)] = con.execute(f"select count(*) from {target}").fetchall()
        else:
            column, first, last = rows_between
            con.execute(f"create table if not exists {target} as select * from _landing_frame limit 0")
            con.execute(f'delete from {target} where "{column}" between ? and ?', [first, last])
            con.execute(f"insert into {target} by name select * from _landing_frame")
            [(landed,)] = con.execute(
                f'select count(*) from {target} where "{column}" between ? and ?', [first, last]
            ).fetchall()
        accounting = record(
            con,
            table,
            load.quarantined,
            load.rows_read,
            landed,
            load.files,
            loaded_at,
            rows_other_partitions,
            run_id,
        )
        con.execute("commit" if accounting.balanced else "rollback")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("_landing_frame")
    return accounting
