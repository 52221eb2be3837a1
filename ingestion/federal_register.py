"""Federal Register API answers (documents.json) -> one row per document, as review candidates.

The fetcher saves the API's JSON (Bureau of Industry and Security documents matching "advanced
computing", newest first). A candidate never changes an export-control classification: a
person reads it and adds its thresholds to `data/reference/export_control_rules.csv`.
"""

import json
from pathlib import Path

import polars as pl

from ingestion.errors import SourceFormatError
from ingestion.quarantine import Load, quarantine_records

TABLE = "federal_register_candidates"
SCHEMA = {
    "document_number": pl.String,
    "title": pl.String,
    "document_type": pl.String,
    "abstract": pl.String,
    "publication_date": pl.Date,
    "effective_on": pl.Date,
    "html_url": pl.String,
    "pdf_url": pl.String,
    "_line": pl.Int64,
    "_row_json": pl.String,
}


def load_federal_register_json(path: str | Path) -> Load:
    """Read one saved documents.json answer; a file without a `results` list is refused."""
    path = Path(path)
    try:
        answer = json.loads(path.read_bytes())
    except ValueError as error:
        raise SourceFormatError(
            f"{path.name}: not JSON ({error}): save the API's answer as it came."
        ) from error
    if not isinstance(answer, dict):
        raise SourceFormatError(f"{path.name}: a JSON {type(answer).__name__}, not an API answer object.")
    # The API leaves `results` out when nothing matches (count 0).
    results = answer.get("results", [] if answer.get("count") == 0 else None)
    if not isinstance(results, list):
        raise SourceFormatError(
            f"{path.name}: no `results` list: not an answer of "
            "https://www.federalregister.gov/api/v1/documents.json"
        )
    rows = [
        {
            "document_number": doc.get("document_number"),
            "title": doc.get("title"),
            "document_type": doc.get("type"),
            "abstract": doc.get("abstract"),
            "publication_date": doc.get("publication_date"),
            "effective_on": doc.get("effective_on"),
            "html_url": doc.get("html_url"),
            "pdf_url": doc.get("pdf_url"),
            "_line": index + 1,
            "_row_json": json.dumps(doc, ensure_ascii=False)[:2000],
        }
        for index, doc in enumerate(item if isinstance(item, dict) else {} for item in results)
    ]
    text_schema = {**SCHEMA, "publication_date": pl.String, "effective_on": pl.String}
    frame = pl.DataFrame(rows, schema=text_schema, orient="row").with_columns(
        pl.col("publication_date", "effective_on").str.to_date("%Y-%m-%d", strict=False)
    )
    return Load(frame, quarantine_records([], path.name), len(rows), (path.name,))


def empty_federal_register() -> pl.DataFrame:
    return pl.DataFrame(schema={k: v for k, v in SCHEMA.items() if not k.startswith("_")})
