"""The sources fetched, each with a stable public address: what to request and where it lands.

Each source's base URL is one setting, `CHIPWATCH_FETCH_<SOURCE>_URL` (scheme, host and an
optional path prefix), so a mirror or a test server on the loopback interface can stand in.
"""

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from urllib.parse import urlencode, urlsplit

MB = 1 << 20


@dataclass(frozen=True)
class Candidate:
    """One file to request. Candidates sharing a `group` are alternative addresses of one
    release, tried in order until one answers."""

    url: str
    file_stem: str  # the download is kept as <file_stem>_<fetch date><suffix>
    suffix: str
    immutable: bool = False  # a published document that never changes: requested once
    missing_ok: bool = False  # a 404 (or 403) means "not published yet", not a fault
    group: str | None = None
    # A paged answer: the candidate of the next page, read from this page's body (None: the last).
    next_page: Callable[[bytes], "Candidate | None"] | None = None
    page: int = 1


@dataclass(frozen=True)
class Plan:
    """What a source asks for: its candidates, or why it cannot ask (`not_configured`)."""

    candidates: list[Candidate]
    not_configured: str | None = None  # a setting the source needs is missing: nothing requested


class FetchContext:
    """What a source's planner may use: its base URL, its inbox folder, today, and a way to
    GET an index document (JSON) through the fetcher's session."""

    def __init__(self, base_url: str, folder: Path, today: date, get_json: Callable[[str], object]):
        self.base_url = base_url.rstrip("/")
        self.folder = folder
        self.today = today
        self.get_json = get_json


@dataclass(frozen=True)
class FetchSource:
    name: str  # also the inbox folder
    default_base_url: str
    kind: str  # content check: csv, pdf, json, inline_xbrl
    max_bytes: int
    cadence: str
    description: str
    plan: Callable[[FetchContext], Plan]

    @property
    def base_url_setting(self) -> str:
        return f"CHIPWATCH_FETCH_{self.name.upper()}_URL"

    def base_url(self) -> str:
        return os.environ.get(self.base_url_setting) or self.default_base_url


def _files(*paths_and_stems: tuple[str, str]) -> Callable[[FetchContext], Plan]:
    def plan(context: FetchContext) -> Plan:
        return Plan(
            [
                Candidate(f"{context.base_url}/{path}", stem, Path(path.split("?")[0]).suffix or ".csv")
                for path, stem in paths_and_stems
            ]
        )

    return plan


# --- NVIDIA "Revenue by Market": one PDF per fiscal quarter, at one of a few known addresses.

NVIDIA_QUARTER_IN_NAME = re.compile(r"Q([1-4])(\d{2})")
NVIDIA_LOOKBACK_QUARTERS = 8


def nvidia_quarter_code(fiscal_year: int, quarter: int) -> str:
    return f"Q{quarter}{fiscal_year % 100:02d}"


def nvidia_candidate_paths(fiscal_year: int, quarter: int) -> list[str]:
    """The addresses NVIDIA's investor-relations CDN has used for the PDF, most recent usage first."""
    code = nvidia_quarter_code(fiscal_year, quarter)
    fy = f"Q{quarter}FY{fiscal_year % 100:02d}"
    return [
        f"{fiscal_year}/{code}/Rev_by_Mkt_Qtrly_Trend_{code}.pdf",
        f"{fiscal_year}/{code}/{code}-NVDA-Quarterly-Revenue-Trend.pdf",
        f"{fiscal_year}/Rev_by_Mkt_Qtrly_Trend_{code}.pdf",
        f"{fiscal_year}/{fy}/Rev_by_Mkt_Qtrly_Trend_{code}.pdf",
        f"{fy}/Rev_by_Mkt_Qtrly_Trend_{code}.pdf",
    ]


def last_completed_nvidia_quarter(today: date) -> tuple[int, int]:
    """(fiscal year, quarter) of the latest quarter that has ended: NVIDIA's fiscal year ends in
    late January, Q1 is February to April, Q2 May to July, Q3 August to October."""
    month, year = today.month, today.year
    if month == 1:
        return year, 3
    if month <= 4:
        return year, 4
    return year + 1, (month - 2) // 3


def previous_quarter(fiscal_year: int, quarter: int) -> tuple[int, int]:
    return (fiscal_year - 1, 4) if quarter == 1 else (fiscal_year, quarter - 1)


