"""The one way a source reaches `raw.<table>`: write, audit, publish (write-audit-publish).

1. **Stage.** Every file of the source is read into a staged table of this load,
   `raw."_staged_<table>__<id>"`, which no model or reader uses. DuckDB reads the files it can
   (`Source.columns`: typed by header, straight from disk, no row through Python); records it
   cannot read are kept by `store_rejects`. The careful reader (`Source.reader`, polars) reads
   the files DuckDB cannot (other encodings, mixed date formats, PDFs, XBRL, units in cells) and
   the lines DuckDB rejected, and writes the same rows with their lines; what it cannot read it
   sets aside with the reason. A source without a careful reader quarantines DuckDB's rejects
   with its message.
2. **Rules.** The source's row-wise rules (`ingestion.rules`, from the registry) set aside, in
   SQL, every row they refuse; then every repeat of a key: an identical repeat is set aside and
   the first kept, rows that disagree are all set aside, since nothing says which is right.
3. **Account and audit.** Rows read = rows landed + rows quarantined (+ rows of other
   partitions, for a daily-partition load), counted in the warehouse; `validate` (Great
   Expectations, the table-level rules) runs on the staged rows.
4. **Publish.** Only if the audit passed, in one transaction: the staged table replaces
   `raw.<table>` (or, for a daily-partition load, the days it covers), the quarantined rows
   replace `quarantine.<table>`, the books go to `meta.load_accounting` and each file's
   provenance to `meta.landed_files` (a raw row carries only its file's `_file_id`); it commits
   only if the books balance. Whatever stops a load before its commit leaves the previous table
   as it was, and the staged table is dropped. A load killed outright leaves it behind: on the
   one-file warehouse, where one process writes at a time, the next load of the source drops it;
   on DuckLake, where another machine may be loading the same source, it stays until removed by
   hand.

Line numbers of rows DuckDB read come from their order in the staged table (rowid) and the lines
DuckDB rejected: exact unless the file has blank lines or records spanning several lines.
"""

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import uuid4

import duckdb
import polars as pl

from ingestion.backend import backend, without_progress_bar
from ingestion.cells import EXPORT_DATE_FORMATS
from ingestion.columns import SourceColumn, match_headers, normalise_header
from ingestion.errors import SourceFormatError
from ingestion.inbox import file_modified_date
from ingestion.quarantine import QUARANTINE_SCHEMA, Accounting, LandedFile, Load, prepare, record, stack
from ingestion.registry import Source
from ingestion.rules import keys, reason_sql
from ingestion.source_text import (
    INTERNAL_COLUMNS,
    LINE,
    MAX_RECORD_CHARS,
    ROW_JSON,
    ROW_JSON_KEEP,
    sniff_head,
)
from ingestion.warehouse import file_sha256, sql_string, sql_trimmed

if TYPE_CHECKING:
    from validation.runner import ValidationOutcome

# validate(con, the staged rows' SELECT, may_repeat): see validation.runner.validate_relation.
Validate = Callable[[duckdb.DuckDBPyConnection, str, dict[frozenset[str], str]], "ValidationOutcome"]
SAMPLE_QUARANTINED = 50  # quarantined rows handed back to the caller for its report
# A raw row's provenance: the landed file it was read from, described once in `meta.landed_files`
# (name, modified date, load time): a file name in every row costs more than reading the row.
FILE_ID = "_file_id"
PROVENANCE = {FILE_ID: "ubigint"}
REJECTS = ("_land_rejects", "_land_reject_scans")
# The staged table of a load, `raw."_staged_<table>__<id>"`: written, ruled and audited outside
# the transaction that publishes it, since DuckDB scans a committed table on every core and a table
# written in an open transaction on one. Its own name per load: two loads of one source at once
# (DuckLake, several machines) never write each other's.
STAGED_PREFIX = "_staged_"
# Working tables of one load, dropped before it commits.
QUARANTINE, REJECTED_LINES, LINES_SKIPPED = "_land_quarantine", "_land_rejected_lines", "_land_lines_skipped"
CAREFUL_LINES, FIRST_ROWIDS, FLAGGED = "_land_careful_lines", "_land_first_rowids", "_land_flagged"
REPEATED_HASHES, FILES, FRAME = "_land_repeated_hashes", "_land_files", "_land_frame"
WORKING_TABLES = (
    QUARANTINE,
    REJECTED_LINES,
    LINES_SKIPPED,
    CAREFUL_LINES,
    FIRST_ROWIDS,
    FLAGGED,
    REPEATED_HASHES,
    FILES,
    *REJECTS,
)
ORDINAL = "_ordinal"
REJECT_REASONS = {
    "MISSING COLUMNS": "the row has fewer fields than the header: a truncated file (download it again) "
    "or a missing delimiter",
    "TOO MANY COLUMNS": "the row has more fields than the header: an unquoted delimiter inside a value",
    "CAST": "a cell cannot be read as its column's type",
}


