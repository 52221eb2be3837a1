"""Fetch a source once: plan its candidates, request each (conditionally), check the body,
keep a new release under its own dated name in the inbox, and log every attempt.

An unchanged release (304, or a body whose hash the inbox already holds) writes nothing, so the
inbox sensor and `make run` have nothing to load. No network: the source stops at its first
unreachable address, and the caller prints one warning; the build goes on from the inbox.
"""

import hashlib
import json
import os
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

from ingestion.fetch import content
from ingestion.fetch.http import FetchFailed, Response, get, session
from ingestion.fetch.log import FINE_OUTCOMES, PAGE_CAP, Attempt, History, fetch_log_path, history, record
from ingestion.fetch.sources import FETCH_SOURCES, Candidate, FetchContext, FetchSource, sec_user_agent
from ingestion.inbox import inbox_root
from ingestion.warehouse import file_sha256

DEFAULT_USER_AGENT = "chipwatch-fetch/0.1"
ENABLED_SETTING = "CHIPWATCH_FETCH"


@dataclass(frozen=True)
class Settings:
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    max_bytes: int | None = None  # None: each source's own cap
    # Pages of a paged answer (Federal Register): 20 pages of 100 is the API's window of 2,000 documents.
    max_pages: int = 20

    @classmethod
    def from_environment(cls) -> "Settings":
        max_bytes = os.environ.get("CHIPWATCH_FETCH_MAX_BYTES")
        return cls(
            timeout=float(os.environ.get("CHIPWATCH_FETCH_TIMEOUT", cls.timeout)),
            retries=int(os.environ.get("CHIPWATCH_FETCH_RETRIES", cls.retries)),
            backoff=float(os.environ.get("CHIPWATCH_FETCH_BACKOFF", cls.backoff)),
            max_bytes=int(max_bytes) if max_bytes else None,
            max_pages=int(os.environ.get("CHIPWATCH_FETCH_MAX_PAGES", cls.max_pages)),
        )


