"""Dagster definitions for chipwatch: they wire ingestion, dbt and validation together."""