@dataclass
class Landing:
    """What a landing did: its books (None when the audit stopped it) and the rows set aside."""

    accounting: Accounting | None
    quarantined: pl.DataFrame  # QUARANTINE_SCHEMA: the first SAMPLE_QUARANTINED rows set aside
    rows_quarantined: int
    rows_read: int
    files: tuple[str, ...]
    careful_files: tuple[str, ...] = ()  # read entirely by the careful reader
    validation: "ValidationOutcome | None" = None


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


@dataclass(frozen=True)
class FilePlan:
    """How DuckDB reads one file: its delimiter, its columns (canonical or `_unmapped_<n>`), its dates."""

    path: Path
    delimiter: str
    header: list[str]
    names: list[str]  # per header cell: the canonical column it maps to, else _unmapped_<n>
    date_format: str

    def read_csv(self, source: Source, **options) -> str:
        kinds = {column.name: column.kind for column in source.columns}
        types = {name: kinds.get(name, "varchar").upper() for name in self.names}
        return read_csv_sql(self.path, self.delimiter, types, self.date_format, **options)

    def select(self, source: Source, relation: str) -> str:
        """The canonical, cleaned columns of `relation` (text trimmed, empty text null, defaults applied)."""
        cleaned = []
        for column in source.columns:
            value = f'"{column.name}"' if column.name in self.names else f"null::{column.kind}"
            if column.kind == "varchar":
                value = f"nullif({sql_trimmed(value)}, '')"
                value = f"{column.case}({value})" if column.case else value
            cleaned.append(f"{value} as {column.name}")
        defaulted = [
            f"coalesce({column.name}, {column.default}) as {column.name}" if column.default else column.name
            for column in source.columns
        ]
        return f"select {', '.join(defaulted)} from (select {', '.join(cleaned)} from {relation})"


def plan(path: Path, source: Source) -> FilePlan | None:
    """How DuckDB reads `path`. A file DuckDB cannot read (empty, binary, not UTF-8, a column named
    twice, no header for a required column, dates in no single format) is the careful reader's
    (None), or refused (SourceFormatError) for a source without one."""
    try:
        head = sniff_head(path)
        header = head.header
        normalised = [normalise_header(cell) for cell in header]
        repeated = sorted({cell for cell in header if normalised.count(normalise_header(cell)) > 1})
        if repeated or not all(header):
            raise SourceFormatError(
                f"{path.name}, line 1: the header names column(s) {', '.join(map(repr, repeated))} twice "
                "or has an empty name: rename or remove one of them and re-run."
            )
        spec = [SourceColumn(c.name, (c.name, *c.aliases), key=c.required) for c in source.columns]
        canonical = {cell: name for name, cell in match_headers(header, spec, path).items()}
    except SourceFormatError:
        if source.reader is not None:
            return None
        raise
    names = [canonical.get(cell, f"_unmapped_{index}") for index, cell in enumerate(header)]
    dates = {c.name for c in source.columns if c.kind == "date"}
    samples = [
        row[i].strip() for row in head.rows for i, n in enumerate(names) if n in dates and len(row) > i
    ]
    samples = [sample for sample in samples if sample]
    date_format = max(EXPORT_DATE_FORMATS, key=lambda fmt: _parsed(samples, fmt))
    if source.reader is not None and (not samples or _parsed(samples, date_format) < len(samples)):
        return None  # mixed or unknown date formats: the careful reader reads each cell
    return FilePlan(path, head.delimiter, header, names, date_format)


