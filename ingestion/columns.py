"""Map the columns of a source file to canonical names by header text, not by position."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingestion.errors import SourceFormatError
from ingestion.source_text import INTERNAL_COLUMNS, header_hint

EXTRA_JSON = "extra_json"
SOURCE_ROW = "source_row"


@dataclass(frozen=True)
class SourceColumn:
    """A canonical column and the source headers it may appear under, preferred first."""

    name: str
    aliases: tuple[str, ...]
    key: bool = False


def normalise_header(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").split()).casefold()


def match_headers(headers: Sequence[str], spec: Sequence[SourceColumn], path: str | Path) -> dict[str, str]:
    """Canonical column name -> the file's header for it; raises SourceFormatError if a key
    column has no header."""
    by_header = {normalise_header(header): header for header in headers}
    mapped: dict[str, str] = {}
    for column in spec:
        found = next((by_header[a] for a in map(normalise_header, column.aliases) if a in by_header), None)
        if found is not None:
            mapped[column.name] = found
        elif column.key:
            raise SourceFormatError(
                f"{Path(path).name}: required column {column.name!r} is missing. "
                f"Accepted headers: {', '.join(repr(a) for a in column.aliases)}. "
                f"Headers found: {', '.join(repr(h) for h in headers)}. "
                "Check that this is the right file; if the publisher renamed the column, "
                "add the new header to the aliases of this connector." + header_hint(list(headers))
            )
    return mapped


def map_columns(raw: pl.DataFrame, spec: Sequence[SourceColumn], path: str | Path) -> pl.DataFrame:
    """Rename `raw`'s columns to the canonical names of `spec`, as strings.

    A canonical column absent from the file is all null; a source column that matches no
    canonical column is kept in `extra_json` (a JSON object of header -> value, empty values
    left out); `source_row` is the 1-based data row number. Raises SourceFormatError if a key
    column is missing.
    """
    internal = [column for column in INTERNAL_COLUMNS if column in raw.columns]
    mapped = match_headers([column for column in raw.columns if column not in internal], spec, path)
    unmapped = [column for column in raw.columns if column not in mapped.values() and column not in internal]
    return raw.select(
        *(
            pl.col(mapped[c.name]).alias(c.name)
            if c.name in mapped
            else pl.lit(None, pl.String).alias(c.name)
            for c in spec
        ),
        _extra_json(raw, unmapped),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(SOURCE_ROW),
        *internal,
    )


def _extra_json(raw: pl.DataFrame, columns: list[str]) -> pl.Series:
    rows = raw.select(columns).iter_rows(named=True) if columns else ({} for _ in range(raw.height))
    return pl.Series(
        EXTRA_JSON,
        [json.dumps({k: v for k, v in row.items() if v is not None}, ensure_ascii=False) for row in rows],
        pl.String,
    )
