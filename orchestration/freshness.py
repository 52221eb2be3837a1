"""Freshness: how old is each source's newest figure, against a window that suits the source.

Warnings, not blocking: stale data is still the best data the warehouse has, and the run
summary and the UI say how stale it is.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey, multi_asset_check
from dagster_duckdb import DuckDBResource

FRESHNESS_CHECK = "freshness"


@dataclass(frozen=True)
class Freshness:
    table: str
    newest: str  # SQL expression giving the date of the newest figure in raw.<table>
    max_age_days: int | None  # None: one trading day


WINDOWS = (
    Freshness("daily_prices", "max(date)", None),
    Freshness("fx_rates", "max(rate_date)", 45),
    Freshness("chips", "max(as_of)", 31),
    Freshness("epoch_ml_hardware", "max(cast(last_modified as date))", 31),
    Freshness("epoch_gpu_clusters", "max(file_modified_date)", 31),
    Freshness("epoch_ai_chip_counts", "max(estimated_on)", 120),
    Freshness("nvidia_revenue_by_market", "max(file_modified_date)", 100),
    Freshness("nvidia_datacenter_revenue", "max(as_of)", 100),
    Freshness("market_share_estimates", "max(as_of)", 366),
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


@multi_asset_check(
    specs=[
        AssetCheckSpec(
            FRESHNESS_CHECK,
            asset=AssetKey(["raw", window.table]),
            description=(
                "Newest figure at most one trading day old."
                if window.max_age_days is None
                else f"Newest figure at most {window.max_age_days} days old."
            ),
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
                    "summary": f"newest figure {newest}, {age} days old" if newest else "no figure loaded",
                },
            )