def held_nvidia_quarters(folder: Path) -> set[tuple[int, int]]:
    matches = (NVIDIA_QUARTER_IN_NAME.search(path.name) for path in folder.glob("*.pdf"))
    return {(2000 + int(match.group(2)), int(match.group(1))) for match in matches if match}


def plan_nvidia_revenue(context: FetchContext) -> Plan:
    """Newest first: every quarter since the newest one held (at most two years back) whose
    PDF the inbox does not have yet; each quarter's addresses tried in order, 404 = not yet out."""
    held = held_nvidia_quarters(context.folder)
    newest_held = max(held) if held else None
    quarter = last_completed_nvidia_quarter(context.today)
    candidates = []
    for _ in range(NVIDIA_LOOKBACK_QUARTERS):
        if newest_held and quarter <= newest_held:
            break
        if quarter not in held:
            code = nvidia_quarter_code(*quarter)
            candidates += [
                Candidate(
                    f"{context.base_url}/{path}",
                    f"Rev_by_Mkt_Qtrly_Trend_{code}",
                    ".pdf",
                    immutable=True,
                    missing_ok=True,
                    group=code,
                )
                for path in nvidia_candidate_paths(*quarter)
            ]
        quarter = previous_quarter(*quarter)
    return Plan(candidates)


# --- SEC EDGAR: 10-K / 10-Q primary documents listed by the JSON submissions API.

SEC_FORMS = ("10-K", "10-Q")
DEFAULT_SEC_CIKS = "0001045810"  # NVIDIA
SEC_ARCHIVES = "https://www.sec.gov"


def sec_ciks() -> list[str]:
    configured = os.environ.get("CHIPWATCH_SEC_CIKS") or DEFAULT_SEC_CIKS
    return [cik.strip().zfill(10) for cik in configured.split(",") if cik.strip()]


def sec_user_agent() -> str | None:
    return os.environ.get("CHIPWATCH_SEC_USER_AGENT", "").strip() or None


def sec_filings_limit() -> int:
    return int(os.environ.get("CHIPWATCH_SEC_FILINGS", "4"))


def recent_sec_filings(submissions: dict, limit: int) -> Iterator[dict]:
    """The newest `limit` 10-K / 10-Q filings of a submissions document (`filings.recent`
    holds one array per field, newest filing first)."""
    recent = submissions["filings"]["recent"]
    rows = (dict(zip(recent, values, strict=True)) for values in zip(*recent.values(), strict=True))
    return islice((row for row in rows if row.get("form") in SEC_FORMS and row.get("primaryDocument")), limit)


def plan_sec_filings(context: FetchContext) -> Plan:
    if not sec_user_agent():
        return Plan(
            [],
            not_configured="the SEC requires a User-Agent naming who fetches: set CHIPWATCH_SEC_USER_AGENT "
            "to a name and e-mail address ('Jane Analyst jane@example.com')",
        )
    # One base URL setting moves both the submissions API and the archive.
    overridden = bool(os.environ.get(FETCH_SOURCES["sec_filings"].base_url_setting))
    archives = context.base_url if overridden else SEC_ARCHIVES
    candidates = []
    for cik in sec_ciks():
        submissions = context.get_json(f"{context.base_url}/submissions/CIK{cik}.json")
        for filing in recent_sec_filings(submissions, sec_filings_limit()):
            accession = filing["accessionNumber"].replace("-", "")
            document = filing["primaryDocument"]
            form = filing["form"].lower().replace("-", "")
            candidates.append(
                Candidate(
                    f"{archives}/Archives/edgar/data/{int(cik)}/{accession}/{document}",
                    f"{Path(document).stem}-{form}",
                    Path(document).suffix or ".htm",
                    immutable=True,
                )
            )
    return Plan(candidates)


# --- Federal Register: BIS documents on advanced computing, as review candidates.

FEDERAL_REGISTER_FIELDS = (
    "document_number",
    "title",
    "type",
    "abstract",
    "publication_date",
    "effective_on",
    "html_url",
    "pdf_url",
)


FEDERAL_REGISTER_PER_PAGE = 100  # the API's largest page


def federal_register_query() -> str:
    params = [
        ("conditions[agencies][]", "industry-and-security-bureau"),
        ("conditions[term]", "advanced computing"),
        ("order", "newest"),
        ("per_page", str(FEDERAL_REGISTER_PER_PAGE)),
        *(("fields[]", field) for field in FEDERAL_REGISTER_FIELDS),
    ]
    return "api/v1/documents.json?" + urlencode(params)


