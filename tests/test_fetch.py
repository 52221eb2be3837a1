"""The fetchers against a real HTTP server on 127.0.0.1 serving real files: each source once,
nothing the second time, and every failure leaving the inbox as it was with a line in the log.
No test here touches an outside address."""

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import record_publish, require_shared_data
from dagster import DagsterInstance
from loopback_http import LoopbackServer, Route
from publishers import (
    INBOX,
    NVIDIA_CIK,
    SEC_DATA,
    TODAY,
    federal_register_pages,
    publisher_routes,
)

from ingestion.fetch.log import last_fetch_lines
from ingestion.fetch.run import Fetcher, Settings, fetch_sources, report
from ingestion.fetch.sources import (
    CHIP_COUNT_FILES,
    FETCH_SOURCES,
    federal_register_query,
    last_completed_nvidia_quarter,
    nvidia_candidate_paths,
)
from orchestration.changes import watched_sources, what_changed

FAST = Settings(timeout=2.0, retries=2, backoff=0.0)


@pytest.fixture
def env(tmp_path, monkeypatch):
    """An inbox holding NVIDIA's Q4 FY25 PDF only, every source pointed at a loopback server."""
    require_shared_data(SEC_DATA)
    inbox = tmp_path / "inbox"
    (inbox / "nvidia_revenue").mkdir(parents=True)
    shutil.copy(INBOX / "nvidia_revenue" / "Rev_by_Mkt_Qtrly_Trend_Q425.pdf", inbox / "nvidia_revenue")
    monkeypatch.setenv("CHIPWATCH_INBOX", str(inbox))
    monkeypatch.setenv("CHIPWATCH_FETCH_LOG", str(tmp_path / "fetch_log.duckdb"))
    monkeypatch.setenv("CHIPWATCH_SEC_USER_AGENT", "chipwatch tests tests@example.org")
    with LoopbackServer(publisher_routes()) as server:
        for source in FETCH_SOURCES.values():
            monkeypatch.setenv(source.base_url_setting, server.url)
        yield inbox, server, tmp_path / "fetch_log.duckdb"


def fetch(names=None, settings=FAST, today=TODAY):
    results = fetch_sources(names, Fetcher(settings, today=today))
    return {r.source: r for r in results}


def inbox_files(inbox: Path) -> dict[str, list[str]]:
    return {
        folder.name: sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
        for folder in sorted(inbox.iterdir())
    }


def log_rows(log: Path) -> list[dict]:
    with duckdb.connect(str(log), read_only=True) as con:
        cursor = con.execute("select * from meta.fetch_log order by attempted_at")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_every_source_is_fetched_once_and_a_second_fetch_downloads_nothing(env):
    inbox, server, log = env
    first = fetch()
    lines, ok = report(list(first.values()))
    assert ok, lines
    stamp = TODAY.isoformat()
    files = inbox_files(inbox)
    assert files["epoch_ml_hardware"] == [f"epoch_ml_hardware_{stamp}.csv"]
    assert files["epoch_gpu_clusters"] == [f"epoch_gpu_clusters_{stamp}.csv"]
    assert files["epoch_ai_chip_counts"] == sorted(f"{Path(p).name}_{stamp}.csv" for p in CHIP_COUNT_FILES)
    assert files["nvidia_revenue"] == [
        "Rev_by_Mkt_Qtrly_Trend_Q126_2025-08-20.pdf",
        "Rev_by_Mkt_Qtrly_Trend_Q425.pdf",
    ]
    assert files["sec_filings"] == [f"nvda-20250126-10k_{stamp}.htm", f"nvda-20250727-10q_{stamp}.htm"]
    assert files["fx_rates"] == [f"fred_EXCHUS_{stamp}.csv", f"fred_EXHKUS_{stamp}.csv"]
    assert files["federal_register"] == [f"federal_register_page1_{stamp}.json"]
    # Bytes as served: the same file.
    saved = inbox / "sec_filings" / f"nvda-20250126-10k_{stamp}.htm"
    assert saved.read_bytes() == (SEC_DATA / "nvda-20250126-10k.htm").read_bytes()
    # NVIDIA: FY26 Q2 is not out (every address a 404), FY26 Q1 found at its second address.
    nvidia = [(a.url.removeprefix(server.url + "/"), a.outcome) for a in first["nvidia_revenue"].attempts]
    q226 = [(path, "not_published") for path in nvidia_candidate_paths(2026, 2)]
    assert nvidia == q226 + [
        (nvidia_candidate_paths(2026, 1)[0], "not_published"),
        (nvidia_candidate_paths(2026, 1)[1], "downloaded"),
    ]
    # The SEC saw the contact as User-Agent; the 8-K was not requested.
    sec_requests = [
        headers for path, headers in server.requests if "/Archives/" in path or "/submissions/" in path
    ]
    assert {headers["User-Agent"] for headers in sec_requests} == {"chipwatch tests tests@example.org"}
    assert not any("20250827" in path for path in server.paths_requested())
    # The Federal Register query is the documented one.
    assert any(path == "/" + federal_register_query() for path in server.paths_requested())

    served_before = len(server.requests)
    second = fetch()
    assert inbox_files(inbox) == files, "a second fetch wrote a file"
    outcomes = {source: {a.outcome for a in result.attempts} for source, result in second.items()}
    assert outcomes["epoch_ml_hardware"] == {"not_modified"}  # conditional request, 304
    assert outcomes["fx_rates"] == {"unchanged"}  # no ETag: same sha256
    assert outcomes["nvidia_revenue"] == {"not_published"}  # only FY26 Q2 is asked for now
    assert outcomes["sec_filings"] == {"listed"}  # filings already held are not requested again
    second_requests = [path for path, _ in server.requests[served_before:]]
    assert not any("/Archives/" in path for path in second_requests)
    etag_requests = [h for p, h in server.requests[served_before:] if p == "/data/ml_hardware.csv"]
    assert etag_requests[0]["If-None-Match"] == server.routes["/data/ml_hardware.csv"].etag

    rows = log_rows(log)
    assert {row["source"] for row in rows} == set(FETCH_SOURCES)
    downloaded = [row for row in rows if row["outcome"] == "downloaded"]
    assert all(
        row["http_status"] == 200 and len(row["sha256"]) == 64 and row["bytes"] > 0 for row in downloaded
    )
    assert len(downloaded) == sum(len(names) for names in files.values()) - 1  # Q425 was there before
    status = "\n".join(last_fetch_lines(log))
    assert "epoch_ml_hardware" in status and "not_modified" in status and "FAILED" not in status


