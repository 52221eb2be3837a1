"""NVIDIA investor-relations "Revenue by Market" quarterly trend PDF -> long table of revenue."""

import re
from pathlib import Path

import pdfplumber
import polars as pl
from pdfplumber.utils.exceptions import PdfminerException

from ingestion.errors import SourceFormatError

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


def read_revenue_by_market_pdf(path: str | Path) -> pl.DataFrame:
    """One row per (quarter, segment) found in the PDF's ruled table(s), in USD millions."""
    path = Path(path)
    records: list[dict] = []
    try:
        with pdfplumber.open(path) as pdf:
            for page_number, page in enumerate(pdf.pages, start=1):
                for table in page.extract_tables():
                    records.extend(_table_records(table, page_number, path.name))
    except PdfminerException as error:
        raise SourceFormatError(f"{path.name}: not a readable PDF ({error}).") from error
    if not records:
        raise SourceFormatError(
            f"{path.name}: no revenue table found. Expected a ruled table whose header row holds "
            "quarter labels such as 'Q1 FY26' and whose rows are market segments "
            "(Data Center, Gaming, ...). Check that this is NVIDIA's 'Revenue by Market' "
            "quarterly trend PDF."
        )
    edition = _quarter_label(*max((r["fiscal_year"], r["fiscal_quarter"]) for r in records))
    return pl.DataFrame([{"edition": edition, **r} for r in records], schema=SCHEMA).sort(KEY)


def _table_records(table: list[list[str | None]], page: int, source_file: str) -> list[dict]:
    header_index, quarters = _find_quarter_header(table)
    if header_index is None:
        return []
    records = []
    for row in table[header_index + 1 :]:
        label = next((_clean(cell) for i, cell in enumerate(row) if i not in quarters and _clean(cell)), "")
        values = {i: _parse_amount(row[i], source_file) for i in quarters if i < len(row)}
        if not label or all(value is None for value in values.values()):
            continue
        segment = SEGMENTS.get(label.casefold(), label)
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
        raise SourceFormatError(f"{source_file}: {cell!r} in a quarter column is not an amount.") from None
    return -value if negative else value


def _clean(cell: str | None) -> str:
    return " ".join((cell or "").split())


def _quarter_label(fiscal_year: int, fiscal_quarter: int) -> str:
    return f"Q{fiscal_quarter} FY{fiscal_year % 100:02d}"
