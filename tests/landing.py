"""Land files through the product's one lander into an in-memory DuckDB, for tests of readers and
rules: what `raw.<table>` and `quarantine.<table>` would hold."""

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from ingestion.lander import PROVENANCE, Landing, land
from ingestion.registry import BY_TABLE, Source


@dataclass
class Landed:
    frame: pl.DataFrame  # raw.<table>, without the provenance columns
    quarantined: pl.DataFrame  # quarantine.<table>: source_file, line, reason, row_json
    landing: Landing


def land_files(table: str | Source, *paths: Path) -> Landed:
    source = BY_TABLE[table] if isinstance(table, str) else table
    with duckdb.connect() as con:
        landing = land(con, source, [Path(p) for p in paths])
        frame = con.execute(f'select * exclude ({", ".join(PROVENANCE)}) from raw."{source.table}"').pl()
        quarantined = con.execute(
            "select source_file, line, reason, row_json "
            f'from quarantine."{source.table}" order by source_file, line'
        ).pl()
    return Landed(frame, quarantined, landing)


def landed_rows(table: str | Source, *paths: Path) -> pl.DataFrame:
    """What raw.<table> holds after landing `paths`: the rows not set aside."""
    return land_files(table, *paths).frame