def _parsed(samples: list[str], fmt: str) -> int:
    count = 0
    for sample in samples:
        try:
            datetime.strptime(sample, fmt)
        except ValueError:
            continue
        count += 1
    return count


def landed_file(path: Path) -> LandedFile:
    """`path` as this load lands it: a new file id (64 random bits, unique in the warehouse)."""
    return LandedFile(uuid4().int >> 64, path.name, file_modified_date(path))


def land(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    paths: list[Path],
    window: tuple[date, date] | None = None,
    run_id: str | None = None,
    validate: Validate | None = None,
) -> Landing:
    """Replace `raw.<table>` (all of it, or with `window` = (first, last) the rows whose `date` lies
    in it) with the rows of `paths`, as the module docstring says. With no path the table is
    emptied (a reader source's shape is its `empty` frame). A file the careful reader refuses
    (SourceFormatError) refuses the whole load before anything is written."""
    loaded_at = datetime.now(UTC)
    target, staged = f'raw."{source.table}"', f'raw."{STAGED_PREFIX}{source.table}__{uuid4().hex[:12]}"'
    files = tuple(path.name for path in paths)
    if source.columns:
        plans = {path: plan(path, source) for path in paths}
        loads = {path: source.reader(path) for path, file_plan in plans.items() if file_plan is None}
    else:
        plans = {}
        loads = {path: source.reader(path) for path in paths}
    landed_files = {path: landed_file(path) for path in paths}
    prepare(con)
    if backend() == "duckdb":
        _drop_staged_tables_left(con, source.table)
    kinds = {column.name: column.kind for column in source.columns} | PROVENANCE
    columns = ", ".join(f'"{name}" {kind}' for name, kind in kinds.items())
    # Hashed beside the reading, which does not need the digests.
    hashing = ThreadPoolExecutor(max_workers=1)
    digests = {path.name: hashing.submit(file_sha256, path) for path in paths}
    try:
        _create_working_tables(con, landed_files.values())
        if source.columns:
            con.execute(f"create or replace table {staged} ({columns})")
            rows_read = 0
            for path in paths:
                rows_read += _stage_file(
                    con, source, staged, path, plans[path], loads.get(path), landed_files[path].file_id
                )
        else:
            frames = [_with_file_id(load, landed_files[path].file_id) for path, load in loads.items()]
            load = stack(frames) if frames else _empty_load(source)
            _stage_frame(con, staged, load, create=True)
            rows_read = load.rows_read
        _prepare_lines(con, staged)
        _flag(con, f"select rowid as _rowid, {FILE_ID}, {reason_sql(source.rules)} as reason from {staged}")
        _quarantine_flagged(con, staged)
        source_keys = keys(source.rules)
        for number, key in enumerate(source_keys):
            _hash_repeats(con, staged, number, key)
            _flag(con, _repeated_keys(staged, number, key))
            _quarantine_flagged(con, staged)
        rows_other = 0
        if window is not None:
            outside = f"{staged} where date not between '{window[0]}' and '{window[1]}'"
            [(rows_other,)] = con.execute(f"select count(*) from {outside}").fetchall()
            con.execute(f"delete from {outside}")
        [(landed,)] = con.execute(f"select count(*) from {staged}").fetchall()
        [(set_aside,)] = con.execute(f"select count(*) from {QUARANTINE}").fetchall()
        sample = con.execute(
            f"select * from {QUARANTINE} order by source_file, line limit {SAMPLE_QUARANTINED}"
        ).pl()
        careful = tuple(path.name for path in paths if plans.get(path) is None and source.columns)
        may_repeat = {frozenset(key): _may_repeat(number, key) for number, key in enumerate(source_keys)}
        validation = validate(con, f"select * from {staged}", may_repeat) if validate is not None else None
        if validation is not None and not validation.success:
            return Landing(None, sample, set_aside, rows_read, files, careful, validation)
        con.execute("begin transaction")
        try:
            if window is None:
                con.execute(f"drop table if exists {target}")
                con.execute(f'alter table {staged} rename to "{source.table}"')
            else:
                con.execute(f"create table if not exists {target} ({columns})")
                con.execute(f"delete from {target} where date between ? and ?", list(window))
                con.execute(f"insert into {target} by name select * from {staged}")
            accounting = record(
                con,
                source.table,
                f"select * from {QUARANTINE}",
                rows_read,
                landed,
                {name: digest.result() for name, digest in digests.items()},
                loaded_at,
                list(landed_files.values()),
                rows_other,
                run_id,
            )
            con.execute("commit" if accounting.balanced else "rollback")
        except BaseException:
            con.execute("rollback")
            raise
        return Landing(accounting, sample, set_aside, rows_read, files, careful, validation)
    finally:
        hashing.shutdown(cancel_futures=True)
        _drop_working_tables(con)
        con.execute(f"drop table if exists {staged}")


