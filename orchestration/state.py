"""What the last good build was made from: content hashes of every input, so an unchanged
`make run` can skip work. Plain Python and DuckDB: no Dagster import, so the check is fast."""

import hashlib
import json
from pathlib import Path

import duckdb

from ingestion.backend import connect, warehouse_exists
from ingestion.inbox import inbox_root
from ingestion.paths import PROJECT_ROOT, reference_dir
from ingestion.warehouse import file_sha256

# Code and models: a change to any of them rebuilds everything.
CODE_PATHS = (
    "ingestion",
    "validation",
    "orchestration",
    "serving",
    "dbt_project/models",
    "dbt_project/macros",
)
CODE_FILES = ("dbt_project/dbt_project.yml", "uv.lock")
# What the inbox readers read (the fetchers also keep JSON answers and inline XBRL filings there).
INBOX_SUFFIXES = (".csv", ".pdf", ".json", ".htm")


def _digest(paths: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(bytes.fromhex(file_sha256(path)))  # streamed: inbox files can be gigabytes
    return digest.hexdigest()


def _files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    if not folder.is_dir():
        return []
    return [path for path in folder.rglob("*") if path.is_file() and path.suffix in suffixes]


def input_fingerprints() -> dict[str, str]:
    """One hash per input group: `code`, each reference file, each inbox folder."""
    fingerprints = {
        "code": _digest(
            [p for folder in CODE_PATHS for p in _files(PROJECT_ROOT / folder, (".py", ".sql", ".yml"))]
            + [PROJECT_ROOT / name for name in CODE_FILES if (PROJECT_ROOT / name).exists()],
            PROJECT_ROOT,
        )
    }
    for path in _files(reference_dir(), (".csv",)):
        fingerprints[f"reference/{path.stem}"] = _digest([path], path.parent)
    inbox = inbox_root()
    for folder in sorted(p for p in inbox.iterdir() if p.is_dir()) if inbox.is_dir() else []:
        fingerprints[f"inbox/{folder.name}"] = _digest(_files(folder, INBOX_SUFFIXES), folder)
    return fingerprints


def last_build_fingerprints(warehouse: Path) -> dict[str, str]:
    """The fingerprints recorded by the last successful build, or {} if there is none."""
    if not warehouse_exists(warehouse):
        return {}
    try:
        with connect(warehouse, read_only=True) as con:
            row = con.execute("select fingerprints from meta.build_state").fetchone()
    except duckdb.Error:
        return {}
    return json.loads(row[0]) if row else {}


def record_build(warehouse: Path, fingerprints: dict[str, str], run_id: str) -> None:
    with connect(warehouse) as con:
        con.execute("create schema if not exists meta")
        con.execute(
            "create or replace table meta.build_state as "
            "select ? as fingerprints, ? as run_id, current_timestamp as built_at",
            [json.dumps(fingerprints, sort_keys=True), run_id],
        )


def changed_inputs(current: dict[str, str], previous: dict[str, str]) -> list[str]:
    return sorted(key for key in current.keys() | previous.keys() if current.get(key) != previous.get(key))
