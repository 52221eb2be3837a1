"""Where the project's files live, and where the warehouse is written."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "chipwatch.duckdb"


def warehouse_path() -> Path:
    """The DuckDB warehouse file: `CHIPWATCH_WAREHOUSE` if set, else `warehouse/chipwatch.duckdb`."""
    configured = os.environ.get("CHIPWATCH_WAREHOUSE")
    return Path(configured).resolve() if configured else DEFAULT_WAREHOUSE


def dagster_home() -> Path:
    """The Dagster instance's folder: `DAGSTER_HOME` if set, else `.dagster_home` in the project."""
    configured = os.environ.get("DAGSTER_HOME")
    return Path(configured).resolve() if configured else PROJECT_ROOT / ".dagster_home"


def reference_dir() -> Path:
    """The curated reference CSVs: `CHIPWATCH_REFERENCE_DIR` if set, else `data/reference`."""
    configured = os.environ.get("CHIPWATCH_REFERENCE_DIR")
    return Path(configured).resolve() if configured else DEFAULT_REFERENCE_DIR
