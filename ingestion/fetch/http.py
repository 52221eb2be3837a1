"""HTTP for the fetchers: a requests session whose retries with backoff come from urllib3's
`Retry` (connection errors, 429 and 5xx, honouring Retry-After), a timeout on every request
and a cap on the size of every body."""

from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

RETRY_STATUSES = (429, 500, 502, 503, 504)
CHUNK_BYTES = 1 << 16


class FetchFailed(Exception):
    """A request that gave no usable response; `outcome` names the kind of failure."""

    def __init__(self, outcome: str, detail: str, status: int | None = None, url: str | None = None):
        super().__init__(detail)
        self.outcome = outcome
        self.detail = detail
        self.status = status
        self.url = url


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    body: bytes
    etag: str | None
    last_modified: str | None


def session(user_agent: str, retries: int, backoff: float) -> requests.Session:
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    http = requests.Session()
    http.trust_env = True  # proxies from HTTPS_PROXY / NO_PROXY, as users configure them
    http.headers["User-Agent"] = user_agent
    adapter = HTTPAdapter(max_retries=retry)
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    return http


def get(
    http: requests.Session,
    url: str,
    timeout: float,
    max_bytes: int,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Response:
    """GET `url`, conditionally when `etag` / `last_modified` are known (a 304 has no body).
    Raises FetchFailed for a timeout, an unreachable host or a body over `max_bytes`."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with http.get(url, headers=headers, timeout=timeout, stream=True) as response:
            body = _read_capped(response, max_bytes) if response.status_code == 200 else b""
            return Response(
                url,
                response.status_code,
                body,
                response.headers.get("ETag"),
                response.headers.get("Last-Modified"),
            )
    except requests.Timeout as error:
        raise FetchFailed("timeout", f"no answer within {timeout:g} s: {error}") from error
    except requests.ConnectionError as error:
        reason = getattr(error.args[0], "reason", None) if error.args else None
        if isinstance(reason, ReadTimeoutError):
            raise FetchFailed("timeout", f"no answer within {timeout:g} s, after retries") from error
        raise FetchFailed("unreachable", f"cannot connect: {error}") from error
    except requests.RequestException as error:
        raise FetchFailed("http_error", f"{type(error).__name__}: {error}") from error


def _read_capped(response: requests.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchFailed(
            "too_large",
            f"declares {int(declared):,} bytes, over the cap of {max_bytes:,}",
            response.status_code,
        )
    chunks, size = [], 0
    for chunk in response.iter_content(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise FetchFailed(
                "too_large",
                f"body over the cap of {max_bytes:,} bytes: download stopped",
                response.status_code,
            )
        chunks.append(chunk)
    return b"".join(chunks)