def _drop_staged_tables_left(con, table: str) -> None:
    """Drop the staged tables of `table` that killed loads left: on the one-file warehouse no other
    load can be running (DuckDB lets one process write the file)."""
    left = con.execute(
        "select table_name from information_schema.tables where table_catalog = current_database() "
        "and table_schema = 'raw' and regexp_full_match(table_name, ?)",
        [f"{STAGED_PREFIX}{re.escape(table)}__[0-9a-f]{{12}}"],
    ).fetchall()
    for (name,) in left:
        con.execute(f'drop table raw."{name}"')


def _create_working_tables(con, landed_files) -> None:
    con.execute(
        f"create or replace temp table {QUARANTINE} "
        "(source_file varchar, line bigint, reason varchar, row_json varchar)"
    )
    con.execute(f"create or replace temp table {REJECTED_LINES} ({FILE_ID} ubigint, line bigint)")
    con.execute(f"create or replace temp table {REPEATED_HASHES} (key_number integer, key_hash ubigint)")
    con.execute(
        f"create or replace temp table {CAREFUL_LINES} "
        f"({FILE_ID} ubigint, ordinal bigint, line bigint, row_json varchar)"
    )
    con.execute(f"create or replace temp table {FILES} ({FILE_ID} ubigint, _source_file varchar)")
    if files := [(f.file_id, f.name) for f in landed_files]:
        con.executemany(f"insert into {FILES} values (?, ?)", files)


def _drop_working_tables(con) -> None:
    for table in WORKING_TABLES:
        con.execute(f"drop table if exists {table}")


def _with_file_id(load: Load, file_id: int) -> Load:
    load.frame = load.frame.with_columns(pl.lit(file_id, pl.UInt64).alias(FILE_ID))
    return load


def _empty_load(source: Source) -> Load:
    if source.empty is None:
        raise SourceFormatError("No file to land and no empty frame for the table: nothing to build it from.")
    frame = source.empty().with_columns(pl.lit(None, pl.UInt64).alias(FILE_ID))
    return Load.of_frame(frame)


def _stage_frame(con, target: str, load: Load, create: bool = False, first_ordinal: int = 1) -> None:
    """Insert the careful reader's rows (and remember each row's line and text), and its
    set-aside rows."""
    frame = load.frame
    for column in INTERNAL_COLUMNS:
        if column not in frame.columns:
            frame = frame.with_columns(
                pl.lit(None, pl.String if column == ROW_JSON else pl.Int64).alias(column)
            )
    frame = frame.with_columns(
        (pl.int_range(0, pl.len()).over(FILE_ID) + first_ordinal).cast(pl.Int64).alias(ORDINAL)
    )
    con.register(FRAME, frame)
    try:
        rows = f"select * exclude ({LINE}, {ROW_JSON}, {ORDINAL}) from {FRAME}"
        if create:
            con.execute(f"create or replace table {target} as {rows}")
        else:
            con.execute(f"insert into {target} by name {rows}")
        con.execute(
            f"insert into {CAREFUL_LINES} select {FILE_ID}, {ORDINAL}, {LINE}, {ROW_JSON} from {FRAME}"
        )
    finally:
        con.unregister(FRAME)
    if load.quarantined.height:
        con.register(FRAME, load.quarantined.select(list(QUARANTINE_SCHEMA)))
        try:
            con.execute(f"insert into {QUARANTINE} select * from {FRAME}")
        finally:
            con.unregister(FRAME)


