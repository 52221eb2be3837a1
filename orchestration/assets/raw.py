"""One asset per source of the registry (`ingestion.registry`): land its files in `raw.<table>`.

Every asset lands through the one lander (`ingestion.lander.land`): the rows its rules refuse go
to `quarantine.<table>`, Great Expectations audits the table-level rules before the commit, and
the load's books (rows read = landed + quarantined) are the blocking `accounting` check.
"""

import warnings
from datetime import timedelta

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    BackfillPolicy,
    BetaWarning,
    DailyPartitionsDefinition,
    MetadataValue,
    asset,
)
from dagster_duckdb import DuckDBResource

from ingestion.registry import SOURCES, Source
from orchestration.assets.landing import WAREHOUSE_POOL, WRITER_RETRY, raw_check_specs, report_landing

# Single-run backfills are what the price asset is built for; Dagster labels the parameter beta.
warnings.filterwarnings("ignore", category=BetaWarning, message=".*backfill_policy.*")
# From 1990: vendor exports carry the whole listed history (NVIDIA listed in 1999).
daily_partitions = DailyPartitionsDefinition(start_date="1990-01-01", end_offset=1)


def partition_range(days):
    """The partitions to run for rows dated `days` (first, last); rows before the first partition
    are counted as rows of other partitions by the load, never landed."""
    if days is None or days[1] < daily_partitions.start.date():
        return None
    return max(days[0], daily_partitions.start.date()), days[1]


def raw_asset(source: Source) -> AssetsDefinition:
    partitioned = {"partitions_def": daily_partitions, "backfill_policy": BackfillPolicy.single_run()}

    @asset(
        key=["raw", source.table],
        group_name="raw",
        pool=WAREHOUSE_POOL,
        retry_policy=WRITER_RETRY,
        kinds=set(source.kinds),
        description=source.description,
        check_specs=raw_check_specs(source.table, source.what),
        **(partitioned if source.partitioned else {}),
    )
    def _raw_asset(context: AssetExecutionContext, duckdb: DuckDBResource):
        # Imported here, not at module level, so that loading the code location stays fast.
        from ingestion.inbox import inbox_root
        from ingestion.lander import land, source_files
        from ingestion.rules import audit_rules
        from validation.runner import validator

        files = source_files(source)
        window = None
        if source.partitioned:
            time_window = context.partition_time_window
            window = (time_window.start.date(), time_window.end.date() - timedelta(days=1))
        if not files:
            context.log.info(f"No file in {source.what}: raw.{source.table} is left empty.")
        suite = audit_rules(source)
        with duckdb.get_connection() as con:
            landing = land(
                con,
                source,
                files,
                window=window,
                run_id=context.run.run_id,
                validate=validator(source.table, suite),
            )
        metadata = {
            "source": MetadataValue.path(str(inbox_root() / source.folder if source.folder else files[0])),
            "files": MetadataValue.json(list(landing.files)),
            **(
                {"read_by_the_careful_reader": MetadataValue.json(list(landing.careful_files))}
                if source.columns
                else {}
            ),
            **({"first_day": str(window[0]), "days": (window[1] - window[0]).days + 1} if window else {}),
            **({} if files else {"note": f"no file in {source.what}: nothing landed"}),
        }
        yield from report_landing(source.table, landing, metadata)

    return _raw_asset


raw_assets = [raw_asset(source) for source in SOURCES]
daily_prices = next(a for a, s in zip(raw_assets, SOURCES, strict=True) if s.partitioned)
