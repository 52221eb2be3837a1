"""SEC 10-K / 10-Q filings in inline XBRL (the `.htm` as filed on EDGAR) -> one row per numeric fact.

The document is read with `ixbrlparse` (through `ingestion/ixbrl.py`): every `ix:nonFraction`
with its context (period and dimensions), its unit, scale and sign. Each fact carries the
filing's cover-page facts (form, registrant, fiscal year focus, the month its fiscal year ends),
so that staging can name the fiscal period of every context without knowing the filer or the
year, and the narrative of its table of revenue by geographic area (the sentence saying whether
an area is the customer's billing location or its headquarters), so that staging can keep each
basis its own series.

A fact whose value or context cannot be read, or two facts for one (concept, context, unit)
that disagree, are quarantined with the reason; an exact repeat of a fact (filings show the
same figure in several tables) is set aside as a repeat. A file that is not inline XBRL is
refused.
"""

import json
import re
import warnings
from datetime import date, datetime
from pathlib import Path

import polars as pl

from ingestion.errors import SourceFormatError
from ingestion.quarantine import REASON, Load, apply, quarantine_records

TABLE = "sec_filing_facts"
KEY = ("concept", "context_id", "unit")
SCHEMA = {
    "entity_cik": pl.String,
    "entity_name": pl.String,
    "document_type": pl.String,
    "document_period_end_date": pl.Date,
    "fiscal_year_focus": pl.Int64,
    "fiscal_period_focus": pl.String,
    "fiscal_year_end_month": pl.Int64,
    "geographic_revenue_note": pl.String,
    "concept": pl.String,
    "context_id": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "period_instant": pl.Date,
    "dimensions": pl.String,
    "dimension_count": pl.Int64,
    "value": pl.Float64,
    "unit": pl.String,
    "decimals": pl.String,
    "_line": pl.Int64,
    "_row_json": pl.String,
}
COVER_CONCEPTS = {
    "EntityCentralIndexKey": "entity_cik",
    "EntityRegistrantName": "entity_name",
    "DocumentType": "document_type",
    "DocumentPeriodEndDate": "document_period_end_date",
    "DocumentFiscalYearFocus": "fiscal_year_focus",
    "DocumentFiscalPeriodFocus": "fiscal_period_focus",
    "CurrentFiscalYearEndDate": "fiscal_year_end_month",
}
# us-gaap:ScheduleOfRevenuesFromExternalCustomersAndLongLivedAssetsByGeographicalAreasTableTextBlock,
# us-gaap:RevenueFromExternalCustomersByGeographicAreasTableTextBlock and their kin.
GEOGRAPHIC_REVENUE_BLOCK = re.compile(r"Revenue.*Geographic.*TextBlock$")
MONTHS = {name: number for number, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}  # fmt: skip


def load_sec_filing(path: str | Path) -> Load:
    """Every numeric fact of an inline-XBRL 10-K or 10-Q, with its context and the filing's cover facts."""
    from ixbrlparse.components import ixbrlContext

    from ingestion.ixbrl import InlineXBRL

    path = Path(path)
    if not path.stat().st_size:
        raise SourceFormatError(f"{path.name}: the file is empty (0 bytes): download the filing again.")
    try:
        with warnings.catch_warnings():
            # ixbrlparse warns about every text format it does not transform (durations, dates).
            warnings.simplefilter("ignore")
            document = InlineXBRL.open(path, raise_on_error=False)
    except Exception as error:  # the parser raises bare exceptions on files that are not XBRL
        raise SourceFormatError(
            f"{path.name}: not an inline XBRL document ({type(error).__name__}: {error}). Save the "
            "filing's primary document (the .htm as filed on EDGAR, not the viewer page) and re-run."
        ) from error
    if not document.contexts or not (document.numeric or document.errors):
        raise SourceFormatError(
            f"{path.name}: no inline XBRL facts found (no xbrli:context or ix:nonFraction). Expected "
            "a 10-K or 10-Q primary document as filed on EDGAR in inline XBRL."
        )
    cover = _cover_facts(document.nonnumeric, path.name) | {
        "geographic_revenue_note": _geographic_revenue_note(document.nonnumeric)
    }
    records, rejected = [], []
    for line, fact in enumerate(document.numeric, start=1):
        row_json = _fact_json(fact)
        context = fact.context
        reason = None
        if not isinstance(context, ixbrlContext):
            reason = (
                f"fact {fact.schema}:{fact.name} refers to context {context!r}, "
                "which the document does not define"
            )
        elif fact.value is None:
            reason = f"fact {fact.schema}:{fact.name}: the text {fact.text!r} is not a number"
        if reason:
            rejected.append({"line": line, "reason": reason, "row_json": row_json})
            continue
        # Explicit and typed members name their axis; the element inside a typed member does not.
        members = [segment for segment in context.segments or [] if segment.get("dimension")]
        dimensions = {member["dimension"]: member["value"] for member in members}
        records.append(
            {
                **cover,
                "concept": f"{fact.schema}:{fact.name}",
                "context_id": context.id,
                "period_start": context.startdate,
                "period_end": context.enddate,
                "period_instant": context.instant,
                "dimensions": json.dumps(dimensions, sort_keys=True),
                "dimension_count": len(dimensions),
                "value": float(fact.value),
                "unit": fact.unit,
                "decimals": fact.soup_tag.get("decimals") if fact.soup_tag is not None else None,
                "_line": line,
                "_row_json": row_json,
            }
        )
    for index, error in enumerate(document.errors, start=len(document.numeric) + 1):
        rejected.append(
            {
                "line": index,
                "reason": f"unreadable fact: {type(error.error).__name__}: {error.error}",
                "row_json": json.dumps({"element": str(error.element)[:2000]}, ensure_ascii=False),
            }
        )
    frame = pl.DataFrame(records, schema=SCHEMA)
    load = Load(frame, quarantine_records(rejected, path.name), len(records) + len(rejected), (path.name,))
    return apply(load, repeated_facts)