def test_a_paged_federal_register_answer_keeps_every_page_and_requests_each_conditionally(env):
    inbox, server, log = env
    for path, body in federal_register_pages().items():
        server.routes[path] = Route.of_bytes(body, "application/json")
    result = fetch(["federal_register"])["federal_register"]
    assert result.written == [f"federal_register_page1_{TODAY}.json", f"federal_register_page2_{TODAY}.json"]
    # The second page came from this server, not from the host `next_page_url` names.
    assert [a.url.removeprefix(server.url) for a in result.attempts] == list(federal_register_pages())
    for path, body in federal_register_pages().items():
        kept = inbox / "federal_register" / f"federal_register_page{1 + path.endswith('page=2')}_{TODAY}.json"
        assert kept.read_bytes() == body

    again = fetch(["federal_register"])["federal_register"]
    assert [a.outcome for a in again.attempts] == ["not_modified", "not_modified"]
    assert again.written == []
    [page_two] = [h for p, h in server.requests if p.endswith("&page=2")][1:]
    assert page_two["If-None-Match"] == server.routes["/" + federal_register_query() + "&page=2"].etag

    capped = fetch(["federal_register"], Settings(timeout=2.0, retries=0, backoff=0.0, max_pages=1))
    outcomes = [a.outcome for a in capped["federal_register"].attempts]
    assert outcomes == ["not_modified", "page_cap"]
    lines, ok = report(list(capped.values()))
    assert ok, lines
    status = "\n".join(last_fetch_lines(log))
    assert "not_modified, page_cap" in status and "FAILED" not in status
    assert "more pages than CHIPWATCH_FETCH_MAX_PAGES" in status


def test_a_500_then_success_is_retried_by_the_library(env):
    inbox, server, log = env
    server.routes["/data/gpu_clusters.csv"].fail_first = 2
    result = fetch(["epoch_gpu_clusters"])["epoch_gpu_clusters"]
    assert [a.outcome for a in result.attempts] == ["downloaded"]
    assert server.paths_requested().count("/data/gpu_clusters.csv") == 3


@pytest.mark.parametrize(
    ("source", "break_it", "outcome"),
    [
        (
            "epoch_gpu_clusters",
            lambda routes: setattr(routes["/data/gpu_clusters.csv"], "fail_first", 99),
            "http_error",
        ),
        (
            "epoch_ml_hardware",
            lambda routes: setattr(routes["/data/ml_hardware.csv"], "delay", 1.5),
            "timeout",
        ),
        ("fx_rates", lambda routes: None, "too_large"),
        (
            "nvidia_revenue",
            lambda routes: setattr(
                routes["/" + nvidia_candidate_paths(2026, 1)[1]],
                "body",
                b"<!DOCTYPE html><html><body>Access denied</body></html>",
            ),
            "refused",
        ),
        (
            "federal_register",
            lambda routes: setattr(routes["/api/v1/documents.json"], "body", b'{"results": [tru'),
            "refused",
        ),
        (
            "sec_filings",
            lambda routes: setattr(routes[f"/submissions/CIK{NVIDIA_CIK}.json"], "fail_first", 99),
            "http_error",
        ),
    ],
    ids=[
        "500-every-time",
        "slow-past-timeout",
        "oversized",
        "html-where-a-pdf-belongs",
        "broken-json",
        "edgar-index-down",
    ],
)
def test_a_failed_fetch_leaves_the_inbox_as_it_was_and_says_so(env, source, break_it, outcome):
    inbox, server, log = env
    break_it(server.routes)
    before = inbox_files(inbox)
    settings = Settings(timeout=0.5, retries=1, backoff=0.0, max_bytes=64 if outcome == "too_large" else None)
    with DagsterInstance.ephemeral() as instance:
        serving = inbox.parent / "serving.duckdb"
        record_publish(instance, serving, watched_sources())
        result = fetch([source], settings)[source]
        # Nothing for `make run` or the inbox sensor to load: the warehouse stays as it was.
        changes = what_changed(instance, watched_sources(), serving)
    assert not changes.everything and changes.sources == {}
    assert outcome in {a.outcome for a in result.attempts}
    assert inbox_files(inbox) == before
    lines, ok = report([result])
    assert not ok
    status = "\n".join(last_fetch_lines(log))
    assert f"FAILED: {outcome}" in status, status


