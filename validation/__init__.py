"""Great Expectations suites for every stage of the warehouse (raw, staging, marts).

Plain functions with no Dagster imports; GX itself is imported only when a suite runs.
"""
