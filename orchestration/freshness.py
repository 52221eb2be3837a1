"""Freshness: how old is each source's newest figure, against a window that suits the source.

Warnings, not blocking: stale data is still the best data the warehouse has, and the run
summary and the UI say how stale it is.
"""

from datetime import date, timedelta

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey, multi_asset_check
from dagster_duckdb import DuckDBResource

from ingestion.registry import SOURCES, Freshness
from serving.status import FRESHNESS_CHECK

DATED = tuple(source for source in SOURCES if source.freshness is not None)


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
            asset=AssetKey(["raw", source.table]),
            description=(
                "Newest figure at most one trading day old."
                if source.freshness.max_age_days is None
                else f"Newest figure at most {source.freshness.max_age_days} days old."
            )
            + (f" Publisher: {source.freshness.publishes}." if source.freshness.publishes else ""),
        )
        for source in DATED
    ],
    can_subset=True,
    name="source_freshness",
)
def source_freshness(context, duckdb: DuckDBResource):
    import duckdb as duckdb_module

    today = date.today()
    selected = {key.asset_key.path[-1] for key in context.selected_asset_check_keys}
    with duckdb.get_connection() as con:
        for source in (s for s in DATED if s.table in selected):
            window = source.freshness
            try:
                newest = con.execute(f"select {window.newest} from raw.{source.table}").fetchone()[0]
            except duckdb_module.CatalogException:
                newest = None
            fresh = is_fresh(newest, window, today)
            age = (today - newest).days if newest else None
            yield AssetCheckResult(
                asset_key=AssetKey(["raw", source.table]),
                check_name=FRESHNESS_CHECK,
                passed=fresh,
                severity=AssetCheckSeverity.WARN,
                metadata={
                    "newest": str(newest),
                    "age_days": age if age is not None else -1,
                    "summary": summary(newest, age, fresh, window),
                },
            )
