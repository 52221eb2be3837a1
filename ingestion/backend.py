"""Where the warehouse lives: one DuckDB file (the default) or a DuckLake catalog in PostgreSQL.

`CHIPWATCH_BACKEND=ducklake` moves every reader and writer (ingestion, dbt, validation,
publishing) onto DuckLake: the catalog in PostgreSQL (`CHIPWATCH_DUCKLAKE_CATALOG`, a libpq
connection string such as `dbname=lake host=127.0.0.1 user=chipwatch`), the data as Parquet
files under `CHIPWATCH_DUCKLAKE_DATA_PATH` (a shared folder or object-store prefix). Any number
of processes on any number of machines can then read and write at once, with snapshot isolation.
The extensions come from their PyPI packages, never from the network.
"""

import importlib.util
import os
import threading
from pathlib import Path

import duckdb

LAKE = "lake"
EXTENSIONS = ("postgres", "ducklake")
MEMORY_LIMIT = "CHIPWATCH_DUCKDB_MEMORY_LIMIT"


def backend() -> str:
    name = os.environ.get("CHIPWATCH_BACKEND", "duckdb")
    if name not in ("duckdb", "ducklake"):
        raise ValueError(f"CHIPWATCH_BACKEND={name!r}: use 'duckdb' (one file, the default) or 'ducklake'.")
    return name


def ducklake_data_path(warehouse: Path | str) -> str:
    """`CHIPWATCH_DUCKLAKE_DATA_PATH`, else `lake_data/` next to the warehouse location."""
    configured = os.environ.get("CHIPWATCH_DUCKLAKE_DATA_PATH") or str(Path(warehouse).parent / "lake_data")
    return configured.rstrip("/") + "/"


def ducklake_attach_sql(warehouse: Path, read_only: bool = False, snapshot: int | None = None) -> str:
    """The ATTACH statement for the DuckLake catalog named by the environment."""
    catalog = os.environ.get("CHIPWATCH_DUCKLAKE_CATALOG")
    if not catalog:
        raise ValueError(
            "CHIPWATCH_BACKEND=ducklake needs CHIPWATCH_DUCKLAKE_CATALOG, a PostgreSQL connection string "
            "such as 'dbname=lake host=127.0.0.1 user=chipwatch'."
        )
    options = [f"DATA_PATH '{ducklake_data_path(warehouse)}'"]
    if schema := os.environ.get("CHIPWATCH_DUCKLAKE_METADATA_SCHEMA"):
        options.append(f"METADATA_SCHEMA '{schema}'")
    if read_only:
        options.append("READ_ONLY")
    if snapshot is not None:
        options.append(f"SNAPSHOT_VERSION {int(snapshot)}")
    return f"ATTACH 'ducklake:postgres:{catalog}' AS {LAKE} ({', '.join(options)})"


def load_bundled_extensions(con: duckdb.DuckDBPyConnection) -> None:
    """Install (once, into DuckDB's extension folder) and load the extensions shipped on PyPI."""
    for name in EXTENSIONS:
        spec = importlib.util.find_spec(f"duckdb_extension_{name}")
        if spec is None:
            raise RuntimeError(f"the package duckdb-extension-{name} is missing: run `make install`.")
        [path] = Path(spec.submodule_search_locations[0]).rglob(f"{name}.duckdb_extension")
        con.install_extension(str(path))
        con.load_extension(name)


def duckdb_config() -> dict:
    """Settings every warehouse connection gets. `CHIPWATCH_DUCKDB_MEMORY_LIMIT` (say `1GB`) caps
    the memory DuckDB uses; beyond it, sorts, joins and aggregates spill to disk."""
    limit = os.environ.get(MEMORY_LIMIT)
    return {"memory_limit": limit} if limit else {}


def without_progress_bar(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """`con`, set to draw no progress bar. DuckDB draws one on stdout, terminal or not, for any
    statement that runs past two seconds: into a CSV, a JSON line, a pipe. A connection's own
    setting, which DuckDB refuses in `config`, so every chipwatch connection is opened through this."""
    con.execute("set enable_progress_bar = false")
    return con


def default_memory_limit() -> str:
    """`CHIPWATCH_DUCKDB_MEMORY_LIMIT`, else DuckDB's own default for this machine."""
    with duckdb.connect() as con:
        return (
            os.environ.get(MEMORY_LIMIT)
            or con.execute("select current_setting('memory_limit')").fetchone()[0]
        )


def install_bundled_extensions() -> None:
    """Put the extensions in DuckDB's extension folder, so `LOAD` (dbt's too) needs no network."""
    with without_progress_bar(duckdb.connect()) as con:
        load_bundled_extensions(con)


def connect(
    warehouse: Path | str, read_only: bool = False, snapshot: int | None = None
) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse: the file `warehouse`, or the DuckLake catalog (whose local
    artefacts, like the serving file, still live next to `warehouse`)."""
    warehouse = Path(warehouse)
    if backend() == "duckdb":
        con = duckdb.connect(str(warehouse), read_only=read_only, config=duckdb_config())
        return without_progress_bar(con)
    con = without_progress_bar(_lake(ducklake_attach_sql(warehouse, read_only, snapshot)).cursor())
    con.execute(f"USE {LAKE}")
    return con


_lakes: dict[tuple, duckdb.DuckDBPyConnection] = {}
_lakes_lock = threading.Lock()


def _lake(attach: str) -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per process with the catalog attached, whose connections `connect`
    hands out (as DuckDB keeps one database per file for the file's connections): loading the two
    extensions and attaching take 0.3 s, a connection to a database that has them 6 ms. Each
    transaction still reads the catalog's newest snapshot, whichever process committed it."""
    config = duckdb_config()
    key = (attach, tuple(sorted(config.items())))
    with _lakes_lock:
        if key not in _lakes:
            _lakes[key] = attached_lake(attach, config)
        return _lakes[key]


def attached_lake(attach: str, config: dict) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB with the extensions loaded and the catalog attached by `attach`. Its
    progress bar is off before the attach, which can itself run past the bar's two seconds."""
    con = without_progress_bar(duckdb.connect(config=config))
    load_bundled_extensions(con)
    con.execute(attach)
    return con


def warehouse_exists(warehouse: Path | str) -> bool:
    return backend() == "ducklake" or Path(warehouse).exists()
