"""Fetchers: download each publisher's new release into its inbox folder (plain Python, no Dagster).

`python -m ingestion.fetch [SOURCE ...]` (what `make fetch` runs) fetches every source once.
A download is kept under its own dated name in `data/inbox/<folder>/` and loaded by the
existing readers and the inbox sensor; every attempt is a row of `meta.fetch_log`.
"""
