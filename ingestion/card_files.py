"""Land card inventories and procurement lines with DuckDB's own CSV reader: files of any size.

Two sources, one per inbox folder, each a CSV with a header (comma, semicolon, tab or vertical
bar; UTF-8 with or without BOM):

- `card_inventory/` -> `raw.card_inventory`: one row per accelerator card in a data centre
  (key `card_serial`), as `bench.synthetic.write_card_inventory` writes them.
- `procurement/` -> `raw.procurement_lines`: one row per purchase-order line (key `po_line_id`),
  as `bench.synthetic.write_procurement` writes them.

Columns are matched by header (English or Chinese aliases, any order; unknown columns are not
landed). A load replaces the raw table with the rows of every file in the folder, in one
transaction; memory does not grow with the files, because no row passes through Python:

- DuckDB reads each file, typed per column, straight into the raw table; the records it cannot
  read (wrong field count, a cell that cannot be cast, a stray quote, an over-long line) are kept
  by `store_rejects` and quarantined with their line and DuckDB's message.
- The rules are the raw suite's row-wise expectations (`validation.raw_suites`), run as SQL on the
  landed rows: an empty required column, a value outside its set or its plausible range, a
  delivery before its order. Then repeated keys (across files too): an identical repeat is
  quarantined and the first kept; rows that disagree are all quarantined.
- Every row read is accounted for: rows read (landed + rejected by DuckDB) = rows landed + rows in
  `quarantine.<table>`, recorded in `meta.load_accounting`; `validate` runs before commit.

Line numbers of quarantined rows come from their order in the transaction (rowid) and the lines
DuckDB rejected: exact unless the file has blank lines or records spanning several lines.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from ingestion.columns import SourceColumn, match_headers, normalise_header
from ingestion.errors import SourceFormatError
from ingestion.price_bulk import file_metadata, read_csv_sql
from ingestion.prices import DATE_FORMATS
from ingestion.quarantine import Accounting, prepare, record
from ingestion.source_text import ROW_JSON_KEEP, sniff_head
from ingestion.warehouse import sql_literal, sql_string, sql_trimmed

if TYPE_CHECKING:
    from validation.expectations import Expectation
    from validation.runner import ValidationOutcome

SAMPLE_QUARANTINED = 50  # quarantined rows handed back to the caller for its report
PROVENANCE = {
    "_loaded_at": "timestamp with time zone",
    "_source_file": "varchar",
    "_source_sha256": "varchar",
    "file_modified_date": "date",
}
REJECTS = ("_card_file_rejects", "_card_file_reject_scans")
# Working tables of one load, dropped before it commits.
QUARANTINE, LINES_SKIPPED, FIRST_ROWIDS, FLAGGED = (
    "_bulk_quarantine",
    "_bulk_lines_skipped",
    "_bulk_first_rowids",
    "_bulk_flagged",
)
REJECT_REASONS = {
    "MISSING COLUMNS": "the row has fewer fields than the header: a truncated file (download it again) "
    "or a missing delimiter",
    "TOO MANY COLUMNS": "the row has more fields than the header: an unquoted delimiter inside a value",
    "CAST": "a cell cannot be read as its column's type",
}


@dataclass(frozen=True)
class Column:
    """A canonical column: the headers it may appear under, its DuckDB type, how text is cleaned."""

    name: str
    aliases: tuple[str, ...]
    kind: str = "varchar"
    required: bool = False  # the file must have a header for it
    case: str | None = None  # "lower" or "upper": codes compared with a set
    default: str | None = None  # SQL over the canonical columns, for an absent column or empty cell

    def source(self) -> SourceColumn:
        return SourceColumn(self.name, (self.name, *self.aliases), key=self.required)


PROVENANCE_COLUMNS = (
    Column("dataset", ("Dataset", "数据集"), case="lower", default="'reported'"),
    Column("source_name", ("Source", "Source Name", "来源")),
    Column("source_url", ("Source URL", "URL", "来源链接")),
    Column("confidence", ("Confidence", "置信度"), case="lower"),
)
DATACENTER_ID = Column(
    "datacenter_id", ("Data Centre ID", "Data Center ID", "DC ID", "数据中心编号"), required=True
)
CHIP_NAME = Column(
    "chip_name", ("Chip", "Chip Name", "Accelerator", "Card Model", "芯片", "芯片型号"), required=True
)


@dataclass(frozen=True)
class BulkSource:
    """One inbox source landed by this module."""

    table: str
    key: str
    columns: tuple[Column, ...]

    @property
    def target(self) -> str:
        return f'raw."{self.table}"'

    def suite(self) -> list["Expectation"]:
        from validation.raw_suites import RAW_SUITES

        return RAW_SUITES[self.table]


CARD_INVENTORY = BulkSource(
    "card_inventory",
    "card_serial",
    (
        Column(
            "card_serial",
            ("Card Serial", "Serial", "Serial Number", "SN", "序列号", "卡序列号"),
            required=True,
        ),
        DATACENTER_ID,
        Column(
            "datacenter_name", ("Data Centre", "Data Center", "Data Centre Name", "数据中心", "数据中心名称")
        ),
        Column("province", ("Province", "省份")),
        Column("sector", ("Sector", "行业"), case="lower"),
        Column("state_funded", ("State Funded", "State-Funded", "国资"), "boolean"),
        Column("first_operational_date", ("Go-Live Date", "First Operational Date", "投产日期"), "date"),
        Column("server_id", ("Server ID", "Server", "服务器编号")),
        CHIP_NAME,
        Column("status", ("Status", "Card Status", "状态"), required=True, case="lower"),
        Column("installed_on", ("Installed On", "Install Date", "Installation Date", "安装日期"), "date"),
        *PROVENANCE_COLUMNS,
    ),
)
PROCUREMENT = BulkSource(
    "procurement_lines",
    "po_line_id",
    (
        Column(
            "po_line_id", ("PO Line ID", "PO Line", "Order Line", "订单行号", "采购订单行号"), required=True
        ),
        DATACENTER_ID,
        Column("order_date", ("Order Date", "PO Date", "下单日期", "订单日期"), "date", required=True),
        Column("delivery_date", ("Delivery Date", "Delivered", "交付日期", "到货日期"), "date"),
        CHIP_NAME,
        Column("units", ("Units", "Quantity", "Qty", "数量"), "bigint", required=True),
        Column("unit_price", ("Unit Price", "Price", "单价"), "double"),
        Column("currency", ("Currency", "币种"), required=True, case="upper"),
        Column(
            "amount",
            ("Amount", "Line Amount", "Total", "金额", "总金额"),
            "double",
            default="round(units * unit_price, 2)",
        ),
        *PROVENANCE_COLUMNS,
    ),
)


@dataclass(frozen=True)
class FilePlan:
    """How DuckDB reads one file: its delimiter, its columns (canonical or `_unmapped_<n>`), its dates."""

    path: Path
    delimiter: str
    names: list[str]  # per header cell: the canonical column it maps to, else _unmapped_<n>
    date_format: str

    def read_csv(self, source: BulkSource, **options) -> str:
        kinds = {column.name: column.kind for column in source.columns}
        types = {name: kinds.get(name, "varchar").upper() for name in self.names}
        return read_csv_sql(self.path, self.delimiter, types, self.date_format, **options)

    def select(self, source: BulkSource, relation: str) -> str:
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


def plan(path: Path, source: BulkSource) -> FilePlan:
    """How DuckDB reads `path`; refuses (SourceFormatError) a file that is empty, binary, not UTF-8,
    or without a header for a required column."""
    head = sniff_head(path)
    header = head.header
    normalised = [normalise_header(cell) for cell in header]
    repeated = sorted({cell for cell in header if normalised.count(normalise_header(cell)) > 1})
    if repeated:
        raise SourceFormatError(
            f"{path.name}, line 1: the header names column(s) {', '.join(map(repr, repeated))} twice: "
            "rename or remove one of them and re-run."
        )
    mapped = match_headers(header, [column.source() for column in source.columns], path)
    canonical = {header_cell: name for name, header_cell in mapped.items()}
    names = [canonical.get(cell, f"_unmapped_{index}") for index, cell in enumerate(header)]
    dates = [
        i for i, name in enumerate(names) if name in {c.name for c in source.columns if c.kind == "date"}
    ]
    samples = [row[i].strip() for row in head.rows for i in dates if len(row) > i and row[i].strip()]
    return FilePlan(path, head.delimiter, names, _date_format(samples))


def _date_format(samples: list[str]) -> str:
    """The format of DATE_FORMATS reading the most samples (the first on a tie: ISO when none)."""

    def parsed(fmt: str) -> int:
        count = 0
        for sample in samples:
            try:
                datetime.strptime(sample, fmt)
            except ValueError:
                continue
            count += 1
        return count

    return max(DATE_FORMATS, key=parsed)


@dataclass
class BulkLanding:
    """What a landing did: its books (None when validation stopped it) and the rows set aside."""

    accounting: Accounting | None
    quarantined: pl.DataFrame  # QUARANTINE_SCHEMA: the first SAMPLE_QUARANTINED rows set aside
    rows_quarantined: int
    rows_read: int
    files: tuple[str, ...]
    validation: "ValidationOutcome | None" = None


Validate = Callable[[duckdb.DuckDBPyConnection, str], "ValidationOutcome"]


def land_card_inventory(con, paths: list[Path], run_id: str | None = None, validate: Validate | None = None):
    """Replace `raw.card_inventory` with the cards of `paths` (see the module docstring)."""
    return land_bulk_files(con, CARD_INVENTORY, paths, run_id, validate)


def land_procurement(con, paths: list[Path], run_id: str | None = None, validate: Validate | None = None):
    """Replace `raw.procurement_lines` with the purchase-order lines of `paths`."""
    return land_bulk_files(con, PROCUREMENT, paths, run_id, validate)


def land_bulk_files(
    con: duckdb.DuckDBPyConnection,
    source: BulkSource,
    paths: list[Path],
    run_id: str | None = None,
    validate: Validate | None = None,
) -> BulkLanding:
    """Replace `raw.<table>` with the rows of `paths` (none: an empty table), quarantine what DuckDB
    or the rules set aside and account for every row read, in one transaction. `validate(con, sql)`
    checks the landed rows (`sql` selects them) before commit; the transaction is rolled back if it
    fails or the books do not balance. A file that cannot be read at all refuses the whole load
    (SourceFormatError) before anything is written."""
    plans = [plan(path, source) for path in paths]
    files = tuple(path.name for path in paths)
    loaded_at = datetime.now(UTC)
    prepare(con)
    con.execute("begin transaction")
    try:
        kinds = {column.name: column.kind for column in source.columns} | PROVENANCE
        con.execute(
            f"create or replace table {source.target} ("
            + ", ".join(f'"{name}" {kind}' for name, kind in kinds.items())
            + ")"
        )
        con.execute(
            f"create or replace temp table {QUARANTINE} "
            "(source_file varchar, line bigint, reason varchar, row_json varchar)"
        )
        rows_read = sum(_insert_file(con, source, file_plan, loaded_at) for file_plan in plans)
        _prepare_lines(con, source)
        _flag(
            con,
            f"select rowid as _rowid, _source_file, {_rule_reasons(source)} as reason from {source.target}",
        )
        _quarantine_flagged(con, source)
        _flag(con, _repeated_keys(source))
        _quarantine_flagged(con, source)
        [(landed,)] = con.execute(f"select count(*) from {source.target}").fetchall()
        [(set_aside,)] = con.execute(f"select count(*) from {QUARANTINE}").fetchall()
        sample = con.execute(
            f"select * from {QUARANTINE} order by source_file, line limit {SAMPLE_QUARANTINED}"
        ).pl()
        validation = validate(con, f"select * from {source.target}") if validate is not None else None
        if validation is not None and not validation.success:
            con.execute("rollback")
            return BulkLanding(None, sample, set_aside, rows_read, files, validation)
        accounting = record(
            con,
            source.table,
            f"select * from {QUARANTINE}",
            rows_read,
            landed,
            files,
            loaded_at.replace(tzinfo=None),
            run_id=run_id,
        )
        for table in (QUARANTINE, LINES_SKIPPED, FIRST_ROWIDS, FLAGGED, *REJECTS):
            con.execute(f"drop table if exists {table}")
        con.execute("commit" if accounting.balanced else "rollback")
        return BulkLanding(accounting, sample, set_aside, rows_read, files, validation)
    except BaseException:
        con.execute("rollback")
        raise


def _insert_file(con, source: BulkSource, file_plan: FilePlan, loaded_at: datetime) -> int:
    """Insert one file's rows and quarantine the records DuckDB rejected; return the rows read."""
    for table in REJECTS:
        con.execute(f"drop table if exists {table}")
    options = {
        "store_rejects": "true",
        "rejects_table": sql_string(REJECTS[0]),
        "rejects_scan": sql_string(REJECTS[1]),
    }
    # Literals, not parameters: DuckDB runs a prepared insert from a CSV several times slower.
    metadata = ", ".join(
        f"{sql_literal(value)} as {name}" for name, value in file_metadata(file_plan.path, loaded_at).items()
    )
    relation = file_plan.read_csv(source, **options)
    rows = file_plan.select(source, relation)
    [(inserted,)] = con.execute(
        f"insert into {source.target} by name select *, {metadata} from ({rows})"
    ).fetchall()
    explained = " ".join(
        f"when {sql_string(kind)} then {sql_string(reason + ' (')} || error_message || ')'"
        for kind, reason in REJECT_REASONS.items()
    )
    # One reason per kind of error of a line (DuckDB reports a short row once per missing column).
    [(rejected,)] = con.execute(
        f"insert into {QUARANTINE} "
        f"select {sql_string(file_plan.path.name)}, line, string_agg(reason, '; ' order by column_idx), "
        f"json_object('_text', left(any_value(csv_line), {ROW_JSON_KEEP}))::varchar from ("
        "select line, min(column_idx) as column_idx, any_value(csv_line) as csv_line, "
        f"arg_min(case error_type {explained} else 'malformed CSV record (' || error_message || ')' end, "
        f"column_idx) as reason from {REJECTS[0]} group by line, error_type) "
        "group by line"
    ).fetchall()
    return inserted + rejected


