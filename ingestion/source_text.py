"""Read a downloaded CSV as text the way it was written, whatever Excel or a vendor did to it.

- Encoding: UTF-8 with or without a byte-order mark, UTF-16 with a byte-order mark, else GB18030
  (a superset of GBK and GB2312, what Chinese Excel and Wind/Choice exports write).
- Delimiter: sniffed from the header line (comma, semicolon, tab or vertical bar).
- Rows: every record keeps the line it starts on and its text as JSON. A record that cannot be
  a row (more or fewer fields than the header, a quote never closed, a line over
  MAX_RECORD_CHARS) is not dropped: it is returned in `rejected`, for `quarantine.<table>`.
- A file that is empty, binary or in no known encoding is refused (SourceFormatError) naming
  the file and what to do.
"""

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingestion.errors import SourceFormatError

LINE = "_line"
ROW_JSON = "_row_json"
INTERNAL_COLUMNS = (LINE, ROW_JSON)
MAX_RECORD_CHARS = 65_536  # a longer record is quarantined, not parsed
ROW_JSON_KEEP = 2_000  # characters of a quarantined record's text kept in quarantine
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
_NUMBER_LIKE = re.compile(r"^[-+]?[\d.,]+(?:[eE][-+]?\d+)?$")

csv.field_size_limit(2**31 - 1)  # long records are measured and quarantined here, not by csv


@dataclass
class CsvText:
    """A CSV read as text: one string column per header, plus `_line` and `_row_json`."""

    header: list[str]
    frame: pl.DataFrame
    rejected: list[dict] = field(default_factory=list)  # {line, reason, row_json}

    @property
    def rows_read(self) -> int:
        return self.frame.height + len(self.rejected)


def decode(path: Path) -> str:
    """The file's text; refuses empty, binary and unknown files."""
    data = path.read_bytes()
    name = path.name
    if data.startswith(codecs.BOM_UTF8):
        data, encodings = data[len(codecs.BOM_UTF8) :], ("utf-8",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "gb18030")
    if not data.strip():
        raise SourceFormatError(
            f"{name}: the file is empty ({path.stat().st_size} bytes): nothing to read. "
            "The download or copy was probably interrupted: download it again and re-run."
        )
    if encodings != ("utf-16",) and (data.startswith(b"%PDF") or b"\x00" in data[:8192]):
        raise SourceFormatError(
            f"{name}: this is a binary file (a PDF, spreadsheet or archive), not CSV text. "
            "Export or save it as CSV (UTF-8) and re-run."
        )
    error: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as failure:
            error = error or failure
    assert error is not None
    raise SourceFormatError(
        f"{name}: byte {error.start}: the file is neither UTF-8 nor GB18030/GBK text. "
        "Save it as CSV UTF-8 and re-run."
    )


SNIFF_BYTES = 1 << 16
SNIFF_ROWS = 200


@dataclass(frozen=True)
class CsvHead:
    """The start of a CSV file, read to plan a bulk read of the whole file."""

    delimiter: str
    header: list[str]  # runs of whitespace in a cell collapsed to one space
    rows: list[list[str]]  # the first SNIFF_ROWS records after the header


def sniff_head(path: Path) -> CsvHead:
    """The delimiter, header and first records of a UTF-8 CSV file (BOM or not), from its first
    SNIFF_BYTES bytes, whole lines only. Refuses (SourceFormatError) a file that is empty, binary
    (a spreadsheet, PDF or archive, or UTF-16 text) or not UTF-8."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES).removeprefix(codecs.BOM_UTF8)
    if not head.strip():
        raise SourceFormatError(
            f"{path.name}: the file is empty: nothing to read. The download or copy was probably "
            "interrupted: export it again and re-run."
        )
    if b"\x00" in head or head.startswith((b"%PDF", codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SourceFormatError(
            f"{path.name}: this is a binary file (a spreadsheet, PDF or archive, or UTF-16 text), not "
            "CSV text. Export or save it as CSV UTF-8 and re-run."
        )
    if len(head) == SNIFF_BYTES and b"\n" in head:
        head = head[: head.rfind(b"\n") + 1]  # whole lines only (a header longer than this is read cut)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceFormatError(
            f"{path.name}: byte {error.start} is not UTF-8 (a GBK/GB18030 export, say): this source is read "
            "by DuckDB's CSV reader, which needs UTF-8. Save it as CSV UTF-8 and re-run."
        ) from None
    lines = text.splitlines()
    delimiter = sniff_delimiter(lines[0])
    rows = list(csv.reader(io.StringIO("\n".join(lines[: SNIFF_ROWS + 1])), delimiter=delimiter))
    return CsvHead(delimiter, [" ".join(cell.split()) for cell in rows[0]], rows[1:])


def sniff_delimiter(header_line: str) -> str:
    """The delimiter the header line uses most; comma when it uses none."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def looks_like_data(header: list[str]) -> bool:
    """A header line made mostly of numbers or dates is a data row: the header line is missing."""
    cells = [cell.strip() for cell in header if cell.strip()]
    numeric = [cell for cell in cells if _NUMBER_LIKE.match(cell) or re.match(r"^\d{4}[-/年.]\d", cell)]
    return bool(cells) and len(numeric) * 3 >= len(cells)


