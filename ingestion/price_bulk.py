"""Land price files in `raw.daily_prices` with DuckDB's own CSV reader: the path for large files.

DuckDB reads, types and writes a file in one pass, straight into the raw table inside the load's
transaction; Python only sees the few rows that need a decision:

- A file DuckDB cannot read as plain UTF-8 CSV with a known date format (GB18030, UTF-16, an
  empty or binary file, a missing key column, mixed date formats) and a file in which DuckDB
  finds a malformed record (wrong field count, a line over MAX_RECORD_CHARS, a stray quote) is
  read entirely by the careful reader, `ingestion.prices.load_price_file`, as before.
- Cells DuckDB cannot cast ("1.2万", "n/a", "05.12.2025") are rejected by DuckDB with their
  line; those lines alone go through the careful reader, which reads or quarantines them.
- The row rules (empty key, future date, implausible price, repeated key) are the careful
  reader's own rules, run on the *suspect* rows only: the rows a cheap SQL predicate picks out.

Line numbers of rows DuckDB read come from their order in the transaction (rowid): exact
unless the file has blank lines or records spanning several lines. `source_row` is null for
rows landed by this path.
"""

import csv
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from ingestion.columns import match_headers, normalise_header
from ingestion.errors import SourceFormatError
from ingestion.inbox import file_modified_date
from ingestion.prices import COLUMNS, DATE_FORMATS, KEY, OUTPUT_COLUMNS, PRICE_COLUMNS, TABLE, load_price_file
from ingestion.quarantine import (
    LINE,
    Accounting,
    Load,
    apply,
    duplicate_keys,
    empty_key,
    empty_quarantine,
    not_in_future,
    prepare,
    record,
    suite_bounds,
    within_bounds,
)
from ingestion.source_text import MAX_RECORD_CHARS, sniff_head
from ingestion.warehouse import file_sha256, sql_literal, sql_string, sql_trimmed

if TYPE_CHECKING:
    from validation.runner import ValidationOutcome

TARGET = f"raw.{TABLE}"
RAW_COLUMNS = {
    "date": "date",
    "ticker": "varchar",
    **dict.fromkeys(PRICE_COLUMNS, "double"),
    "currency": "varchar",
    "dataset": "varchar",
    "source_row": "bigint",
    "_loaded_at": "timestamp with time zone",
    "_source_file": "varchar",
    "_source_sha256": "varchar",
    "file_modified_date": "date",
}
REJECTS = ("_price_rejects", "_price_reject_scans")


@dataclass(frozen=True)
class BulkPlan:
    """How DuckDB reads one file: its delimiter, its header -> canonical column, its date format."""

    path: Path
    delimiter: str
    header: list[str]
    mapped: dict[str, str]  # canonical -> header
    date_format: str

    def read_csv(self, **options) -> str:
        """The `read_csv(...)` call, typed by canonical column (the rest as text)."""
        canonical = {header: name for name, header in self.mapped.items()}
        types = {
            header: "DATE"
            if canonical.get(header) == "date"
            else "DOUBLE"
            if canonical.get(header) in PRICE_COLUMNS
            else "VARCHAR"
            for header in self.header
        }
        return read_csv_sql(self.path, self.delimiter, types, self.date_format, **options)

    def select(self) -> str:
        """The canonical, cleaned columns of a row."""

        def column(name: str) -> str:
            return f'"{self.mapped[name]}"' if name in self.mapped else "null"

        return (
            f"{column('date')}::date as date, upper({sql_trimmed(column('ticker'))}) as ticker, "
            + "".join(f"{column(name)}::double as {name}, " for name in PRICE_COLUMNS)
            + f"upper({sql_trimmed(column('currency'))}) as currency, "
            f"coalesce({column('dataset')}, 'reported') as dataset"
        )


def read_csv_sql(path: Path, delimiter: str, types: dict[str, str], date_format: str, **options) -> str:
    """DuckDB's `read_csv(...)` of a file with a header, its columns typed by header (`types`),
    nothing sniffed; `options` are more named parameters, as SQL."""
    columns = "{" + ", ".join(f"{sql_string(name)}: '{kind}'" for name, kind in types.items()) + "}"
    extra = "".join(f", {name} = {value}" for name, value in options.items())
    return (
        f"read_csv({sql_string(str(path))}, header = true, auto_detect = false, "
        f"delim = {sql_string(delimiter)}, quote = '\"', escape = '\"', columns = {columns}, "
        f"dateformat = {sql_string(date_format)}, max_line_size = {MAX_RECORD_CHARS}{extra})"
    )


