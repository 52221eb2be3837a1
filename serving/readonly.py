"""Running a user's SQL so that only queries can happen, on either back end.

DuckDB itself enforces it: every connection that runs user SQL is read-only, has no file or
network access (only the paths the back end needs are allowed), loads and installs no
extension, and has its configuration locked, all before the user's SQL is parsed. The
statement check in front of it is a second layer that gives a clear message: it splits and
parses the SQL on that same restricted connection, with DuckDB's own tokenizer, so every
string form (`'...'`, `E'...'`, `$$...$$`) and nested comments are understood.
"""

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion.backend import (
    LAKE,
    MEMORY_LIMIT,
    attached_lake,
    ducklake_attach_sql,
    ducklake_data_path,
    without_progress_bar,
)

# The statement types `chipwatch sql` runs. DESCRIBE, SHOW, SUMMARIZE and FROM-first queries
# parse as SELECT; PIVOT parses as a CREATE TYPE (its enum, in the temporary catalog) + SELECT.
ALLOWED_TYPES = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}
PIVOT_KEYWORDS = {"PIVOT", "UNPIVOT", "PIVOT_WIDER", "PIVOT_LONGER"}
# DuckDB turns a PRAGMA into the SELECT of its table function: refused by its first keyword.
REFUSED_KEYWORDS = {"PRAGMA"}
REFUSED_NAMES = {
    "LOAD": "INSTALL/LOAD",
    "SET": "SET/USE",
    "COPY": "COPY",
    "COPY_DATABASE": "COPY FROM DATABASE",
    "VARIABLE_SET": "SET VARIABLE",
}
# Functions that reach a database other than DuckDB's own (the DuckLake catalog's PostgreSQL),
# or run SQL handed to them as a string, past the statement check.
REFUSED_FUNCTION_PREFIXES = ("postgres_",)
REFUSED_FUNCTIONS = {"query", "query_table", "json_execute_serialized_sql", "ducklake_add_data_files"}

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_TEMP_LIMIT = "10GiB"


class RefusedStatement(Exception):
    """A statement `chipwatch sql` will not run."""


class QueryTimeout(Exception):
    """A query ran past its time limit and was interrupted."""


def _refusal(kind: str, where: str = "") -> RefusedStatement:
    return RefusedStatement(
        f"chipwatch sql is read-only: {kind} statements are not allowed{where}. "
        "It runs queries (SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, PIVOT, EXPLAIN) on the "
        "serving file; to change the data, change the pipeline; to write files, use `chipwatch export`."
    )


@dataclass(frozen=True)
class Limits:
    timeout_s: float = DEFAULT_TIMEOUT_S
    memory_limit: str | None = None  # None: CHIPWATCH_DUCKDB_MEMORY_LIMIT, else a quarter of the machine
    temp_limit: str = DEFAULT_TEMP_LIMIT


