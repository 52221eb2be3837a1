"""Plain polars functions that read chipwatch's sources and land them in DuckDB.

Nothing here imports Dagster: every function is testable on its own.
"""
