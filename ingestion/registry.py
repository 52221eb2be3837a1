"""Every source chipwatch lands, declared once.

A `Source` says where its files are (a curated file in `data/reference/` or an inbox folder
under `data/inbox/`), the raw table it lands in, its columns, its rules (the raw suite:
`validation.expectations`), how to read a file DuckDB cannot read by itself, how old its newest
figure may be, and which scheduled run refreshes it. The Dagster assets, the inbox sensor, the
jobs, the freshness checks and the raw suites are all made from this list; a test checks that
dbt's `_sources.yml` names the same tables.

Adding a source: one entry in `SOURCES` (and, for a format DuckDB cannot read, one reader in
`ingestion/` returning a `Load`). Plain data: importing it imports no reader and no polars.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ingestion.lazy import imported_on_call
from ingestion.reference_tables import REFERENCE_TABLES
from validation.expectations import (
    CONFIDENCE_LEVELS,
    MARKETS,
    ORIGINS,
    SHARE_BASES,
    SOURCE_KINDS,
    Expectation,
    between,
    chip_specs,
    has_rows,
    in_set,
    not_before,
    not_in_future,
    not_null,
    provenance,
    source_kinds,
    unique,
    unique_together,
)

if TYPE_CHECKING:
    from ingestion.quarantine import Load

# The scheduled run that refreshes a source (orchestration/jobs.py): the daily market run, the
# weekly reference run, the inbox sensor only (files too large to re-read every week), or the
# daily price partitions.
GROUPS = ("market", "reference", "bulk", "prices")


@dataclass(frozen=True)
class Column:
    """A column DuckDB reads from a file: the headers it may appear under, its type, its cleaning."""

    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "varchar"
    required: bool = False  # the file must have a header for it
    case: str | None = None  # "lower" or "upper": codes compared with a set
    default: str | None = None  # SQL over the canonical columns, for an absent column or empty cell


@dataclass(frozen=True)
class Freshness:
    newest: str  # SQL expression giving the date of the newest figure in raw.<table>
    max_age_days: int | None  # None: one trading day
    publishes: str = ""  # when the publisher releases newer figures, shown beside a stale result


@dataclass(frozen=True)
class Source:
    table: str
    description: str
    rules: tuple[Expectation, ...]
    group: str = "reference"
    file_name: str | None = None  # a curated file in data/reference/
    folder: str | None = None  # an inbox folder in data/inbox/
    suffixes: tuple[str, ...] = (".csv",)
    # DuckDB reads the files by these columns when it can; `reader` reads the rest.
    columns: tuple[Column, ...] = ()
    reader: Callable[[Path], Load] | None = None
    # An empty or missing folder lands an empty table (else it is an error): `empty` gives the
    # reader's empty frame, or None when `columns` give the table's shape.
    may_be_empty: bool = False
    empty: Callable[[], object] | None = None
    code_file: str | None = None  # a source made by code (its module, in the project), not read from files
    freshness: Freshness | None = None
    # Row-wise rules Great Expectations audits instead of the lander setting rows aside: a breach
    # refuses the whole load (a curated file is the project's own: a wrong value is fixed).
    audited: tuple[Expectation, ...] = ()
    partitioned: bool = False  # one Dagster partition per day of `date` (daily prices)
    kinds: frozenset[str] = field(default_factory=lambda: frozenset({"polars", "duckdb"}))

    def __post_init__(self):
        assert self.group in GROUPS, self.group
        assert (self.file_name, self.folder, self.code_file).count(None) == 2, self.table

    @property
    def what(self) -> str:
        """The source as a person names it: its file or its inbox folder."""
        return self.file_name or (f"the {self.folder} inbox" if self.folder else self.table)


def curated(
    name: str, description: str, *rules: Expectation, group="reference", freshness=None, kind_rules=True
) -> Source:
    """A curated file of data/reference/ (columns in `ingestion.reference_tables`). Besides `rules`,
    every row names its source, its as-of date (not in the future) and its confidence, and (with
    `kind_rules`, `source_kinds()`) the kind of source it cites. A row with an empty first column (its key)
    or a future as-of date is set aside; any other rule's breach refuses the file, for a person to fix."""
    rules = (
        *rules,
        *provenance(),
        not_in_future("as_of", days_ahead=0),
        *(source_kinds() if kind_rules else ()),
    )
    table = REFERENCE_TABLES[name]
    set_aside = [not_null(next(iter(table.columns))), *(r for r in rules if r.kind == "NotInFuture")]
    return Source(
        name,
        description,
        (*set_aside, *(r for r in rules if r.kind == "ExpectTableRowCountToBeBetween")),
        audited=tuple(r for r in rules if r not in set_aside and r.kind != "ExpectTableRowCountToBeBetween"),
        group=group,
        file_name=table.file_name,
        reader=partial(imported_on_call("ingestion.reference:load_reference_csv"), table=table),
        freshness=freshness,
    )


