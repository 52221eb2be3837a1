"""One asset per inbox source: read every file a user dropped in `data/inbox/<source>/`."""

from dataclasses import dataclass

from dagster import AssetExecutionContext, AssetsDefinition, MetadataValue, asset
from dagster_duckdb import DuckDBResource

from orchestration.assets.landing import WAREHOUSE_POOL, WRITER_RETRY, raw_check_specs, validate_and_land


@dataclass(frozen=True)
class InboxSource:
    folder: str
    table: str
    suffixes: tuple[str, ...]
    reader: str  # "module:function" in ingestion/ returning a Load, imported at run time
    description: str
    # "module:function" returning the table's empty frame: an empty folder lands an empty table
    # (sources only fetched when fetching is on); None: an empty folder is an error.
    empty: str | None = None


INBOX_SOURCES = (
    InboxSource(
        "epoch_ml_hardware",
        "epoch_ml_hardware",
        (".csv",),
        "ingestion.epoch_hardware:load_epoch_ml_hardware",
        "Epoch AI Machine Learning Hardware CSV, every edition in the inbox, units converted.",
    ),
    InboxSource(
        "epoch_gpu_clusters",
        "epoch_gpu_clusters",
        (".csv",),
        "ingestion.epoch_clusters:load_epoch_gpu_clusters",
        "Epoch AI GPU Clusters CSV, every edition in the inbox.",
    ),
    InboxSource(
        "epoch_ai_chip_counts",
        "epoch_ai_chip_counts",
        (".csv",),
        "ingestion.epoch_chip_counts:load_epoch_ai_chip_counts",
        "Epoch AI chip sales estimates (ai-chip-counts CSV exports): H100-equivalents and units "
        "by maker, quarter, owner or chip type, with 5th and 95th percentiles.",
    ),
    InboxSource(
        "nvidia_revenue",
        "nvidia_revenue_by_market",
        (".pdf",),
        "ingestion.nvidia_revenue:load_revenue_by_market_pdf",
        "NVIDIA Revenue by Market quarterly trend PDFs: every figure of every edition in the inbox.",
    ),
    InboxSource(
        "fx_rates",
        "fred_fx_monthly",
        (".csv",),
        "ingestion.fx_fred:load_fred_fx_csv",
        "FRED monthly CNY and HKD per USD (Fed H.10 averages), every download in the fx_rates inbox; "
        "empty until one is fetched or dropped there.",
        empty="ingestion.fx_fred:empty_fred_fx",
    ),
    InboxSource(
        "federal_register",
        "federal_register_candidates",
        (".json",),
        "ingestion.federal_register:load_federal_register_json",
        "Federal Register documents of the Bureau of Industry and Security on advanced computing, "
        "as review candidates (never a classification); empty until an API answer is fetched.",
        empty="ingestion.federal_register:empty_federal_register",
    ),
    InboxSource(
        "sec_filings",
        "sec_filing_facts",
        (".htm", ".html", ".xhtml"),
        "ingestion.sec_filings:load_sec_filing",
        "SEC 10-K / 10-Q filings in inline XBRL: every numeric fact with its period and dimensions.",
    ),
)


def inbox_asset(source: InboxSource) -> AssetsDefinition:
    @asset(
        key=["raw", source.table],
        group_name="raw",
        pool=WAREHOUSE_POOL,
        retry_policy=WRITER_RETRY,
        kinds={"polars", "duckdb"},
        description=source.description,
        check_specs=raw_check_specs(source.table, f"the {source.folder} inbox"),
    )
    def _inbox_asset(context: AssetExecutionContext, duckdb: DuckDBResource):
        from importlib import import_module

        from ingestion.inbox import empty_load, inbox_files, inbox_root, load_inbox

        def imported(name: str):
            module, function = name.split(":")
            return getattr(import_module(module), function)

        files = inbox_files(source.folder, source.suffixes, allow_empty=source.empty is not None)
        if files:
            load = load_inbox(source.folder, source.suffixes, imported(source.reader))
        else:
            context.log.info(f"No file in the {source.folder} inbox: raw.{source.table} is left empty.")
            load = empty_load(imported(source.empty)())
        metadata = {
            "inbox": MetadataValue.path(str(inbox_root() / source.folder)),
            "files": MetadataValue.json([path.name for path in files]),
        }
        yield from validate_and_land(source.table, load, duckdb, metadata, run_id=context.run.run_id)

    return _inbox_asset


inbox_assets = [inbox_asset(source) for source in INBOX_SOURCES]