def plan(path: Path) -> BulkPlan | None:
    """How DuckDB can read `path`, or None when the careful reader must (see the module docstring)."""
    try:
        head = sniff_head(path)
    except SourceFormatError:
        return None
    header = head.header
    if not all(header) or len({normalise_header(h) for h in header}) < len(header):
        return None
    try:
        mapped = match_headers(header, COLUMNS, path)
    except SourceFormatError:
        return None
    index = header.index(mapped["date"])
    samples = [row[index].strip() for row in head.rows if len(row) > index and row[index].strip()]
    date_format = next((fmt for fmt in DATE_FORMATS if _all_parse(samples, fmt)), None)
    if date_format is None or not samples:
        return None
    return BulkPlan(path, head.delimiter, header, mapped, date_format)


def _all_parse(samples: list[str], fmt: str) -> bool:
    try:
        for sample in samples:
            datetime.strptime(sample, fmt)
    except ValueError:
        return False
    return True


@dataclass
class _FileRows:
    """Where the rows of one file sit in the transaction, to give each its line number."""

    name: str
    first_rowid: int | None = None
    bulk_rows: int = 0
    reject_lines: list[int] = field(default_factory=list)
    careful_lines: list[int] = field(default_factory=list)  # lines of rows the careful reader landed

    def line(self, ordinal: int) -> int | None:
        """The line of the file's `ordinal`-th row (1-based) in the transaction."""
        if ordinal > self.bulk_rows:
            index = ordinal - self.bulk_rows - 1
            return self.careful_lines[index] if index < len(self.careful_lines) else None
        line = ordinal + 1
        for rejected in self.reject_lines:
            if rejected <= line:
                line += 1
        return line


@dataclass
class PriceLanding:
    """What a landing did: its books (None when validation stopped it), the rows set aside."""

    accounting: Accounting | None
    quarantined: pl.DataFrame
    rows_read: int
    files: tuple[str, ...]
    careful_files: tuple[str, ...]  # read entirely by the careful reader
    validation: "ValidationOutcome | None" = None


def land_price_files(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    window: tuple[date, date] | None = None,
    run_id: str | None = None,
    validate: Callable[[duckdb.DuckDBPyConnection, str], "ValidationOutcome"] | None = None,
) -> PriceLanding:
    """Replace the rows of `raw.daily_prices` (all, or those dated within `window` = first, last
    day) with the rows of `paths`, quarantine what the rules set aside, and account for every
    row read, in one transaction. `validate(con, sql)` checks the landed rows (`sql` selects them)
    before commit; the transaction is rolled back if it fails or the books do not balance.
    """
    loaded_at = datetime.now(UTC)
    prepare(con)
    con.execute("begin transaction")
    try:
        con.execute(
            f"create table if not exists {TARGET} ("
            + ", ".join(f'"{name}" {kind}' for name, kind in RAW_COLUMNS.items())
            + ")"
        )
        if window is None:
            con.execute(f"delete from {TARGET}")
        else:
            con.execute(f"delete from {TARGET} where date between ? and ?", list(window))
        quarantined: list[pl.DataFrame] = []
        files: dict[str, _FileRows] = {}
        rows_read = 0
        careful: list[str] = []
        for path in paths:
            rows, read, set_aside, by_careful = _insert_file(con, path, loaded_at)
            files[path.name] = rows
            rows_read += read
            quarantined.append(set_aside)
            if by_careful:
                careful.append(path.name)
        quarantined.append(_apply_rules(con, loaded_at, files))
        landed_rows = f"{TARGET} where {new_rows(loaded_at)}"
        rows_other = 0
        if window is not None:
            outside = f"{landed_rows} and date not between '{window[0]}' and '{window[1]}'"
            [(rows_other,)] = con.execute(f"select count(*) from {outside}").fetchall()
            con.execute(f"delete from {outside}")
        [(landed,)] = con.execute(f"select count(*) from {landed_rows}").fetchall()
        set_aside = pl.concat(quarantined)
        validation = validate(con, f"select * from {landed_rows}") if validate is not None else None
        if validation is not None and not validation.success:
            con.execute("rollback")
            return PriceLanding(None, set_aside, rows_read, tuple(files), tuple(careful), validation)
        accounting = record(
            con,
            TABLE,
            set_aside,
            rows_read,
            landed,
            files,
            loaded_at.replace(tzinfo=None),
            rows_other,
            run_id,
        )
        con.execute("commit" if accounting.balanced else "rollback")
        return PriceLanding(accounting, set_aside, rows_read, tuple(files), tuple(careful), validation)
    except BaseException:
        con.execute("rollback")
        raise


