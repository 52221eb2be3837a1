"""Is a downloaded body what its source publishes? A PDF is a PDF, a CSV parses, JSON parses,
an inline XBRL filing is one; an HTML page (an error or login page) where data belongs is refused."""

import io
import json

import polars as pl

INLINE_XBRL_NAMESPACE = b"http://www.xbrl.org/2013/inlineXBRL"


class ContentRefused(ValueError):
    """The body is not what the source publishes."""


def looks_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def check(kind: str, body: bytes) -> None:
    """Raise ContentRefused unless `body` is a `kind` file (csv, pdf, json, inline_xbrl)."""
    if not body.strip():
        raise ContentRefused("empty body")
    if kind == "inline_xbrl":
        if INLINE_XBRL_NAMESPACE not in body[: 1 << 20]:
            raise ContentRefused("not an inline XBRL document (no inlineXBRL namespace in its head)")
        return
    if looks_like_html(body):
        raise ContentRefused(f"an HTML page where a {kind.upper()} file belongs (an error or login page?)")
    if kind == "pdf":
        if not body.startswith(b"%PDF-"):
            raise ContentRefused(f"not a PDF (starts with {body[:8]!r})")
    elif kind == "csv":
        try:
            frame = pl.read_csv(io.BytesIO(body), infer_schema_length=0, n_rows=1000, encoding="utf8-lossy")
        except Exception as error:  # polars raises several kinds for text that is no CSV
            raise ContentRefused(f"does not parse as CSV: {error}") from error
        if frame.width < 2 or frame.height == 0:
            raise ContentRefused(f"a CSV of {frame.width} column(s) and {frame.height} row(s): no table")
    elif kind == "json":
        try:
            json.loads(body)
        except ValueError as error:
            raise ContentRefused(f"does not parse as JSON: {error}") from error
    else:
        raise ValueError(f"unknown content kind {kind!r}")
