"""Errors raised by the ingestion connectors."""


class SourceFormatError(ValueError):
    """A source file does not have the shape its connector expects."""