def new_rows(loaded_at: datetime, file: str | None = None) -> str:
    """The SQL condition selecting the rows this load inserted (of one file)."""
    condition = f"_loaded_at = {sql_literal(loaded_at)}"
    return condition if file is None else f"{condition} and _source_file = {sql_string(file)}"


def file_metadata(path: Path, loaded_at: datetime) -> dict:
    """The provenance columns of the rows read from `path` by the load of `loaded_at`."""
    return {
        "_loaded_at": loaded_at,
        "_source_file": path.name,
        "_source_sha256": file_sha256(path),
        "file_modified_date": file_modified_date(path),
    }


def _insert_file(con, path: Path, loaded_at: datetime) -> tuple[_FileRows, int, pl.DataFrame, bool]:
    """Insert one file's rows; return where they sit, the rows read, the rows set aside and
    whether the careful reader read the whole file."""
    rows = _FileRows(path.name)
    metadata = file_metadata(path, loaded_at)
    bulk = plan(path)
    if bulk is not None:
        for table in REJECTS:
            con.execute(f"drop table if exists {table}")
        # Literals, not parameters: DuckDB runs a prepared insert from a CSV several times slower.
        values = ", ".join(f"{sql_literal(value)} as {name}" for name, value in metadata.items())
        options = {
            "store_rejects": "true",
            "rejects_table": sql_string(REJECTS[0]),
            "rejects_scan": sql_string(REJECTS[1]),
        }
        [(count,)] = con.execute(
            f"insert into {TARGET} by name select {bulk.select()}, null::bigint as source_row, {values} "
            f"from {bulk.read_csv(**options)}"
        ).fetchall()
        rejects = con.execute(
            f"select line, bool_and(error_type = 'CAST'), any_value(csv_line) from {REJECTS[0]} "
            "group by line order by line"
        ).fetchall()
        if all(cast_only for _, cast_only, _ in rejects):
            rows.bulk_rows = count
            rows.reject_lines = [line for line, _, _ in rejects]
            if not rejects:
                return rows, count, empty_quarantine(), False
            text = "\n".join([bulk.delimiter.join(_csv_cell(h, bulk.delimiter) for h in bulk.header)])
            text += "\n" + "\n".join(line.strip("\r\n") for _, _, line in rejects) + "\n"
            load = _careful_lines(con, text, path, rows, metadata)
            return rows, count + load.rows_read, load.quarantined, False
        con.execute(f"delete from {TARGET} where {new_rows(loaded_at, path.name)}")
    load = load_price_file(path)
    _insert_frame(con, load, metadata)
    rows.careful_lines = load.frame[LINE].to_list()
    return rows, load.rows_read, load.quarantined, True