def default_memory_limit() -> str:
    configured = os.environ.get(MEMORY_LIMIT)
    if configured:
        return configured
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(256, total // 4 // 2**20)}MiB"


def _base_config(limits: Limits, temp_directory: Path) -> dict:
    return {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "memory_limit": limits.memory_limit or default_memory_limit(),
        "temp_directory": str(temp_directory),
        "max_temp_directory_size": limits.temp_limit,
    }


def _lock(con: duckdb.DuckDBPyConnection, allowed_directories: list[str]) -> None:
    if allowed_directories:
        con.execute("set allowed_directories = ?", [allowed_directories])
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")


@contextmanager
def restricted_connection(
    serving: Path | None = None,
    warehouse: Path | None = None,
    snapshot: int | None = None,
    limits: Limits = Limits(),
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for user SQL: the serving file, or (with `snapshot`) the DuckLake catalog as of
    that snapshot, attached read-only, then locked. Spill goes to a private folder, removed after."""
    temp_directory = Path(tempfile.mkdtemp(prefix="chipwatch-sql-"))
    try:
        config = _base_config(limits, temp_directory)
        if snapshot is None:
            if serving is None or not serving.exists():
                raise FileNotFoundError(
                    f"no serving file at {serving}: run `make run` (it publishes after a good build) "
                    "or set CHIPWATCH_SERVING"
                )
            con = without_progress_bar(duckdb.connect(str(serving), read_only=True, config=config))
            allowed = [str(temp_directory)]
        else:
            con = attached_lake(ducklake_attach_sql(warehouse, read_only=True, snapshot=snapshot), config)
            con.execute(f"USE {LAKE}")
            allowed = [ducklake_data_path(warehouse), str(temp_directory)]
        with con:
            _lock(con, allowed)
            yield con
    finally:
        shutil.rmtree(temp_directory, ignore_errors=True)


def _statement_texts(sql: str) -> list[str]:
    """The text of each statement, split at the semicolons DuckDB's tokenizer sees as operators."""
    cuts = [
        position
        for position, kind in duckdb.tokenize(sql)
        if kind == duckdb.token_type.operator and sql[position] == ";"
    ]
    starts = [0, *(cut + 1 for cut in cuts)]
    ends = [*cuts, len(sql)]
    return [
        sql[start:end] for start, end in zip(starts, ends, strict=True) if duckdb.tokenize(sql[start:end])
    ]


def _words(text: str) -> list[tuple[duckdb.token_type, str]]:
    tokens = duckdb.tokenize(text)
    ends = [position for position, _ in tokens[1:]] + [len(text)]
    return [(kind, text[position:end].strip()) for (position, kind), end in zip(tokens, ends, strict=True)]


def _called_functions(words: list[tuple[duckdb.token_type, str]]) -> set[str]:
    called = set()
    for (kind, word), (_, following) in zip(words, words[1:], strict=False):
        if kind in (duckdb.token_type.identifier, duckdb.token_type.keyword) and following.startswith("("):
            called.add(word.strip('"').lower())
    return called


def checked_statements(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    """Each statement of `sql`, once it is known to be a query; else `RefusedStatement`.
    Parsing happens on `con`, the restricted connection, so parsing itself reads no file."""
    texts = _statement_texts(sql)
    if not texts:
        raise RefusedStatement("no SQL statement given.")
    for number, text in enumerate(texts, start=1):
        where = f" (statement {number})" if len(texts) > 1 else ""
        words = _words(text)
        first = words[0][1].upper()
        if first in REFUSED_KEYWORDS:
            raise _refusal(first, where)
        try:
            statements = con.extract_statements(text)
        except duckdb.Error as error:
            raise RefusedStatement(f"could not parse the SQL{where}: {error}") from error
        types = {statement.type for statement in statements}
        pivot = first in PIVOT_KEYWORDS and types <= {
            duckdb.StatementType.CREATE,
            duckdb.StatementType.SELECT,
        }
        if not pivot:
            for statement in statements:
                if statement.type not in ALLOWED_TYPES:
                    name = statement.type.name
                    raise _refusal(REFUSED_NAMES.get(name, name.replace("_", " ")), where)
        for function in sorted(_called_functions(words)):
            if function in REFUSED_FUNCTIONS or function.startswith(REFUSED_FUNCTION_PREFIXES):
                raise RefusedStatement(
                    f"chipwatch sql does not run the function {function}(){where}: it reaches another "
                    "database or runs SQL given as a string. Query the tables directly."
                )
    return texts


@contextmanager
def time_limit(con: duckdb.DuckDBPyConnection, seconds: float) -> Iterator[None]:
    """Interrupt whatever `con` runs once `seconds` have passed; `QueryTimeout` then."""
    fired = threading.Event()

    def interrupt() -> None:
        fired.set()
        con.interrupt()

    timer = threading.Timer(seconds, interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    except duckdb.InterruptException as error:
        if fired.is_set():
            raise QueryTimeout(
                f"the query ran longer than its time limit of {seconds:g} s and was stopped "
                "(raise it with --timeout SECONDS)"
            ) from error
        raise
    finally:
        timer.cancel()
