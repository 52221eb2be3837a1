"""Card inventories and procurement lines: inbox folders landed by DuckDB's CSV reader
(`ingestion/card_files.py`), validated in batches before commit. An empty or missing folder lands
an empty table, so the marts built from them build (empty) too."""

from dagster import AssetExecutionContext, AssetsDefinition, MetadataValue, asset
from dagster_duckdb import DuckDBResource

from orchestration.assets.inbox import InboxSource
from orchestration.assets.landing import WAREHOUSE_POOL, WRITER_RETRY, raw_check_specs, report_landing

# `reader` names the lander: (con, paths, run_id, validate) -> ingestion.card_files.BulkLanding.
BULK_INBOX_SOURCES = (
    InboxSource(
        "card_inventory",
        "card_inventory",
        (".csv",),
        "ingestion.card_files:land_card_inventory",
        "One row per accelerator card of a data centre, from every CSV in data/inbox/card_inventory/ "
        "(key card_serial), landed by DuckDB's CSV reader (ingestion/card_files.py).",
    ),
    InboxSource(
        "procurement",
        "procurement_lines",
        (".csv",),
        "ingestion.card_files:land_procurement",
        "One row per purchase-order line for accelerator cards, from every CSV in data/inbox/procurement/ "
        "(key po_line_id), landed by DuckDB's CSV reader (ingestion/card_files.py).",
    ),
)


def bulk_inbox_asset(source: InboxSource) -> AssetsDefinition:
    @asset(
        key=["raw", source.table],
        group_name="raw",
        pool=WAREHOUSE_POOL,
        retry_policy=WRITER_RETRY,
        kinds={"duckdb"},
        description=source.description,
        check_specs=raw_check_specs(source.table, f"the {source.folder} inbox"),
    )
    def _bulk_inbox_asset(context: AssetExecutionContext, duckdb: DuckDBResource):
        from importlib import import_module

        from ingestion.inbox import inbox_files, inbox_root
        from validation.raw_suites import RAW_SUITES
        from validation.runner import validate_relation

        module, function = source.reader.split(":")
        land = getattr(import_module(module), function)
        folder = inbox_root() / source.folder
        files = inbox_files(source.folder, source.suffixes, allow_empty=True)
        if not files:
            context.log.info(f"No CSV file in {folder}: raw.{source.table} is left empty.")
        with duckdb.get_connection() as con:
            landing = land(
                con,
                files,
                run_id=context.run.run_id,
                validate=lambda con, sql: validate_relation(con, sql, source.table, RAW_SUITES[source.table]),
            )
        metadata = {
            "inbox": MetadataValue.path(str(folder)),
            "files": MetadataValue.json(list(landing.files)),
            **({} if files else {"note": f"no CSV file in the {source.folder} inbox: nothing landed"}),
        }
        yield from report_landing(
            source.table,
            landing.validation,
            landing.accounting,
            landing.quarantined,
            landing.rows_read,
            metadata,
            rows_quarantined=landing.rows_quarantined,
        )

    return _bulk_inbox_asset


bulk_inbox_assets = [bulk_inbox_asset(source) for source in BULK_INBOX_SOURCES]
