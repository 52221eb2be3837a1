"""Freshness: how old is each source's newest figure, against a window that suits the source.

Warnings, not blocking: stale data is still the best data the warehouse has, and the run
summary and the UI say how stale it is.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey, multi_asset_check
from dagster_duckdb import DuckDBResource

from serving.status import FRESHNESS_CHECK


@dataclass(frozen=True)
class Freshness:
    table: str
    newest: str  # SQL expression giving the date of the newest figure in raw.<table>
    max_age_days: int | None  # None: one trading day
    publishes: str = ""  # when the publisher releases newer figures, shown beside a stale result


WINDOWS = (
    Freshness("daily_prices", "max(date)", None),
    # A month's average is dated the 1st and published early in the next month, so a current
    # table's newest month is up to two months old. USD's identity rows say nothing of currency.
    Freshness(
        "fx_rates",
        "max(rate_date) filter (where currency <> 'USD')",
        62,
        "the Federal Reserve's G.5 gives each month's average on the first business day of the next",
    ),
    Freshness("chips", "max(as_of)", 31),
    Freshness("epoch_ml_hardware", "max(cast(last_modified as date))", 31),
    Freshness("epoch_gpu_clusters", "max(file_modified_date)", 31),
    Freshness("epoch_ai_chip_counts", "max(estimated_on)", 120),
    Freshness("nvidia_revenue_by_market", "max(file_modified_date)", 100),
    # NVIDIA publishes every quarter: the newest curated figure (as_of = its publication) is at
    # most a quarter old; the newest filing's period ended at most a quarter plus the month a
    # 10-Q takes to be filed ago.
    Freshness("nvidia_revenue", "max(as_of) filter (where revenue_usd_m is not null)", 100),
    Freshness("sec_filing_facts", "max(document_period_end_date)", 130),
    Freshness("market_share_estimates", "max(as_of)", 366),
    Freshness(
        "company_financials",
        "max(as_of)",
        366,
        "annual reports: Shanghai and Hong Kong listed companies publish them by the end of April",
    ),
    Freshness("funding_events", "max(as_of)", 31),
    Freshness("policy_events", "max(as_of)", 31),
    Freshness("export_control_rules", "max(as_of)", 92),
)


def previous_trading_day(today: date) -> date:
    """The last weekday before `today` (exchange holidays are not modelled)."""
    day = today - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def is_fresh(newest: date | None, window: Freshness, today: date) -> bool:
    if newest is None:
        return False
    if window.max_age_days is None:
        return newest >= previous_trading_day(today)
    return (today - newest).days <= window.max_age_days


def summary(newest: date | None, age: int | None, fresh: bool, window: Freshness) -> str:
    if newest is None:
        return "no figure loaded"
    text = f"newest figure {newest}, {age} days old"
    return text if fresh or not window.publishes else f"{text}; {window.publishes}"


@multi_asset_check(
    specs=[
        AssetCheckSpec(
            FRESHNESS_CHECK,
            asset=AssetKey(["raw", window.table]),
            description=(
                "Newest figure at most one trading day old."
                if window.max_age_days is None
                else f"Newest figure at most {window.max_age_days} days old."
            )
            + (f" Publisher: {window.publishes}." if window.publishes else ""),
        )
        for window in WINDOWS
    ],
    can_subset=True,
    name="source_freshness",
)
def source_freshness(context, duckdb: DuckDBResource):
    import duckdb as duckdb_module

    today = date.today()
    selected = {key.asset_key.path[-1] for key in context.selected_asset_check_keys}
    with duckdb.get_connection() as con:
        for window in (w for w in WINDOWS if w.table in selected):
            try:
                newest = con.execute(f"select {window.newest} from raw.{window.table}").fetchone()[0]
            except duckdb_module.CatalogException:
                newest = None
            fresh = is_fresh(newest, window, today)
            age = (today - newest).days if newest else None
            yield AssetCheckResult(
                asset_key=AssetKey(["raw", window.table]),
                check_name=FRESHNESS_CHECK,
                passed=fresh,
                severity=AssetCheckSeverity.WARN,
                metadata={
                    "newest": str(newest),
                    "age_days": age if age is not None else -1,
                    "summary": summary(newest, age, fresh, window),
                },
            )