def _stage_file(
    con, source: Source, target: str, path: Path, file_plan, careful: Load | None, file_id: int
) -> int:
    """Insert one file's rows; return the rows read."""
    if file_plan is None:
        return _stage_careful(con, source, target, careful, file_id)
    for table in REJECTS:
        con.execute(f"drop table if exists {table}")
    options = {
        "store_rejects": "true",
        "rejects_table": sql_string(REJECTS[0]),
        "rejects_scan": sql_string(REJECTS[1]),
    }
    # A literal, not a parameter: DuckDB runs a prepared insert from a CSV several times slower.
    rows = file_plan.select(source, file_plan.read_csv(source, **options))
    [(inserted,)] = con.execute(
        f"insert into {target} by name select *, {file_id}::ubigint as {FILE_ID} from ({rows})"
    ).fetchall()
    rejects = con.execute(
        f"select line, bool_and(error_type = 'CAST'), any_value(csv_line) from {REJECTS[0]} "
        "group by line order by line"
    ).fetchall()
    if not rejects:
        return inserted
    if source.reader is None:
        return inserted + _quarantine_rejects(con, path.name, file_id)
    if not all(cast_only for _, cast_only, _ in rejects):
        # A malformed record: the careful reader reads the whole file.
        con.execute(f"delete from {target} where {FILE_ID} = {file_id}")
        return _stage_careful(con, source, target, source.reader(path), file_id)
    # Cells DuckDB cannot cast: those lines alone go through the careful reader.
    con.execute(f"insert into {REJECTED_LINES} select {file_id}, line from {REJECTS[0]} group by line")
    lines = [line for line, _, _ in rejects]
    text = file_plan.delimiter.join(_csv_cell(h, file_plan.delimiter) for h in file_plan.header) + "\n"
    text += "\n".join(line.strip("\r\n") for _, _, line in rejects) + "\n"
    load = _careful_lines(source, path, text, lines)
    _stage_careful(con, source, target, load, file_id, first_ordinal=inserted + 1)
    return inserted + load.rows_read


def _stage_careful(con, source: Source, target: str, load: Load, file_id: int, first_ordinal: int = 1) -> int:
    declared = [column.name for column in source.columns]
    frame = load.frame.select(*declared, *(c for c in INTERNAL_COLUMNS if c in load.frame.columns))
    frame = frame.with_columns(pl.lit(file_id, pl.UInt64).alias(FILE_ID))
    _stage_frame(
        con, target, Load(frame, load.quarantined, load.rows_read, load.files), first_ordinal=first_ordinal
    )
    return load.rows_read


def _csv_cell(text: str, delimiter: str) -> str:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow([text])
    return buffer.getvalue()


