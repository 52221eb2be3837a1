"""`meta.fetch_log`: one row per fetch attempt, and what the next attempt needs from it (the
validators for a conditional request, the URLs of documents already downloaded).

The log is its own DuckDB file beside the warehouse (`fetch_log.duckdb`; `CHIPWATCH_FETCH_LOG`
moves it): a fetch never waits for a build's hold on the warehouse, nor a build for a slow
download, and `chipwatch status` can read it while a build runs.
"""

import os
from contextlib import contextmanager
from dataclasses import astuple, dataclass, fields
from datetime import datetime
from pathlib import Path

import duckdb
from tenacity import retry, retry_if_exception_type, stop_after_delay, wait_exponential

from ingestion.backend import without_progress_bar
from ingestion.paths import warehouse_path

FETCH_LOG = "meta.fetch_log"
FETCH_LOG_DDL = f"""
create table if not exists {FETCH_LOG} (
    fetch_run varchar not null,
    source varchar not null,
    url varchar not null,
    attempted_at timestamptz not null,
    http_status integer,
    bytes bigint,
    sha256 varchar,
    etag varchar,
    last_modified varchar,
    file_written varchar,
    outcome varchar not null,
    detail varchar
)
"""
# Outcomes that leave the inbox as it was without a fault.
QUIET_OUTCOMES = ("not_modified", "unchanged", "not_published")
# More pages than CHIPWATCH_FETCH_MAX_PAGES: the pages up to the cap are kept, the rest not asked for.
PAGE_CAP = "page_cap"
FINE_OUTCOMES = ("downloaded", "listed", PAGE_CAP, *QUIET_OUTCOMES)
FINE_OUTCOMES_SQL = ", ".join(f"'{outcome}'" for outcome in FINE_OUTCOMES)


@dataclass(frozen=True)
class Attempt:
    fetch_run: str
    source: str
    url: str
    attempted_at: datetime
    http_status: int | None
    bytes: int | None
    sha256: str | None
    etag: str | None
    last_modified: str | None
    file_written: str | None
    outcome: str  # downloaded, unchanged, not_modified, not_published, refused, too_large, ...
    detail: str | None


@dataclass(frozen=True)
class History:
    """Per URL of a source: the validators of its last good answer, the hash of its body, and the
    file its last download was kept as (a URL never downloaded has none)."""

    validators: dict[str, tuple[str | None, str | None]]
    sha256: dict[str, str]
    files: dict[str, str]


def fetch_log_path() -> Path:
    configured = os.environ.get("CHIPWATCH_FETCH_LOG")
    return Path(configured).resolve() if configured else warehouse_path().parent / "fetch_log.duckdb"


# Another fetch (a schedule and `make fetch` at once) holds the file for a moment: wait it out.
@retry(
    retry=retry_if_exception_type(duckdb.IOException),
    wait=wait_exponential(multiplier=0.2, max=5),
    stop=stop_after_delay(60),
    reraise=True,
)
def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    return without_progress_bar(duckdb.connect(str(path), read_only=read_only))


@contextmanager
def _log(path: Path, read_only: bool = False):
    with _open(path, read_only) as con:
        if not read_only:
            con.execute("create schema if not exists meta")
            con.execute(FETCH_LOG_DDL)
        yield con


def record(path: Path, attempts: list[Attempt]) -> None:
    if not attempts:
        return
    with _log(path) as con:
        placeholders = ", ".join("?" for _ in fields(Attempt))
        con.executemany(f"insert into {FETCH_LOG} values ({placeholders})", [astuple(a) for a in attempts])


def _latest(con: duckdb.DuckDBPyConnection, source: str, columns: str, where: str) -> list[tuple]:
    """Per URL of `source`: the url and `columns` of its newest attempt that matches `where`."""
    return con.execute(
        f"select url, {columns} from {FETCH_LOG} where source = ? and {where} "
        "qualify row_number() over (partition by url order by attempted_at desc) = 1",
        [source],
    ).fetchall()


def history(path: Path, source: str) -> History:
    """What earlier attempts of `source` learned; empty when there is no log yet."""
    if not path.exists():
        return History({}, {}, {})
    with _log(path, read_only=True) as con:
        validators = _latest(
            con,
            source,
            "etag, last_modified",
            "http_status in (200, 304) and outcome in ('downloaded', 'unchanged', 'not_modified')",
        )
        hashes = _latest(
            con, source, "sha256", "sha256 is not null and outcome in ('downloaded', 'unchanged')"
        )
        files = _latest(con, source, "file_written", "outcome = 'downloaded'")
    return History(
        {url: (etag, last_modified) for url, etag, last_modified in validators}, dict(hashes), dict(files)
    )


def last_fetch_lines(path: Path | None = None) -> list[str]:
    """For `chipwatch status`: per source, its last fetch run: when, each outcome, files written,
    and the reason of every failed attempt."""
    path = path or fetch_log_path()
    if not path.exists():
        return ["", "Fetches: none yet (`make fetch`, or the schedules with CHIPWATCH_FETCH=1)"]
    try:
        with _log(path, read_only=True) as con:
            rows = con.execute(
                f"""
                with last_run as (
                    select source, fetch_run from {FETCH_LOG}
                    qualify row_number() over (partition by source order by attempted_at desc) = 1
                )
                select log.source, max(log.attempted_at) at time zone 'UTC' as at,
                       string_agg(distinct log.outcome, ', ' order by log.outcome) as outcomes,
                       count(log.file_written) as files,
                       string_agg(log.file_written, ', ' order by log.file_written) as written,
                       string_agg(case when log.outcome not in ({FINE_OUTCOMES_SQL}, 'not_configured')
                                       then log.outcome || ' ' || log.url || ': ' || coalesce(log.detail, '')
                                  end, '; ') as problems
                from {FETCH_LOG} as log inner join last_run using (source, fetch_run)
                group by log.source order by log.source
                """
            ).fetchall()
    except duckdb.Error as error:
        return ["", f"Fetches: the fetch log {path} cannot be read ({type(error).__name__}: {error})"]
    lines = ["", "Last fetch per source (meta.fetch_log):"]
    for source, at, outcomes, files, written, problems in rows:
        lines.append(f"  {source:<22} {at:%Y-%m-%d %H:%M} UTC  {outcomes}; {files} file(s) written")
        if written:
            lines.append(f"    wrote: {written}")
        if problems:
            lines.append(f"    FAILED: {problems}")
        if PAGE_CAP in outcomes:
            lines.append(
                "    more pages than CHIPWATCH_FETCH_MAX_PAGES: the pages after the cap were not requested"
            )
        if "not_configured" in outcomes:
            lines.append("    not fetched: a setting it needs is missing (see `make fetch`'s warning)")
    return lines
