"""The raw suites: each source's rules, as declared in the source registry (`ingestion.registry`)."""

from ingestion.registry import SOURCES
from validation.expectations import Expectation

RAW_SUITES: dict[str, list[Expectation]] = {
    source.table: [*source.rules, *source.audited] for source in SOURCES
}