def _prepare_lines(con, source: BulkSource) -> None:
    """What turns a landed row's rowid into its line: each file's first rowid, and how many rejected
    lines precede the n-th landed row (the i-th rejected line r of a file follows r - i - 1 landed rows)."""
    con.execute(
        f"create or replace temp table {FIRST_ROWIDS} as "
        f"select _source_file, min(rowid) as first_rowid from {source.target} group by 1"
    )
    con.execute(
        f"create or replace temp table {LINES_SKIPPED} as "
        "select source_file, line - n as threshold, max(n) as skipped from (select source_file, line, "
        f"row_number() over (partition by source_file order by line) as n from {QUARANTINE}) group by all"
    )


def _with_lines(rows: str) -> str:
    """`rows` (with `_rowid` and `_source_file` of landed rows) and the line each was read from."""
    return (
        "select counted.*, counted._ordinal + 1 + coalesce(skipped.skipped, 0) as line from ("
        f"select numbered.*, numbered._rowid - first.first_rowid + 1 as _ordinal from ({rows}) as numbered "
        f"join {FIRST_ROWIDS} as first using (_source_file)) as counted "
        f"asof left join {LINES_SKIPPED} as skipped "
        "on counted._source_file = skipped.source_file and counted._ordinal >= skipped.threshold"
    )