def repeated_facts(frame: pl.DataFrame) -> pl.Series:
    """Facts sharing (concept, context, unit), as XBRL treats duplicates: the most precise one is
    kept, and one that agrees with it at its own precision ("4.8" billion beside "4,784" million)
    is set aside as a repeat; facts that disagree are all quarantined."""
    reasons: list[str | None] = [None] * frame.height
    groups: dict[tuple, list[int]] = {}
    for index, key in enumerate(frame.select(KEY).rows()):
        groups.setdefault(key, []).append(index)
    values, decimals, lines = frame["value"].to_list(), frame["decimals"].to_list(), frame["_line"].to_list()
    for key, rows in groups.items():
        if len(rows) < 2:
            continue
        best = max(rows, key=lambda i: _precision(decimals[i]))
        label = ", ".join(f"{k}={v}" for k, v in zip(KEY, key, strict=True))
        agree = all(_rounded(values[best], decimals[i]) == _rounded(values[i], decimals[i]) for i in rows)
        for i in rows:
            if not agree:
                reasons[i] = (
                    f"conflicting facts for ({label}) on lines {', '.join(str(lines[j]) for j in rows)}: "
                    "they disagree beyond their precision, none kept"
                )
            elif i != best:
                reasons[i] = f"repeat of the fact on line {lines[best]} ({label}), which was kept"
    return pl.Series(REASON, reasons, pl.String)


def _precision(decimals: str | None) -> float:
    if decimals is None or decimals.upper() == "INF":
        return float("inf")
    return float(decimals)


def _rounded(value: float, decimals: str | None) -> float:
    precision = _precision(decimals)
    return value if precision == float("inf") else round(value, int(precision))


def _cover_facts(nonnumeric: list, source_file: str) -> dict:
    """The cover-page (dei) facts every row carries; a filing without them is refused."""
    found = {}
    for fact in nonnumeric:
        column = COVER_CONCEPTS.get(fact.name) if fact.schema == "dei" else None
        if column and column not in found:
            found[column] = " ".join(str(fact.value or "").split())
    missing = [column for column in ("document_type", "document_period_end_date") if not found.get(column)]
    if missing:
        raise SourceFormatError(
            f"{source_file}: the cover page has no {', '.join(missing)} (dei facts): "
            "this is not the primary document of a 10-K or 10-Q."
        )
    return {
        **{column: found.get(column) for column in COVER_CONCEPTS.values()},
        "document_period_end_date": _cover_date(found["document_period_end_date"], source_file),
        "fiscal_year_focus": int(found["fiscal_year_focus"]) if found.get("fiscal_year_focus") else None,
        "fiscal_year_end_month": _month(found.get("fiscal_year_end_month")),
    }


def _geographic_revenue_note(nonnumeric: list) -> str | None:
    """The text of the filing's table of revenue by geographic area outside the table itself: the
    sentences that say how revenue is assigned to an area. None where the filing has no such block."""
    for fact in nonnumeric:
        if (
            fact.schema == "us-gaap"
            and GEOGRAPHIC_REVENUE_BLOCK.search(fact.name)
            and fact.soup_tag is not None
        ):
            text = " ".join(s for s in fact.soup_tag.find_all(string=True) if s.find_parent("table") is None)
            return " ".join(text.split()) or None
    return None


def _cover_date(text: str, source_file: str) -> date:
    """ "July 27, 2025" (ixt:date-monthname-day-year-en) or "2025-07-27"."""
    for pattern in ("%B %d, %Y", "%b %d, %Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.replace("\xa0", " "), pattern).date()
        except ValueError:
            continue
    raise SourceFormatError(f"{source_file}: dei:DocumentPeriodEndDate {text!r} is not a date.")


def _month(text: str | None) -> int | None:
    """The month of dei:CurrentFiscalYearEndDate, written "--01-26", "1/25" or "January 26"."""
    if not text:
        return None
    numeric = re.match(r"^(?:--)?(\d{1,2})[-/]", text)
    if numeric:
        return int(numeric.group(1))
    return MONTHS.get(text.split()[0].casefold())


def _fact_json(fact) -> str:
    tag = fact.soup_tag
    attributes = {k: v for k, v in (tag.attrs.items() if tag is not None else ()) if isinstance(v, str)}
    return json.dumps({"text": str(fact.text), **attributes}, ensure_ascii=False)