CARD_STATUSES = ["active", "spare", "failed", "retired"]
POLICY_EVENT_TYPES = [
    "export_rule",
    "licence_policy",
    "compute_target",
    "domestic_chip_requirement",
    "regulatory_action",
    "tariff",
]

# Provenance columns a card or procurement file may carry.
FILE_PROVENANCE = (
    Column("dataset", ("Dataset", "数据集"), case="lower", default="'reported'"),
    Column("source_name", ("Source", "Source Name", "来源")),
    Column("source_url", ("Source URL", "URL", "来源链接")),
    Column("confidence", ("Confidence", "置信度"), case="lower"),
)
DATACENTER_ID = Column(
    "datacenter_id", ("Data Centre ID", "Data Center ID", "DC ID", "数据中心编号"), required=True
)
CHIP_NAME = Column(
    "chip_name", ("Chip", "Chip Name", "Accelerator", "Card Model", "芯片", "芯片型号"), required=True
)

SOURCES: tuple[Source, ...] = (
    curated(
        "chips",
        "Curated accelerator specifications.",
        has_rows(20),
        unique("chip_name"),
        not_null("vendor"),
        in_set("origin", ORIGINS),
        *chip_specs(),
        between("int8_tops", 0.1, 1_000_000),
        between("die_area_mm2", 10, 5_000),
        between("interconnect_gbps", 1, 100_000),
        between("price_usd", 1, 10_000_000),
        freshness=Freshness("max(as_of)", 31),
    ),
    curated(
        "export_control_rules",
        "US export-control rule versions with their ECCN 3A090 thresholds as columns.",
        has_rows(2),
        unique("rule_id"),
        not_null("effective_date"),
        between("a_tpp_min", 1, None),
        between("a_pd_min", 0, None),
        freshness=Freshness("max(as_of)", 92),
    ),
    curated(
        "policy_events",
        "Dated US and Chinese policy events (export rules, licence decisions, domestic-chip requirements).",
        has_rows(10),
        unique("event_id"),
        not_null("event_date"),
        in_set("jurisdiction", ["US", "CN"]),
        in_set("event_type", POLICY_EVENT_TYPES),
        in_set("licence_status", ["not controlled", "licence required", "case-by-case", "prohibited"]),
        between("min_domestic_share", 0, 1),
        freshness=Freshness("max(as_of)", 31),
    ),
    curated(
        "nvidia_revenue",
        "Curated NVIDIA revenue observations: by market platform, segment, geography and product, "
        "per fiscal quarter or year, one row per source per figure.",
        has_rows(8),
        unique_together("fiscal_year", "fiscal_period", "line_type", "line", "source_name"),
        in_set("fiscal_period", ["Q1", "Q2", "Q3", "Q4", "FY"]),
        in_set("line_type", ["market", "sub_market", "segment", "geography", "product", "total"]),
        not_null("line"),
        between("revenue_usd_m", 0, 1_000_000),
        in_set("source_kind", SOURCE_KINDS),
        kind_rules=False,
        group="market",
        # NVIDIA publishes every quarter: the newest curated figure (as_of = its publication) is
        # at most a quarter old.
        freshness=Freshness("max(as_of) filter (where revenue_usd_m is not null)", 100),
    ),
    curated(
        "market_share_estimates",
        "Published estimates of accelerator market shares, one row per vendor, period, market, "
        "basis, publisher and publication date.",
        has_rows(10),
        unique_together("period", "market", "basis", "publisher", "published_date", "vendor"),
        in_set("market", MARKETS),
        in_set("basis", SHARE_BASES),
        in_set("origin", ORIGINS),
        in_set("forecast", ["true", "false"]),
        in_set("covers_market", ["true", "false"]),
        in_set("source_kind", SOURCE_KINDS),
        not_null("publisher"),
        not_null("published_date"),
        between("value", 0, 1e13),
        between("value_low", 0, 1e13),
        between("value_high", 0, 1e13),
        between("reported_share", 0, 1),
        kind_rules=False,
        group="market",
        freshness=Freshness("max(as_of)", 366),
    ),
    curated(
        "funding_events",
        "Listings, IPO applications and private rounds of accelerator makers.",
        has_rows(5),
        not_null("event_date"),
        in_set("event_type", ["ipo", "ipo_application", "round", "placement"]),
        in_set("currency", ["CNY", "HKD", "USD"]),
        between("offer_price", 0.01, None),
        between("amount_raised", 0, None),
        between("oversubscription", 1, None),
        # Where the amount as written can be read, it agrees with the numeric column.
        in_set("amount_matches_as_written", [True]),
        freshness=Freshness("max(as_of)", 31),
    ),
    curated(
        "company_financials",
        "Annual revenue and net profit of the listed domestic chip makers, one row per source per figure.",
        has_rows(20),
        unique_together("company", "fiscal_year", "metric", "source_name"),
        not_null("fiscal_year"),
        not_null("value"),
        not_null("source_url"),
        in_set("metric", ["revenue", "net_profit_attributable", "net_profit"]),
        in_set("currency", ["CNY", "HKD", "USD"]),
        in_set("unit", ["million"]),
        in_set("source_kind", SOURCE_KINDS),
        between("fiscal_year", 2000, 2100),
        kind_rules=False,
        freshness=Freshness(
            "max(as_of)",
            366,
            "annual reports: Shanghai and Hong Kong listed companies publish them by the end of April",
        ),
    ),
    curated(
        "claims",
        "The seed article's claims C1-C13, in Chinese and English.",
        has_rows(13),
        unique("claim_id"),
        not_null("claim_zh"),
        not_null("claim_en"),
    ),
    curated(
        "claim_parts",
        "The figures of the seed article's claims, one row per figure.",
        has_rows(13),
        unique("part_id"),
        not_null("part_en"),
    ),
    curated(
        "figure_observations",
        "Sourced observations of single figures of the curated tables, one per source (docs/SOURCES.md).",
        has_rows(1),
        not_null("record_key"),
        not_null("field"),
        unique_together("table_name", "record_key", "field", "source_name"),
    ),
    curated(
        "fx_rates",
        "Monthly USD value of one unit of CNY and HKD, with sources.",
        has_rows(1),
        unique_together("currency", "rate_date"),
        in_set("currency", ["CNY", "HKD", "USD"]),
        between("usd_per_unit", 0.0001, 10),
        kind_rules=False,
        group="market",
        # A month's average is dated the 1st and published early in the next month, so a current
        # table's newest month is up to two months old. USD's identity rows say nothing of currency.
        freshness=Freshness(
            "max(rate_date) filter (where currency <> 'USD')",
            62,
            "the Federal Reserve's G.5 gives each month's average on the first business day of the next",
        ),
    ),
    curated(
        "cost_assumptions",
        "Assumptions of the cost models (service life, power price, utilisation, PUE, card prices).",
        has_rows(4),
        not_null("value"),
        unique_together("parameter", "chip_name"),
        between("value", 0, 1_000_000),
    ),
    curated(
        "cluster_scenarios",
        "Cluster designs compared by the cluster cost model, the seed article's claim C10 among them.",
        has_rows(2),
        unique("scenario_id"),
        not_null("baseline_scenario_id"),
        not_null("chip_name"),
        between("chip_count", 1, 10_000_000),
        between("scaling_efficiency", 0.01, 1),
        between("overhead_share", 0, 10),
        between("market_premium", 0, 10),
        between("chip_price_usd", 1, 10_000_000),
    ),
    Source(
        "epoch_ml_hardware",
        "Epoch AI Machine Learning Hardware CSV, every edition in the inbox, units converted.",
        (
            has_rows(50),
            not_null("hardware_name"),
            unique_together("_file_id", "hardware_name"),
            *chip_specs(),
            between("tpp", 0, 10_000_000),
        ),
        folder="epoch_ml_hardware",
        reader=imported_on_call("ingestion.epoch_hardware:load_epoch_ml_hardware"),
        freshness=Freshness("max(cast(last_modified as date))", 31),
    ),
    Source(
        "epoch_gpu_clusters",
        "Epoch AI GPU Clusters CSV, every edition in the inbox.",
        (
            has_rows(50),
            not_null("cluster_name"),
            between("chip_quantity", 0, 100_000_000),
            between("h100_equivalents", 0, 100_000_000),
            between("power_mw", 0, 100_000),
        ),
        folder="epoch_gpu_clusters",
        reader=imported_on_call("ingestion.epoch_clusters:load_epoch_gpu_clusters"),
        # The newest cluster Epoch lists as existing, by its first operational date (a planned
        # cluster's date passes by itself): Epoch adds a cluster months after it starts (the
        # November 2025 edition's newest is of 2025-07-22).
        freshness=Freshness("max(first_operational_date) filter (where status = 'Existing')", 183),
    ),
    Source(
        "epoch_ai_chip_counts",
        "Epoch AI chip sales estimates (ai-chip-counts CSV exports): H100-equivalents and units by "
        "maker, quarter, owner or chip type, with 5th and 95th percentiles.",
        (
            has_rows(20),
            *(
                not_null(column)
                for column in ("estimate_name", "manufacturer", "start_date", "end_date", "h100e_median")
            ),
            unique_together("_file_id", "estimate_name"),
            not_before("end_date", "start_date", or_equal=False),
            *(
                rule
                for measure in ("h100e", "units")
                for rule in (
                    not_before(f"{measure}_median", f"{measure}_p5"),
                    not_before(f"{measure}_p95", f"{measure}_median"),
                    between(f"{measure}_median", 0, 1_000_000_000),
                    between(f"{measure}_p5", 0, 1_000_000_000),
                    between(f"{measure}_p95", 0, 1_000_000_000),
                )
            ),
        ),
        folder="epoch_ai_chip_counts",
        reader=imported_on_call("ingestion.epoch_chip_counts:load_epoch_ai_chip_counts"),
        freshness=Freshness("max(estimated_on)", 120),
    ),
    Source(
        "nvidia_revenue_by_market",
        "NVIDIA Revenue by Market quarterly trend PDFs: every figure of every edition in the inbox.",
        (
            has_rows(8),
            unique_together("edition", "fiscal_year", "fiscal_quarter", "segment"),
            between("fiscal_quarter", 1, 4),
            between("revenue_usd_m", -100_000, 1_000_000),
        ),
        group="market",
        folder="nvidia_revenue",
        suffixes=(".pdf",),
        reader=imported_on_call("ingestion.nvidia_revenue:load_revenue_by_market_pdf"),
        # The end of the newest quarter an edition reports (NVIDIA's fiscal year ends in late
        # January): a quarter plus the month the PDF takes to come out, as for the filings.
        freshness=Freshness(
            "max(last_day(make_date(fiscal_year - 1, 1, 1) + to_months(3 * fiscal_quarter)))", 130
        ),
    ),
    Source(
        "fred_fx_monthly",
        "FRED monthly CNY and HKD per USD (Fed H.10 averages), every download in the fx_rates inbox; "
        "empty until one is fetched or dropped there.",
        (
            not_null("observation_date"),
            not_null("units_per_usd"),
            in_set("currency", ["CNY", "HKD"]),
            between("units_per_usd", 0.01, 1_000),
            unique_together("_file_id", "series_id", "observation_date"),
        ),
        folder="fx_rates",
        reader=imported_on_call("ingestion.fx_fred:load_fred_fx_csv"),
        may_be_empty=True,
        empty=imported_on_call("ingestion.fx_fred:empty_fred_fx"),
    ),
    Source(
        "federal_register_candidates",
        "Federal Register documents of the Bureau of Industry and Security on advanced computing, "
        "as review candidates (never a classification); empty until an API answer is fetched.",
        (
            not_null("document_number"),
            not_null("title"),
            not_null("publication_date"),
            unique_together("_file_id", "document_number"),
        ),
        folder="federal_register",
        suffixes=(".json",),
        reader=imported_on_call("ingestion.federal_register:load_federal_register_json"),
        may_be_empty=True,
        empty=imported_on_call("ingestion.federal_register:empty_federal_register"),
    ),
    Source(
        "sec_filing_facts",
        "SEC 10-K / 10-Q filings in inline XBRL: every numeric fact with its period and dimensions.",
        (
            has_rows(100),
            not_null("concept"),
            not_null("context_id"),
            not_null("value"),
            not_null("document_type"),
            not_null("document_period_end_date"),
            unique_together("_file_id", "concept", "context_id", "unit"),
            between("fiscal_year_end_month", 1, 12),
        ),
        group="market",
        folder="sec_filings",
        suffixes=(".htm", ".html", ".xhtml"),
        reader=imported_on_call("ingestion.sec_filings:load_sec_filing"),
        # The newest filing's period ended at most a quarter plus the month a 10-Q takes to be filed ago.
        freshness=Freshness("max(document_period_end_date)", 130),
    ),
    Source(
        "daily_prices",
        "Daily OHLCV rows from every price file in data/inbox/prices/, one partition per day, landed "
        "by DuckDB's CSV reader (the careful reader for the files and lines it cannot read).",
        (
            not_null("date"),
            not_null("ticker"),
            not_null("close"),
            not_in_future("date", days_ahead=1),
            unique_together("ticker", "date"),
            between("close", 0.0001, 10_000_000),
            between("open", 0.0001, 10_000_000),
            between("volume", 0, None),
            in_set("dataset", ["reported", "synthetic"]),
        ),
        group="prices",
        folder="prices",
        columns=(
            Column("date", ("Date", "Trade Date", "日期", "交易日期"), "date", required=True),
            Column(
                "ticker",
                ("Ticker", "Symbol", "Code", "代码", "证券代码", "股票代码"),
                required=True,
                case="upper",
            ),
            Column("open", ("Open", "开盘", "开盘价"), "double"),
            Column("high", ("High", "最高", "最高价"), "double"),
            Column("low", ("Low", "最低", "最低价"), "double"),
            Column("close", ("Close", "收盘", "收盘价"), "double", required=True),
            Column("volume", ("Volume", "成交量"), "double"),
            Column("currency", ("Currency", "币种"), case="upper"),
            Column("dataset", ("Dataset",), default="'reported'"),
            Column("source_row", kind="bigint"),
        ),
        reader=imported_on_call("ingestion.prices:load_price_file"),
        may_be_empty=True,
        freshness=Freshness("max(date)", None),
        partitioned=True,
    ),
    Source(
        "card_inventory",
        "One row per accelerator card of a data centre, from every CSV in data/inbox/card_inventory/ "
        "(key card_serial), landed by DuckDB's CSV reader.",
        (
            not_null("card_serial"),
            unique("card_serial"),
            not_null("datacenter_id"),
            not_null("chip_name"),
            not_null("status"),
            in_set("status", CARD_STATUSES),
            in_set("dataset", ["reported", "synthetic"]),
            in_set("confidence", CONFIDENCE_LEVELS),
        ),
        group="bulk",
        folder="card_inventory",
        columns=(
            Column(
                "card_serial",
                ("Card Serial", "Serial", "Serial Number", "SN", "序列号", "卡序列号"),
                required=True,
            ),
            DATACENTER_ID,
            Column(
                "datacenter_name",
                ("Data Centre", "Data Center", "Data Centre Name", "数据中心", "数据中心名称"),
            ),
            Column("province", ("Province", "省份")),
            Column("sector", ("Sector", "行业"), case="lower"),
            Column("state_funded", ("State Funded", "State-Funded", "国资"), "boolean"),
            Column("first_operational_date", ("Go-Live Date", "First Operational Date", "投产日期"), "date"),
            Column("server_id", ("Server ID", "Server", "服务器编号")),
            CHIP_NAME,
            Column("status", ("Status", "Card Status", "状态"), required=True, case="lower"),
            Column("installed_on", ("Installed On", "Install Date", "Installation Date", "安装日期"), "date"),
            *FILE_PROVENANCE,
        ),
        may_be_empty=True,
        kinds=frozenset({"duckdb"}),
    ),
    Source(
        "procurement_lines",
        "One row per purchase-order line for accelerator cards, from every CSV in "
        "data/inbox/procurement/ (key po_line_id), landed by DuckDB's CSV reader.",
        (
            not_null("po_line_id"),
            unique("po_line_id"),
            not_null("datacenter_id"),
            not_null("chip_name"),
            not_null("order_date"),
            not_null("currency"),
            not_null("units"),
            not_null("amount"),
            between("units", 0, 10_000_000),
            between("unit_price", 0, 100_000_000),
            between("amount", 0, None),
            not_before("delivery_date", "order_date"),
            in_set("dataset", ["reported", "synthetic"]),
            in_set("confidence", CONFIDENCE_LEVELS),
        ),
        group="bulk",
        folder="procurement",
        columns=(
            Column(
                "po_line_id",
                ("PO Line ID", "PO Line", "Order Line", "订单行号", "采购订单行号"),
                required=True,
            ),
            DATACENTER_ID,
            Column("order_date", ("Order Date", "PO Date", "下单日期", "订单日期"), "date", required=True),
            Column("delivery_date", ("Delivery Date", "Delivered", "交付日期", "到货日期"), "date"),
            CHIP_NAME,
            Column("units", ("Units", "Quantity", "Qty", "数量"), "bigint", required=True),
            Column("unit_price", ("Unit Price", "Price", "单价"), "double"),
            Column("currency", ("Currency", "币种"), required=True, case="upper"),
            Column(
                "amount",
                ("Amount", "Line Amount", "Total", "金额", "总金额"),
                "double",
                default="round(units * unit_price, 2)",
            ),
            *FILE_PROVENANCE,
        ),
        may_be_empty=True,
        kinds=frozenset({"duckdb"}),
    ),
    Source(
        "synthetic_datacenters",
        "Synthetic Chinese AI data centres and their cards, generated from a fixed seed "
        "(ingestion/synthetic_datacenters.py); every row has dataset = 'synthetic'.",
        (
            has_rows(10),
            unique_together("datacenter_id", "chip_name"),
            not_null("datacenter_id"),
            not_null("sector"),
            not_null("chip_name"),
            between("cards", 1, 10_000_000),
            in_set("dataset", ["synthetic"]),
            *provenance(),
        ),
        code_file="ingestion/synthetic_datacenters.py",
        reader=imported_on_call("ingestion.synthetic_datacenters:load_synthetic_datacenters"),
    ),
)

BY_TABLE = {source.table: source for source in SOURCES}


def in_group(group: str) -> tuple[Source, ...]:
    return tuple(source for source in SOURCES if source.group == group)
