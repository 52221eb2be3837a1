"""The cold build's raw landings alone, without Dagster: every source of the registry landed into
a new warehouse, each with its rules, quarantine, accounting and GX raw suite, as the raw assets
land them. Prints JSON: the seconds of the landings, after the imports and GX's context are set
up (the floors count `import great_expectations` apart).

    python -m bench.landings WAREHOUSE
"""

import json
import sys
import time
from pathlib import Path


def landing_seconds(warehouse: Path) -> float:
    from bench.ingest import check_landed
    from ingestion.backend import connect
    from ingestion.lander import land, source_files
    from ingestion.registry import SOURCES
    from ingestion.rules import audit_rules
    from validation.runner import _context, validator

    _context()
    start = time.perf_counter()
    with connect(warehouse) as con:
        for source in SOURCES:
            landing = land(
                con,
                source,
                source_files(source),
                validate=validator(source.table, audit_rules(source)),
            )
            check_landed(landing, f"raw.{source.table}")
    return time.perf_counter() - start


if __name__ == "__main__":
    print(json.dumps({"raw_landings_s": landing_seconds(Path(sys.argv[1]))}))
    sys.exit(0)