def _careful_lines(source: Source, path: Path, text: str, lines: list[int]) -> Load:
    """The careful reader on the header and the lines DuckDB rejected (`text`, written to a
    scratch file), mapped back to their lines in `path`."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="chipwatch-") as scratch:
        mini = Path(scratch) / path.name
        mini.write_text(text, encoding="utf-8")
        load = source.reader(mini)
    original = dict(enumerate(lines, start=2))
    load.frame = load.frame.with_columns(pl.col(LINE).replace_strict(original, return_dtype=pl.Int64))
    load.quarantined = load.quarantined.with_columns(
        pl.lit(path.name).alias("source_file"),
        pl.col("line").replace_strict(original, default=None, return_dtype=pl.Int64),
    )
    return load


def _quarantine_rejects(con, file_name: str, file_id: int) -> int:
    """Quarantine the records DuckDB rejected, with its message; return how many."""
    explained = " ".join(
        f"when {sql_string(kind)} then {sql_string(reason + ' (')} || error_message || ')'"
        for kind, reason in REJECT_REASONS.items()
    )
    con.execute(f"insert into {REJECTED_LINES} select {file_id}, line from {REJECTS[0]} group by line")
    # One reason per kind of error of a line (DuckDB reports a short row once per missing column).
    [(rejected,)] = con.execute(
        f"insert into {QUARANTINE} "
        f"select {sql_string(file_name)}, line, string_agg(reason, '; ' order by column_idx), "
        f"json_object('_text', left(any_value(csv_line), {ROW_JSON_KEEP}))::varchar from ("
        "select line, min(column_idx) as column_idx, any_value(csv_line) as csv_line, "
        f"arg_min(case error_type {explained} else 'malformed CSV record (' || error_message || ')' end, "
        f"column_idx) as reason from {REJECTS[0]} group by line, error_type) "
        "group by line"
    ).fetchall()
    return rejected


def _prepare_lines(con, staged: str) -> None:
    """What turns a landed row's rowid into its line: each file's first rowid, and how many rejected
    lines precede the n-th row DuckDB read (the i-th rejected line r of a file follows r - i - 1
    landed rows)."""
    con.execute(
        f"create or replace temp table {FIRST_ROWIDS} as "
        f"select {FILE_ID}, min(rowid) as first_rowid from {staged} group by 1"
    )
    con.execute(
        f"create or replace temp table {LINES_SKIPPED} as "
        f"select {FILE_ID}, line - n as threshold, max(n) as skipped from (select {FILE_ID}, line, "
        f"row_number() over (partition by {FILE_ID} order by line) as n from {REJECTED_LINES}) group by all"
    )


def _with_lines(rows: str) -> str:
    """`rows` (with `_rowid` and `_file_id` of landed rows), the name of the file each was read
    from (`_source_file`), its line and, for rows of the careful reader, the record's text."""
    return (
        "select counted.* exclude (_ordinal), "
        "case when careful.ordinal is not null then careful.line "
        "else counted._ordinal + 1 + coalesce(skipped.skipped, 0) end as line, "
        "careful.row_json as _row_json, files._source_file from ("
        f"select numbered.*, numbered._rowid - first.first_rowid + 1 as _ordinal from ({rows}) as numbered "
        f"join {FIRST_ROWIDS} as first using ({FILE_ID})) as counted "
        f"join {FILES} as files using ({FILE_ID}) "
        f"left join {CAREFUL_LINES} as careful "
        f"on careful.{FILE_ID} = counted.{FILE_ID} and careful.ordinal = counted._ordinal "
        f"asof left join {LINES_SKIPPED} as skipped "
        f"on counted.{FILE_ID} = skipped.{FILE_ID} and counted._ordinal >= skipped.threshold"
    )


def _flag(con, rows: str) -> None:
    """Keep the rows of `rows` (`_rowid`, `_file_id`, `reason`) that have a reason, with their
    files and lines."""
    con.execute(
        f"create or replace temp table {FLAGGED} as "
        f"select _rowid, _source_file, line, reason, _row_json "
        f"from ({_with_lines(f'select * from ({rows}) where reason is not null')})"
    )


def _quarantine_flagged(con, target: str) -> None:
    """Move the flagged rows from the raw table to the quarantine rows (the careful reader's text of
    the record, else the landed row as JSON)."""
    [(flagged,)] = con.execute(f"select count(*) from {FLAGGED}").fetchall()
    if not flagged:
        return
    content = [column[0] for column in con.execute(f"select * from {target} limit 0").description]
    row = ", ".join(f'{sql_string(name)}: landed."{name}"' for name in content if not name.startswith("_"))
    con.execute(
        f"insert into {QUARANTINE} select flagged._source_file, flagged.line, flagged.reason, "
        f"coalesce(flagged._row_json, to_json({{{row}}})::varchar) from {FLAGGED} as flagged "
        f"join {target} as landed on landed.rowid = flagged._rowid"
    )
    con.execute(f"delete from {target} where rowid in (select _rowid from {FLAGGED})")


def _key_columns(key: tuple[str, ...]) -> str:
    return ", ".join(f'"{column}"' for column in key)


def _complete(key: tuple[str, ...]) -> str:
    """True of the rows with every part of `key`: only they are compared."""
    return " and ".join(f'"{column}" is not null' for column in key)


