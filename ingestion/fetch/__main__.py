"""`python -m ingestion.fetch [SOURCE ...]`: fetch every source (or the named ones) once.

Exits 0 when every source answered (new files or none), 1 when an attempt failed (refused
content, an HTTP error, no network): the inbox and the warehouse stay as they were."""

import argparse
import sys

from ingestion.fetch.run import fetch_sources, report
from ingestion.fetch.sources import FETCH_SOURCES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingestion.fetch", description=__doc__)
    parser.add_argument("sources", nargs="*", metavar="SOURCE", help=f"any of: {', '.join(FETCH_SOURCES)}")
    args = parser.parse_args(argv)
    try:
        results = fetch_sources(args.sources or None)
    except ValueError as error:
        parser.error(str(error))
    lines, ok = report(results)
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