def header_hint(header: list[str]) -> str:
    if looks_like_data(header):
        return (
            " The first line looks like data, not a header: the header line is missing. "
            "Add it (or download the file again) and re-run."
        )
    return ""


def _cut(cell: str) -> str:
    return cell if len(cell) <= ROW_JSON_KEEP else f"{cell[:ROW_JSON_KEEP]}…(cut: {len(cell):,} characters)"


def _row_json(header: list[str], fields: list[str]) -> str:
    fields = [_cut(cell) for cell in fields]
    named = dict(zip(header, fields, strict=False))
    if len(fields) > len(header):
        named["_unmatched_fields"] = fields[len(header) :]
    return json.dumps(named, ensure_ascii=False)


def parse_csv(path: str | Path) -> CsvText:
    """Read `path` as text records; see the module docstring for what is accepted and refused."""
    path = Path(path)
    text = decode(path)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = sniff_delimiter(first_line)
    source_lines = text.splitlines()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [" ".join(cell.replace("\ufeff", "").split()) for cell in next(reader)]
    except (StopIteration, csv.Error) as error:
        raise SourceFormatError(f"{path.name}: cannot read the header line ({error}).") from None
    header = [cell or f"column_{index + 1}" for index, cell in enumerate(header)]
    seen: set[str] = set()
    for cell in header:
        if cell.casefold() in seen:
            raise SourceFormatError(
                f"{path.name}, line 1: the header names column {cell!r} twice: "
                "rename or remove one of them and re-run."
            )
        seen.add(cell.casefold())

    good: list[list[str]] = []
    lines: list[int] = []
    row_jsons: list[str] = []
    rejected: list[dict] = []
    previous = reader.line_num
    while True:
        start = previous + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            end = max(reader.line_num, start)
            raw = "\n".join(source_lines[start - 1 : end])
            rejected.append(
                {
                    "line": start,
                    "reason": f"malformed CSV record on lines {start}-{end}: {error} "
                    "(a quote opened and never closed, or text after a closing quote: "
                    "a truncated or hand-edited file)",
                    "row_json": json.dumps({"_text": _cut(raw)}, ensure_ascii=False),
                }
            )
            previous = reader.line_num
            continue
        previous = reader.line_num
        if not any(cell.strip() for cell in fields):
            continue  # blank line: not a row
        size = sum(len(cell) for cell in fields)
        if len(fields) > len(header) and not any(cell.strip() for cell in fields[len(header) :]):
            fields = fields[: len(header)]  # trailing empty fields, as Excel writes them
        if size > MAX_RECORD_CHARS:
            reason = (
                f"the row is {size:,} characters long, over the limit of {MAX_RECORD_CHARS:,}: "
                "a broken export or a runaway cell; fix the row in the file and re-run"
            )
        elif len(fields) != len(header):
            kind = "fewer" if len(fields) < len(header) else "more"
            reason = f"the row has {len(fields)} fields, {kind} than the {len(header)} of the header: " + (
                "a truncated file (download it again) or a missing delimiter"
                if kind == "fewer"
                else f"an unquoted {DELIMITER_NAMES[delimiter]} inside a value"
            )
        else:
            good.append(fields)
            lines.append(start)
            row_jsons.append(_row_json(header, fields))
            continue
        rejected.append({"line": start, "reason": reason, "row_json": _row_json(header, fields)})

    columns = {
        # An empty field is null, as polars and DuckDB read CSV.
        name: pl.Series(name, [row[i] or None for row in good], pl.String)
        for i, name in enumerate(header)
    }
    frame = pl.DataFrame(
        {
            **columns,
            LINE: pl.Series(LINE, lines, pl.Int64),
            ROW_JSON: pl.Series(ROW_JSON, row_jsons, pl.String),
        }
    )
    return CsvText(header, frame, rejected)