def federal_register_page(context: FetchContext, url: str, page: int) -> Candidate:
    """One page of the answer, kept as federal_register_page<N>_<date>.json; its `next_page_url`
    names the next page."""
    return Candidate(
        url,
        f"federal_register_page{page}",
        ".json",
        page=page,
        next_page=lambda body: next_federal_register_page(context, body, page),
    )


def next_federal_register_page(context: FetchContext, body: bytes, page: int) -> Candidate | None:
    """The page the API's `next_page_url` names (absent or null on the last page), requested from
    the configured base URL: a page never sends the fetcher to another host."""
    answer = json.loads(body)
    next_url = answer.get("next_page_url") if isinstance(answer, dict) else None
    if not next_url:
        return None
    parts = urlsplit(next_url)
    return federal_register_page(context, f"{context.base_url}{parts.path}?{parts.query}", page + 1)


def plan_federal_register(context: FetchContext) -> Plan:
    return Plan([federal_register_page(context, f"{context.base_url}/{federal_register_query()}", 1)])


# The calendar-quarter exports the staging model reads (by chip; by owner, China among them).
# The fiscal-quarter and cumulative exports restate the same chips over other spans: summed with
# these they would count the chips twice, so they are not fetched.
CHIP_COUNT_FILES = (
    "csv_export/nvidia_calendar_quarter_chip_timelines",
    "csv_export/amd_chip_timelines",
    "csv_export/tpu_calendar_quarter_chip_timelines",
    "csv_export/trainium_chip_timelines",
    "owners_csv_export/nvidia_owners_quarters",
    "owners_csv_export/amd_owners_quarters",
)

FETCH_SOURCES = {
    source.name: source
    for source in (
        FetchSource(
            "epoch_ml_hardware",
            "https://epoch.ai",
            "csv",
            50 * MB,
            "daily (Epoch refreshes the CSV daily)",
            "Epoch AI Machine Learning Hardware CSV",
            _files(("data/ml_hardware.csv", "epoch_ml_hardware")),
        ),
        FetchSource(
            "epoch_gpu_clusters",
            "https://epoch.ai",
            "csv",
            50 * MB,
            "daily (Epoch refreshes the CSV daily)",
            "Epoch AI GPU Clusters CSV",
            _files(("data/gpu_clusters.csv", "epoch_gpu_clusters")),
        ),
        FetchSource(
            "epoch_ai_chip_counts",
            "https://raw.githubusercontent.com/epoch-research/ai-chip-counts/main",
            "csv",
            50 * MB,
            "daily (the repository changes when Epoch re-estimates)",
            "Epoch AI chip-sales estimates, the calendar-quarter CSV exports of "
            "epoch-research/ai-chip-counts",
            _files(*((f"{path}.csv", Path(path).name) for path in CHIP_COUNT_FILES)),
        ),
        FetchSource(
            "nvidia_revenue",
            "https://s201.q4cdn.com/141608511/files/doc_financials",
            "pdf",
            20 * MB,
            "daily; a new PDF appears once a quarter with the results",
            "NVIDIA Revenue by Market quarterly trend PDF",
            plan_nvidia_revenue,
        ),
        FetchSource(
            "sec_filings",
            "https://data.sec.gov",
            "inline_xbrl",
            100 * MB,
            "daily; a new 10-Q or 10-K once a quarter",
            "SEC EDGAR 10-K and 10-Q primary documents (inline XBRL) of the configured CIKs",
            plan_sec_filings,
        ),
        FetchSource(
            "fx_rates",
            "https://fred.stlouisfed.org",
            "csv",
            10 * MB,
            "daily; FRED adds a month early in the next month",
            "FRED monthly averages of the Fed H.10 rates: CNY per USD (EXCHUS), HKD per USD (EXHKUS)",
            _files(
                ("graph/fredgraph.csv?id=EXCHUS", "fred_EXCHUS"),
                ("graph/fredgraph.csv?id=EXHKUS", "fred_EXHKUS"),
            ),
        ),
        FetchSource(
            "federal_register",
            "https://www.federalregister.gov",
            "json",
            20 * MB,
            "daily (the Federal Register publishes on business days)",
            "Federal Register API: Bureau of Industry and Security documents matching 'advanced computing'",
            plan_federal_register,
        ),
    )
}