def _flag(con, rows: str) -> None:
    """Keep the rows of `rows` (`_rowid`, `_source_file`, `reason`) that have a reason, with their lines."""
    con.execute(
        f"create or replace temp table {FLAGGED} as "
        f"select _rowid, _source_file, line, reason "
        f"from ({_with_lines(f'select * from ({rows}) where reason is not null')})"
    )


def _quarantine_flagged(con, source: BulkSource) -> None:
    """Move the flagged rows from the raw table to the quarantine rows, as JSON."""
    row = ", ".join(f"{sql_string(column.name)}: landed.{column.name}" for column in source.columns)
    con.execute(
        f"insert into {QUARANTINE} select flagged._source_file, flagged.line, flagged.reason, "
        f"to_json({{{row}}})::varchar from {FLAGGED} as flagged "
        f"join {source.target} as landed on landed.rowid = flagged._rowid"
    )
    con.execute(f"delete from {source.target} where rowid in (select _rowid from {FLAGGED})")


def _rule_reasons(source: BulkSource) -> str:
    """A SQL expression giving a row's first reason to be set aside under the raw suite's row-wise
    expectations (null for a fine row). Uniqueness is `_repeated_keys`; table-level expectations
    are left to the suite."""
    whens = []
    for expectation in source.suite():
        kwargs = expectation.kwargs
        column = kwargs.get("column")
        if expectation.kind == "ExpectColumnValuesToNotBeNull":
            whens.append(f"when {column} is null then 'column ''{column}'' is empty: a row needs it'")
        elif expectation.kind == "ExpectColumnValuesToBeInSet":
            values = kwargs["value_set"]
            message = f"column '{column}' = {{}} is not one of {', '.join(values)}"
            whens.append(
                f"when {column} not in ({', '.join(map(sql_string, values))}) "
                f"then format({sql_string(message)}, {column})"
            )
        elif expectation.kind == "ExpectColumnValuesToBeBetween":
            low, high = kwargs["min_value"], kwargs["max_value"]
            outside = " or ".join(
                [
                    *([f"{column} < {low}"] if low is not None else []),
                    *([f"{column} > {high}"] if high is not None else []),
                ]
            )
            message = (
                f"column '{column}' = {{}} is outside the plausible range [{low}, {high}]: "
                "a negative or absurd value (a wrong unit or a typo)"
            )
            whens.append(f"when {outside} then format({sql_string(message)}, {column})")
        elif expectation.kind == "ExpectColumnPairValuesAToBeGreaterThanB":
            later, earlier = kwargs["column_A"], kwargs["column_B"]
            operator = "<" if kwargs.get("or_equal") else "<="
            message = f"column '{later}' = {{}} is before column '{earlier}' = {{}}"
            whens.append(
                f"when {later} {operator} {earlier} then format({sql_string(message)}, {later}, {earlier})"
            )
    return f"case {' '.join(whens)} end" if whens else "null::varchar"


def _repeated_keys(source: BulkSource) -> str:
    """The rows sharing a key (with reasons): an identical repeat is set aside and the first kept;
    rows that disagree are all set aside, since nothing says which is right. Grouping by one 64-bit
    hash is cheaper than by the key; collisions are re-checked."""
    key = source.key
    content = ", ".join(column.name for column in source.columns)
    where = "_source_file || ':' || line"
    candidates = (
        f"select rowid as _rowid, _source_file, {key} as _key, hash({content}) as _content "
        f"from {source.target} where hash({key}) in "
        f"(select hash({key}) from {source.target} group by 1 having count(*) > 1)"
    )
    conflicting = (
        f"'conflicting rows for key ({key}={{}}) on lines {{}}: none kept; "
        "keep one row per key in the file and re-run'"
    )
    repeat = f"'duplicate key ({key}={{}}): a repeat of line {{}}, which was kept'"
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
        select lined._rowid, lined._source_file,
            case
                when keys.variants > 1 then format({conflicting}, lined._key, keys.every_where)
                when lined._rowid <> keys.first_rowid then format({repeat}, lined._key, keys.first_where)
            end as reason
        from lined join keys using (_key)
    """