def fetching_enabled() -> bool:
    """Whether the schedules fetch: `CHIPWATCH_FETCH=1`; off by default (air-gapped installs)."""
    return os.environ.get(ENABLED_SETTING, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass
class SourceResult:
    source: str
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def written(self) -> list[str]:
        return [a.file_written for a in self.attempts if a.file_written]

    @property
    def unreachable(self) -> bool:
        return any(a.outcome in ("unreachable", "timeout") for a in self.attempts)

    @property
    def failures(self) -> list[Attempt]:
        return [a for a in self.attempts if a.outcome not in (*FINE_OUTCOMES, "not_configured")]

    def summary(self) -> str:
        if not self.attempts:
            return f"{self.source}: nothing to request"
        counts = Counter(attempt.outcome for attempt in self.attempts)
        text = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        return f"{self.source}: {text}" + (f" -> {', '.join(self.written)}" if self.written else "")


def dated_path(folder: Path, stem: str, suffix: str, today: date) -> Path:
    """`<stem>_<date><suffix>`, or `_2`, `_3`, ... after it: a download never overwrites a file."""
    path = folder / f"{stem}_{today.isoformat()}{suffix}"
    number = 2
    while path.exists():
        path = folder / f"{stem}_{today.isoformat()}_{number}{suffix}"
        number += 1
    return path


def keep(folder: Path, candidate: Candidate, body: bytes, today: date) -> Path:
    """Write `body` under a new dated name: to a hidden part file first (the inbox ignores hidden
    files), then renamed, so a reader never sees half a download."""
    folder.mkdir(parents=True, exist_ok=True)
    path = dated_path(folder, candidate.file_stem, candidate.suffix, today)
    part = folder / f".{path.name}.part"
    part.write_bytes(body)
    os.replace(part, path)
    return path


def held_hashes(folder: Path) -> set[str]:
    if not folder.is_dir():
        return set()
    return {file_sha256(p) for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}


class Fetcher:
    """Fetches sources into the inbox and logs every attempt to meta.fetch_log."""

    def __init__(
        self,
        settings: Settings | None = None,
        log: Path | None = None,
        inbox: Path | None = None,
        today: date | None = None,
    ):
        self.settings = settings or Settings.from_environment()
        self.log = log or fetch_log_path()
        self.inbox = inbox or inbox_root()
        self.today = today or datetime.now(UTC).date()
        self.fetch_run = uuid.uuid4().hex[:12]

    def fetch(self, source: FetchSource) -> SourceResult:
        result = SourceResult(source.name)
        user_agent = os.environ.get("CHIPWATCH_FETCH_USER_AGENT") or DEFAULT_USER_AGENT
        if source.name == "sec_filings" and sec_user_agent():
            user_agent = sec_user_agent()
        with session(user_agent, self.settings.retries, self.settings.backoff) as http:
            self._fetch_into(http, source, result)
        record(self.log, result.attempts)
        return result

    def _fetch_into(self, http, source: FetchSource, result: SourceResult) -> None:
        folder = self.inbox / source.name
        past = history(self.log, source.name)
        max_bytes = self.settings.max_bytes or source.max_bytes
        context = FetchContext(
            source.base_url(), folder, self.today, lambda url: self._index(http, source, url, result)
        )
        try:
            plan = source.plan(context)
        except FetchFailed as failure:
            result.attempts.append(
                self._attempt(source, failure.url, failure.outcome, failure.detail, failure.status)
            )
            return
        if plan.not_configured:
            result.attempts.append(
                self._attempt(source, source.base_url(), "not_configured", plan.not_configured)
            )
        answered_groups: set[str] = set()
        hashes = held_hashes(folder)
        pending = list(plan.candidates)
        while pending:
            candidate = pending.pop(0)
            if candidate.group in answered_groups:
                continue
            if candidate.immutable and candidate.url in past.files:
                continue
            attempt, body = self._fetch_one(http, source, candidate, past, hashes, folder, max_bytes)
            result.attempts.append(attempt)
            if attempt.file_written:
                hashes.add(attempt.sha256)
            if candidate.group and attempt.outcome != "not_published":
                answered_groups.add(candidate.group)
            if attempt.outcome in ("unreachable", "timeout"):
                break  # the host does not answer: its other addresses would not either
            if candidate.next_page:
                pending[:0] = self._next_page(source, candidate, attempt, body, folder, past, result)

    def _next_page(
        self,
        source: FetchSource,
        candidate: Candidate,
        attempt: Attempt,
        body: bytes | None,
        folder: Path,
        past: History,
        result: SourceResult,
    ) -> list[Candidate]:
        """The next page of a paged answer, up to `max_pages`; a page answered 304 is read from the
        copy the inbox holds, so every page is requested conditionally."""
        if attempt.outcome == "not_modified" and candidate.url in past.files:
            held = folder / past.files[candidate.url]
            body = held.read_bytes() if held.is_file() else None
        if attempt.outcome not in ("downloaded", "unchanged", "not_modified") or body is None:
            return []
        following = candidate.next_page(body)
        if following is None:
            return []
        if following.page > self.settings.max_pages:
            detail = (
                f"the answer has more than {self.settings.max_pages} pages: the rest is not requested "
                "(CHIPWATCH_FETCH_MAX_PAGES raises the cap)"
            )
            result.attempts.append(self._attempt(source, following.url, PAGE_CAP, detail))
            return []
        return [following]

    def _index(self, http, source: FetchSource, url: str, result: SourceResult) -> object:
        """GET a JSON index (SEC submissions): logged, never kept in the inbox."""
        try:
            response = get(http, url, self.settings.timeout, self.settings.max_bytes or source.max_bytes)
        except FetchFailed as failure:
            raise FetchFailed(failure.outcome, failure.detail, failure.status, url) from failure
        if response.status != 200:
            raise FetchFailed("http_error", f"HTTP {response.status}", response.status, url)
        try:
            document = json.loads(response.body)
        except ValueError as error:
            raise FetchFailed("refused", f"index does not parse as JSON: {error}", 200, url) from error
        result.attempts.append(
            self._attempt(source, url, "listed", None, response.status, response, _sha(response.body))
        )
        return document

    def _fetch_one(
        self,
        http,
        source: FetchSource,
        candidate: Candidate,
        past: History,
        hashes: set[str],
        folder: Path,
        max_bytes: int,
    ) -> tuple[Attempt, bytes | None]:
        etag, last_modified = past.validators.get(candidate.url, (None, None))
        attempt = partial(self._attempt, source, candidate.url)
        try:
            response = get(http, candidate.url, self.settings.timeout, max_bytes, etag, last_modified)
        except FetchFailed as failure:
            return attempt(failure.outcome, failure.detail, failure.status), None
        if response.status == 304:
            response = Response(
                response.url, 304, b"", response.etag or etag, response.last_modified or last_modified
            )
            return attempt("not_modified", None, 304, response), None
        # CDNs answer a file not uploaded yet with 404, or 403 when listing is forbidden.
        if response.status in (403, 404) and candidate.missing_ok:
            return attempt("not_published", None, response.status), None
        if response.status != 200:
            return attempt("http_error", f"HTTP {response.status}", response.status), None
        sha = _sha(response.body)
        try:
            content.check(source.kind, response.body)
        except content.ContentRefused as refusal:
            return attempt("refused", str(refusal), 200, response, sha, kept=False), None
        if sha in hashes or past.sha256.get(candidate.url) == sha:
            return attempt("unchanged", "content already held", 200, response, sha), response.body
        path = keep(folder, candidate, response.body, self.today)
        return attempt("downloaded", None, 200, response, sha, written=path.name), response.body

    def _attempt(
        self,
        source: FetchSource,
        url: str,
        outcome: str,
        detail: str | None,
        status: int | None = None,
        response: Response | None = None,
        sha: str | None = None,
        written: str | None = None,
        kept: bool = True,
    ) -> Attempt:
        return Attempt(
            self.fetch_run,
            source.name,
            url,
            datetime.now(UTC),
            status,
            len(response.body) if response and response.status == 200 else None,
            sha,
            response.etag if response and kept else None,
            response.last_modified if response and kept else None,
            written,
            outcome,
            detail,
        )


def _sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def fetch_sources(names: list[str] | None = None, fetcher: Fetcher | None = None) -> list[SourceResult]:
    """Fetch the named sources (all when none) once each."""
    unknown = sorted(set(names or ()) - set(FETCH_SOURCES))
    if unknown:
        raise ValueError(f"unknown source(s) {', '.join(unknown)}: choose from {', '.join(FETCH_SOURCES)}")
    fetcher = fetcher or Fetcher()
    return [fetcher.fetch(FETCH_SOURCES[name]) for name in (names or FETCH_SOURCES)]


def report(results: list[SourceResult]) -> tuple[list[str], bool]:
    """Lines to print, and whether every source answered: one warning covers every unreachable source."""
    lines = [result.summary() for result in results]
    unreachable = [r.source for r in results if r.unreachable]
    if unreachable:
        lines.append(
            f"WARNING: no answer from {', '.join(unreachable)} (no network, or the site is down): "
            "nothing was downloaded from them; `make run` builds from what the inbox holds."
        )
    for result in results:
        for attempt in result.attempts:
            if attempt.outcome == "not_configured":
                lines.append(f"WARNING {result.source} not fetched: {attempt.detail}")
        for failure in result.failures:
            if failure.outcome not in ("unreachable", "timeout"):
                lines.append(f"FAILED {result.source} {failure.outcome}: {failure.url}: {failure.detail}")
    return lines, not any(r.failures for r in results)