def test_a_quarter_not_published_yet_is_no_failure_and_status_says_what_was_asked(env):
    inbox, server, log = env
    del server.routes["/" + nvidia_candidate_paths(2026, 1)[1]]  # FY26 Q1 not out either: 404s only
    before = inbox_files(inbox)
    result = fetch(["nvidia_revenue"])["nvidia_revenue"]
    assert {a.outcome for a in result.attempts} == {"not_published"}
    assert inbox_files(inbox) == before
    lines, ok = report([result])
    assert ok and lines == [f"nvidia_revenue: {len(result.attempts)} not_published"]
    status = "\n".join(last_fetch_lines(log))
    assert "nvidia_revenue" in status and "not_published; 0 file(s) written" in status
    assert "FAILED" not in status


def test_no_network_fails_fast_with_one_warning(env, monkeypatch):
    import socket

    inbox, server, log = env
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    for source in FETCH_SOURCES.values():
        monkeypatch.setenv(source.base_url_setting, closed)
    results = fetch(settings=Settings(timeout=1.0, retries=1, backoff=0.0))
    lines, ok = report(list(results.values()))
    assert not ok
    warnings = [line for line in lines if line.startswith("WARNING")]
    assert len(warnings) == 1 and "no network" in warnings[0]
    # One attempt per source: the first unreachable address stops the source.
    assert all(len(r.attempts) == 1 for r in results.values())
    assert inbox_files(inbox) == {"nvidia_revenue": ["Rev_by_Mkt_Qtrly_Trend_Q425.pdf"]}


def test_edgar_is_not_fetched_without_a_user_agent(env, monkeypatch):
    inbox, server, log = env
    monkeypatch.delenv("CHIPWATCH_SEC_USER_AGENT")
    result = fetch(["sec_filings"])["sec_filings"]
    assert [a.outcome for a in result.attempts] == ["not_configured"]
    assert "CHIPWATCH_SEC_USER_AGENT" in result.attempts[0].detail
    assert server.requests == []
    lines, _ = report([result])
    assert any(line.startswith("WARNING sec_filings not fetched") for line in lines)
    assert "not fetched: a setting it needs is missing" in "\n".join(last_fetch_lines(log))


def test_a_new_release_is_kept_beside_the_old_one_under_its_own_name(env):
    inbox, server, log = env
    fetch(["fx_rates"])
    route = server.routes["/graph/fredgraph.csv?id=EXCHUS"]
    route.body = route.body + b"\n"  # republished: other bytes
    result = fetch(["fx_rates"])["fx_rates"]
    assert result.written == [f"fred_EXCHUS_{TODAY}_2.csv"]
    assert len(inbox_files(inbox)["fx_rates"]) == 3


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2025, 1, 10), (2025, 3)),
        (date(2025, 2, 1), (2025, 4)),
        (date(2025, 5, 30), (2026, 1)),
        (date(2025, 8, 20), (2026, 2)),
        (date(2025, 12, 1), (2026, 3)),
    ],
)
def test_the_last_completed_nvidia_fiscal_quarter(today, expected):
    assert last_completed_nvidia_quarter(today) == expected


def test_chipwatch_status_shows_the_last_fetch_of_each_source(env, tmp_path, capsys, monkeypatch):
    from serving.cli import main

    inbox, server, log = env
    server.routes["/data/ml_hardware.csv"].body = b"<html><body>Service unavailable</body></html>"
    fetch(["epoch_ml_hardware", "fx_rates"])
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "no_dagster_home"))
    main(["status", "--serving", str(tmp_path / "no_serving.duckdb")])
    out = capsys.readouterr().out
    assert "Last fetch per source (meta.fetch_log):" in out
    assert "FAILED: refused " + server.url + "/data/ml_hardware.csv: an HTML page" in out
    assert f"wrote: fred_EXCHUS_{TODAY}.csv, fred_EXHKUS_{TODAY}.csv" in out
