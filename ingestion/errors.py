"""Errors raised by the ingestion connectors."""


class SourceFormatError(ValueError):
    """A source file does not have the shape its connector expects."""


class InboxError(ValueError):
    """An inbox folder holds nothing to read, or a path that escapes it."""