def _csv_cell(text: str, delimiter: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow([text])
    return buffer.getvalue()


def _careful_lines(con, text: str, path: Path, rows: _FileRows, metadata: dict) -> Load:
    """The careful reader on the header and the lines DuckDB rejected (`text`, written to a
    scratch file), mapped back to their lines in `path`."""
    with tempfile.TemporaryDirectory(prefix="chipwatch-") as scratch:
        mini = Path(scratch) / path.name
        mini.write_text(text, encoding="utf-8")
        load = load_price_file(mini)
    original = dict(enumerate(rows.reject_lines, start=2))
    load.frame = load.frame.with_columns(pl.col(LINE).replace_strict(original, return_dtype=pl.Int64))
    load.quarantined = load.quarantined.with_columns(
        pl.lit(path.name).alias("source_file"),
        pl.col("line").replace_strict(original, default=None, return_dtype=pl.Int64),
    )
    _insert_frame(con, load, metadata)
    rows.careful_lines = load.frame[LINE].to_list()
    return load


def _insert_frame(con, load: Load, metadata: dict) -> None:
    frame = load.landable().with_columns(pl.lit(None, pl.Int64).alias("source_row"))
    frame = frame.with_columns([pl.lit(value).alias(name) for name, value in metadata.items()])
    con.register("_careful_rows", frame.select(*OUTPUT_COLUMNS, *metadata))
    try:
        con.execute(f"insert into {TARGET} by name select * from _careful_rows")
    finally:
        con.unregister("_careful_rows")


def _apply_rules(con, loaded_at: datetime, files: dict[str, _FileRows]) -> pl.DataFrame:
    """Quarantine the new rows the careful reader's rules set aside; return them."""
    bounds = suite_bounds(TABLE)
    limit = date.today() + timedelta(days=1)
    outside = [
        f"{column} < {low}"
        if high is None
        else f"{column} not between {low} and {high}"
        if low is not None
        else f"{column} > {high}"
        for column, (low, high) in bounds.items()
        if low is not None or high is not None
    ]
    new = new_rows(loaded_at)
    suspect = " or ".join(
        [*(f"{c} is null" for c in ("date", "ticker", "close")), f"date > '{limit}'", *outside]
    )
    # Grouping by one 64-bit hash is cheaper than by (date, ticker); collisions are re-checked.
    repeated = con.execute(
        f"select date, ticker from {TARGET} where {new} and hash(date, ticker) in "
        f"(select hash(date, ticker) from {TARGET} where {new} group by 1 having count(*) > 1) "
        "group by date, ticker having count(*) > 1"
    ).pl()
    if not repeated.is_empty():
        con.register("_repeated_keys", repeated)
        suspect += " or (date, ticker) in (select (date, ticker) from _repeated_keys)"
    try:
        suspects = con.execute(f"select rowid as _rowid, * from {TARGET} where {new} and ({suspect})").pl()
    finally:
        if not repeated.is_empty():
            con.unregister("_repeated_keys")
    if suspects.is_empty():
        return empty_quarantine()
    names = suspects["_source_file"].unique().to_list()
    for name, first in con.execute(
        f"select _source_file, min(rowid) from {TARGET} where {new} "
        "and _source_file in (select unnest(?::varchar[])) group by 1",
        [names],
    ).fetchall():
        files[name].first_rowid = first
    suspects = suspects.with_columns(
        pl.struct("_source_file", "_rowid")
        .map_elements(
            lambda row: files[row["_source_file"]].line(
                row["_rowid"] - files[row["_source_file"]].first_rowid + 1
            ),
            return_dtype=pl.Int64,
        )
        .alias(LINE)
    )
    checked = apply(
        Load(suspects, empty_quarantine(), suspects.height),
        empty_key("date", "ticker", "close"),
        not_in_future("date"),
        within_bounds(bounds),
        duplicate_keys(*KEY),
    )
    kept = set(checked.frame["_rowid"].to_list())
    dropped = [rowid for rowid in suspects["_rowid"].to_list() if rowid not in kept]
    if dropped:
        con.execute(f"delete from {TARGET} where rowid in (select unnest(?::bigint[]))", [dropped])
    return checked.quarantined


def date_range(paths: list[Path]) -> tuple[date, date] | None:
    """The first and last day of the rows in `paths` that can land (readable, not in the future):
    the daily partitions a build of these files covers."""
    con = duckdb.connect()
    limit = date.today() + timedelta(days=1)
    days: list[date] = []
    for path in paths:
        bulk = plan(path)
        if bulk is None:
            days.extend(load_price_file(path).frame["date"].drop_nulls().to_list())
            continue
        days.extend(
            day
            for day in con.execute(
                f'select min("{bulk.mapped["date"]}"), max("{bulk.mapped["date"]}") '
                f'from {bulk.read_csv(ignore_errors="true")} where "{bulk.mapped["date"]}" <= ?',
                [limit],
            ).fetchone()
            if day is not None
        )
    con.close()
    return (min(days), max(days)) if days else None
