"""NVIDIA investor-relations "Revenue by Market" quarterly trend PDF -> long table of revenue."""

import json
import re
from pathlib import Path

import pdfplumber
import polars as pl
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import PdfminerException

from ingestion.errors import SourceFormatError
from ingestion.figures import FigureParseError, parse_figure
from ingestion.quarantine import Load, quarantine_records

QUARTER_PATTERN = re.compile(r"Q([1-4])\s*'?FY\s*'?(\d{4}|\d{2})", re.IGNORECASE)
NULL_CELLS = {"", "-", "—", "–", "n/a", "na"}
SEGMENTS = {
    "data center": "Data Center",
    "compute": "Compute",
    "networking": "Networking",
    "gaming": "Gaming",
    "professional visualization": "Professional Visualization",
    "pro visualization": "Professional Visualization",
    "auto": "Automotive",
    "automotive": "Automotive",
    "oem & other": "OEM & Other",
    "oem and other": "OEM & Other",
    "total": "Total",
    "total revenue": "Total",
}
KEY = ["fiscal_year", "fiscal_quarter", "segment"]
SCHEMA = {
    "edition": pl.String,
    "fiscal_year": pl.Int64,
    "fiscal_quarter": pl.Int64,
    "quarter_label": pl.String,
    "segment": pl.String,
    "revenue_usd_m": pl.Float64,
    "source_file": pl.String,
    "page": pl.Int64,
}
SCHEMA_WITH_LINE = {**SCHEMA, "_line": pl.Int64, "_row_json": pl.String}


TABLE = "nvidia_revenue_by_market"
# What pdfminer raises on a truncated or non-PDF file, besides its own wrapper.
_PDF_ERRORS = (PSException, ValueError, KeyError, TypeError, AssertionError)


def load_revenue_by_market_pdf(path: str | Path) -> Load:
    """One row per (quarter, segment) found in the PDF's ruled table(s), in USD millions.

    A cell that is not an amount, an implausible amount, or a (quarter, segment) the PDF gives
    twice is quarantined (`line` is the row of the table, the reason names page and column).
    A file that is not a PDF, or a PDF without a revenue table, is refused."""
    path = Path(path)
    records: list[dict] = []
    rejected: list[dict] = []
    if not path.stat().st_size:
        raise SourceFormatError(
            f"{path.name}: the file is empty (0 bytes): the download was interrupted. "
            "Download the PDF again and re-run."
        )
    try:
        with pdfplumber.open(path) as pdf:
            for page_number, page in enumerate(pdf.pages, start=1):
                for table in page.extract_tables():
                    records.extend(_table_records(table, page_number, path.name, rejected))
    except (PdfminerException, *_PDF_ERRORS) as error:
        raise SourceFormatError(
            f"{path.name}: not a readable PDF ({type(error).__name__}: {error}). The file is "
            "truncated or is not a PDF (an HTML error page saved as .pdf?): download it again."
        ) from error
    if not records and not rejected:
        raise SourceFormatError(
            f"{path.name}: no revenue table found. Expected a ruled table whose header row holds "
            "quarter labels such as 'Q1 FY26' and whose rows are market segments "
            "(Data Center, Gaming, ...). Check that this is NVIDIA's 'Revenue by Market' "
            "quarterly trend PDF."
        )
    edition = (
        _quarter_label(*max((r["fiscal_year"], r["fiscal_quarter"]) for r in records)) if records else None
    )
    frame = pl.DataFrame([{"edition": edition, **r} for r in records], schema=SCHEMA_WITH_LINE).sort(KEY)
    return Load(frame, quarantine_records(rejected, path.name), frame.height + len(rejected), (path.name,))


def _table_records(
    table: list[list[str | None]], page: int, source_file: str, rejected: list[dict]
) -> list[dict]:
    header_index, quarters = _find_quarter_header(table)
    if header_index is None:
        return []
    records = []
    header = [_clean(cell) for cell in table[header_index]]
    for row_index, row in enumerate(table[header_index + 1 :], start=header_index + 2):
        label = next((_clean(cell) for i, cell in enumerate(row) if i not in quarters and _clean(cell)), "")
        values, problems = {}, {}
        for i in quarters:
            if i < len(row):
                try:
                    values[i] = _parse_amount(row[i], source_file)
                except SourceFormatError as error:
                    problems[i] = str(error)
        if not label or all(value is None for value in values.values()) and not problems:
            continue
        segment = SEGMENTS.get(label.casefold(), label)
        row_json = json.dumps(dict(zip(header, map(_clean, row), strict=False)), ensure_ascii=False)
        for i, problem in problems.items():
            rejected.append(
                {
                    "line": row_index,
                    "reason": f"page {page}, table row {row_index}, column {header[i]!r} "
                    f"(segment {segment!r}): {problem.split(': ', 1)[-1]}",
                    "row_json": row_json,
                }
            )
        for i, value in values.items():
            fiscal_year, fiscal_quarter = quarters[i]
            records.append(
                {
                    "fiscal_year": fiscal_year,
                    "fiscal_quarter": fiscal_quarter,
                    "quarter_label": _quarter_label(fiscal_year, fiscal_quarter),
                    "segment": segment,
                    "revenue_usd_m": value,
                    "source_file": source_file,
                    "page": page,
                    "_line": row_index,
                    "_row_json": row_json,
                }
            )
    return records


def _find_quarter_header(table: list[list[str | None]]) -> tuple[int | None, dict[int, tuple[int, int]]]:
    """Index of the first row holding quarter labels, and column index -> (fiscal year, quarter)."""
    for index, row in enumerate(table):
        quarters = {}
        for column, cell in enumerate(row):
            match = QUARTER_PATTERN.fullmatch(_clean(cell))
            if match:
                year = int(match.group(2))
                quarters[column] = (year + 2000 if year < 100 else year, int(match.group(1)))
        if quarters:
            return index, quarters
    return None, {}


def _parse_amount(cell: str | None, source_file: str) -> float | None:
    text = _clean(cell).replace("$", "").replace(",", "").replace(" ", "")
    if text.casefold() in NULL_CELLS:
        return None
    negative = text.startswith("(") and text.endswith(")")
    try:
        value = float(text.strip("()"))
    except ValueError:
        value = _amount_with_units(_clean(cell).strip("()"), cell, source_file)
    return -value if negative else value


def _amount_with_units(text: str, cell: str | None, source_file: str) -> float:
    """ "$39.1B", "39,112M", "US$ 39,112": read with ingestion.figures. The slides are in USD
    millions: a figure of a million or more was written in dollars and is converted."""
    try:
        figure = parse_figure(text)
    except FigureParseError:
        figure = None
    if figure is None or figure.value_high is not None or figure.unit or figure.currency not in (None, "USD"):
        raise SourceFormatError(
            f"{source_file}: {cell!r} in a quarter column is not an amount in USD millions."
        )
    return figure.value / 1e6 if figure.value >= 1e6 else figure.value


def _clean(cell: str | None) -> str:
    return " ".join((cell or "").split())


def _quarter_label(fiscal_year: int, fiscal_quarter: int) -> str:
    return f"Q{fiscal_quarter} FY{fiscal_year % 100:02d}"
