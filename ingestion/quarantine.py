"""What a reader hands the lander, and the books every load keeps.

A `Load` is what a careful reader made of a file: the rows that proceed (`frame`), the rows it
could not read (`quarantined`: the record's text, the reason, the file and line) and how many
rows it read. `record()` writes `quarantine.<table>`, a `meta.load_accounting` row and a
`meta.landed_files` row per file (what the `_file_id` of a raw row stands for) inside the
lander's transaction (`ingestion.lander`), which commits only if rows read = rows landed + rows
quarantined (+ rows of other partitions, for a partitioned load).
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

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
LANDED_FILES_TABLE = "meta.landed_files"
LANDED_FILES_DDL = f"""
create table if not exists {LANDED_FILES_TABLE} (
    file_id ubigint not null,
    table_name varchar not null,
    source_file varchar not null,
    file_modified_date date not null,
    loaded_at timestamp with time zone not null,
    run_id varchar
)
"""


@dataclass(frozen=True)
class LandedFile:
    """A file as one load lands it: the id its raw rows carry (`_file_id`), its name, its date."""

    file_id: int
    name: str
    modified: date


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
    """The rows without a `_reason`, and the flagged ones as quarantine rows, with the line and
    text (`_line`, `_row_json`) every reader's frame carries."""
    if REASON not in frame.columns:
        return frame, empty_quarantine()
    quarantined = frame.filter(pl.col(REASON).is_not_null()).select(
        pl.lit(source_file, pl.String).alias("source_file"),
        pl.col(LINE).cast(pl.Int64).alias("line"),
        pl.col(REASON).alias("reason"),
        pl.col(ROW_JSON).alias("row_json"),
    )
    return frame.filter(pl.col(REASON).is_null()).drop(REASON), quarantined


def apply(load: Load, *rules: Callable[[pl.DataFrame], pl.Series | pl.Expr]) -> Load:
    """Quarantine the rows of `load` for which a rule gives a reason (rules give null for fine rows)."""
    frame = load.frame
    for rule in rules:
        frame = flag(frame, rule(frame))
    good, bad = split(frame, load.files[0] if len(load.files) == 1 else None)
    return Load(good, pl.concat([load.quarantined, bad]), load.rows_read, load.files)


def stack(loads: list[Load]) -> Load:
    return Load(
        pl.concat([load.frame for load in loads], how="diagonal_relaxed"),
        pl.concat([load.quarantined for load in loads]),
        sum(load.rows_read for load in loads),
        tuple(name for load in loads for name in load.files),
    )


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
    con.execute(LANDED_FILES_DDL)


def record(
    con: duckdb.DuckDBPyConnection,
    table: str,
    quarantined: str,
    rows_read: int,
    rows_landed: int,
    files: dict[str, str],
    loaded_at: datetime,
    landed_files: Iterable[LandedFile],
    rows_other_partitions: int = 0,
    run_id: str | None = None,
) -> Accounting:
    """Inside the load's open transaction: replace `quarantine.<table>` with the rows of the SELECT
    `quarantined` on `con` (the QUARANTINE_SCHEMA columns: the set-aside rows never leave DuckDB),
    append the load's row to `meta.load_accounting`, `files` (name -> SHA-256) among it, and one
    row per landed file to `meta.landed_files` (`loaded_at` with its time zone)."""
    if rows := [(f.file_id, table, f.name, f.modified, loaded_at, run_id) for f in landed_files]:
        con.executemany(f"insert into {LANDED_FILES_TABLE} values (?, ?, ?, ?, ?, ?)", rows)
    loaded_at = loaded_at.replace(tzinfo=None)
    con.execute(
        f'create or replace table quarantine."{table}" as '
        f"select {', '.join(QUARANTINE_SCHEMA)}, ?::timestamp as _loaded_at from ({quarantined})",
        [loaded_at],
    )
    [(in_quarantine,)] = con.execute(f'select count(*) from quarantine."{table}"').fetchall()
    accounting = Accounting(table, rows_read, rows_landed, in_quarantine, rows_other_partitions)
    con.execute(
        f"insert into {ACCOUNTING_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            table,
            loaded_at,
            run_id,
            json.dumps(files, ensure_ascii=False),
            accounting.rows_read,
            accounting.rows_landed,
            accounting.rows_quarantined,
            accounting.rows_other_partitions,
            accounting.balanced,
        ],
    )
    return accounting