def _hash_repeats(con, staged: str, number: int, key: tuple[str, ...]) -> None:
    """Keep the hashes of `key` (the load's `number`-th key) that more than one complete row of
    `staged` has: one 64-bit hash per row, sorted, each compared with the next (half the time of
    grouping 10 m rows by their hash, which is cheaper than by the key); collisions are re-checked.
    Rows are only taken out of the staged table after this, so a key can repeat only among the rows
    with one of these hashes or an empty key part: the GX audit groups only those (`_may_repeat`)."""
    hashes = f"select hash({_key_columns(key)}) as key_hash from {staged} where {_complete(key)}"
    con.execute(
        f"insert into {REPEATED_HASHES} select distinct {number}, key_hash from "
        f"(select key_hash, lead(key_hash) over (order by key_hash) as next_hash from ({hashes})) "
        "where key_hash = next_hash"
    )


def _may_repeat(number: int, key: tuple[str, ...]) -> str:
    """The rows among which `key` may still repeat, as `_hash_repeats` says."""
    return f"(hash({_key_columns(key)}) in ({_repeated_hashes(number)}) or not ({_complete(key)}))"


def _repeated_hashes(number: int) -> str:
    return f"select key_hash from {REPEATED_HASHES} where key_number = {number}"


def _repeated_keys(staged: str, number: int, key: tuple[str, ...]) -> str:
    """The rows sharing a key (with reasons): an identical repeat is set aside and the first kept;
    rows that disagree are all set aside. Rows with an empty key part are not compared."""
    columns = _key_columns(key)
    label = " || ', ' || ".join(
        f"'{column}=' || coalesce(\"{column}\"::varchar, '')" for column in key if not column.startswith("_")
    )
    complete = _complete(key)
    where = "_source_file || ':' || line"
    # What a row says: not where it was read (provenance, its row number in the file).
    content = "c -> not starts_with(c, '_') and c <> 'source_row'"
    candidates = (
        f"select rowid as _rowid, {FILE_ID}, {label} as _key, hash(*columns({content})) as _content "
        f"from {staged} where {complete} and hash({columns}) in "
        f"({_repeated_hashes(number)})"
    )
    conflicting = (
        "'conflicting rows for key ({}) on lines {}: none kept; keep one row per key in the file and re-run'"
    )
    repeat = "'duplicate key ({}): a repeat of line {}, which was kept'"
    return f"""
        with candidates as ({candidates}),
        repeated as (
            select * from candidates
            where _key in (select _key from candidates group by 1 having count(*) > 1)
        ),
        lined as ({_with_lines("select * from repeated")}),
        keys as (
            select _key, count(distinct _content) as variants, min(_rowid) as first_rowid,
                arg_min({where}, _rowid) as first_where,
                string_agg({where}, ', ' order by _rowid) as every_where
            from lined group by 1
        )
        select lined._rowid, lined.{FILE_ID},
            case
                when keys.variants > 1 then format({conflicting}, lined._key, keys.every_where)
                when lined._rowid <> keys.first_rowid then format({repeat}, lined._key, keys.first_where)
            end as reason
        from lined join keys using (_key)
    """


def date_range(source: Source, paths: list[Path]) -> tuple[date, date] | None:
    """The first and last day of the rows in `paths` that can land (readable, not in the future):
    the daily partitions a build of these files covers."""
    from datetime import timedelta

    con = without_progress_bar(duckdb.connect())
    limit = date.today() + timedelta(days=1)
    days: list[date] = []
    for path in paths:
        file_plan = plan(path, source)
        if file_plan is None:
            frame = source.reader(path).frame
            days.extend(day for day in frame["date"].drop_nulls().to_list() if day <= limit)
            continue
        days.extend(
            day
            for day in con.execute(
                f'select min("date"), max("date") '
                f'from {file_plan.read_csv(source, ignore_errors="true")} where "date" <= ?',
                [limit],
            ).fetchone()
            if day is not None
        )
    con.close()
    return (min(days), max(days)) if days else None


def source_files(source: Source) -> list[Path]:
    """The files a source is landed from: its curated file, its inbox folder's files, or the module
    that generates it."""
    from ingestion.inbox import inbox_files
    from ingestion.paths import PROJECT_ROOT, reference_dir

    if source.file_name:
        return [reference_dir() / source.file_name]
    if source.folder:
        return inbox_files(source.folder, source.suffixes, allow_empty=source.may_be_empty)
    return [PROJECT_ROOT / source.code_file]
