"""The publishers the fetch tests stand in for: every source's real files at the paths its
publisher serves them from, for a loopback HTTP server (tests/loopback_http.py)."""

import json
from datetime import date
from pathlib import Path

from conftest import PROJECT_ROOT, SHARED_DATA
from loopback_http import Route

from ingestion.fetch.sources import CHIP_COUNT_FILES, federal_register_query, nvidia_candidate_paths

INBOX = PROJECT_ROOT / "data" / "inbox"
CORPUS = Path(__file__).parent / "fetch_fixtures"
SEC_DATA = SHARED_DATA / "sec"
# NVIDIA: on this day FY26 Q2 (May to July 2025) has ended but its PDF is not out yet.
TODAY = date(2025, 8, 20)
NVIDIA_CIK = "0001045810"
SEC_DOCUMENTS = {  # accession number -> (form, primary document, file served)
    "0001045810-25-000209": ("10-Q", "nvda-20250727.htm", "nvda-20250727-10q.htm"),
    "0001045810-25-000023": ("10-K", "nvda-20250126.htm", "nvda-20250126-10k.htm"),
}


def federal_register_pages() -> dict[str, bytes]:
    """The fixture's answer split into two pages of two as the API pages it (`per_page`, `page`,
    and `next_page_url` on every page but the last), by request path. The second page repeats the
    first page's last document, as when a document is published between the two requests."""
    answer = json.loads((CORPUS / "federal_register_documents.json").read_bytes())
    first, second = "/" + federal_register_query(), "/" + federal_register_query() + "&page=2"
    results = answer["results"]
    pages = {
        first: {
            **answer,
            "total_pages": 2,
            "next_page_url": "https://www.federalregister.gov" + second,
            "results": results[:2],
        },
        second: {**answer, "total_pages": 2, "results": results[1:]},
    }
    return {path: json.dumps(page).encode() for path, page in pages.items()}


def submissions() -> dict:
    """A submissions document in the shape of https://data.sec.gov/submissions/CIK##########.json
    (`filings.recent`: one array per field, newest first), an 8-K among the filings."""
    filings = [
        ("0001045810-25-000230", "8-K", "nvda-20250827.htm", "2025-08-27"),
        ("0001045810-25-000209", "10-Q", "nvda-20250727.htm", "2025-08-27"),
        ("0001045810-25-000023", "10-K", "nvda-20250126.htm", "2025-02-26"),
    ]
    return {
        "cik": NVIDIA_CIK.lstrip("0"),
        "name": "NVIDIA CORP",
        "filings": {
            "recent": {
                "accessionNumber": [f[0] for f in filings],
                "form": [f[1] for f in filings],
                "primaryDocument": [f[2] for f in filings],
                "filingDate": [f[3] for f in filings],
            },
            "files": [],
        },
    }


def publisher_routes() -> dict[str, Route]:
    """Every source's files at the paths its publisher uses, served from the repo and ../shared/data."""
    routes = {
        "/data/ml_hardware.csv": Route.of_file(
            INBOX / "epoch_ml_hardware" / "epoch_ml_hardware_2025-11.csv", "text/csv"
        ),
        "/data/gpu_clusters.csv": Route.of_file(
            INBOX / "epoch_gpu_clusters" / "epoch_gpu_clusters.csv", "text/csv"
        ),
        # FRED sends no ETag here: the content hash is what finds the download unchanged.
        "/graph/fredgraph.csv?id=EXCHUS": Route.of_file(CORPUS / "fred_EXCHUS.csv", "text/csv", etag=False),
        "/graph/fredgraph.csv?id=EXHKUS": Route.of_file(CORPUS / "fred_EXHKUS.csv", "text/csv", etag=False),
        "/api/v1/documents.json": Route.of_file(
            CORPUS / "federal_register_documents.json", "application/json"
        ),
        # FY26 Q1 was published under its second known address.
        "/" + nvidia_candidate_paths(2026, 1)[1]: Route.of_file(
            INBOX / "nvidia_revenue" / "Rev_by_Mkt_Qtrly_Trend_Q126.pdf", "application/pdf"
        ),
        f"/submissions/CIK{NVIDIA_CIK}.json": Route(json.dumps(submissions()).encode(), "application/json"),
    }
    # The by-chip exports' first rows (fetch_fixtures), the owner exports as the inbox ships them.
    for path in CHIP_COUNT_FILES:
        name = Path(path).name
        served = CORPUS / "ai_chip_counts" / f"{name}.csv"
        served = served if served.exists() else INBOX / "epoch_ai_chip_counts" / f"{name}.csv"
        routes[f"/{path}.csv"] = Route.of_file(served, "text/csv")
    for accession, (_, document, served) in SEC_DOCUMENTS.items():
        path = f"/Archives/edgar/data/1045810/{accession.replace('-', '')}/{document}"
        routes[path] = Route.of_file(SEC_DATA / served, "text/html", etag=False)
    return routes
