"""The source registry is the one list of sources: everything else is made from it."""

from pathlib import Path

import duckdb
import yaml

from ingestion.paths import PROJECT_ROOT
from ingestion.registry import BY_TABLE, SOURCES, Column, Source
from validation.expectations import between, in_set, not_null, unique


def test_dbt_sources_name_every_registered_table_and_no_other():
    spec = yaml.safe_load((PROJECT_ROOT / "dbt_project/models/staging/_sources.yml").read_text())
    [raw] = [source for source in spec["sources"] if source["name"] == "raw"]
    assert {table["name"] for table in raw["tables"]} == {source.table for source in SOURCES}
    for table in raw["tables"]:
        assert table["meta"]["dagster"]["asset_key"] == ["raw", table["name"]]


def test_assets_sensor_jobs_checks_and_suites_come_from_the_registry():
    from orchestration.assets.raw import raw_assets
    from orchestration.freshness import source_freshness
    from orchestration.sensors import inbox_jobs
    from validation.raw_suites import RAW_SUITES

    assert [asset.key.path for asset in raw_assets] == [["raw", source.table] for source in SOURCES]
    inbox_folders = {source.folder for source in SOURCES if source.folder and not source.partitioned}
    assert set(inbox_jobs) == inbox_folders
    checked = {key.asset_key.path[-1] for key in source_freshness.check_keys}
    assert checked == {s.table for s in SOURCES if s.freshness}
    assert set(RAW_SUITES) == {source.table for source in SOURCES}


def test_a_new_source_is_one_registry_entry(tmp_path: Path, monkeypatch):
    """A toy source declared here alone: its asset lands it, its rules quarantine, its books balance."""
    from dagster import materialize

    from orchestration.assets.raw import raw_asset
    from orchestration.resources import build_resources

    toy = Source(
        "toy_accelerators",
        "Accelerators by name and power, one CSV per vendor.",
        (
            not_null("name"),
            unique("name"),
            between("watts", 1, 5_000),
            in_set("origin", ["domestic", "foreign"]),
        ),
        folder="toy_accelerators",
        columns=(
            Column("name", ("Name", "名称"), required=True),
            Column("watts", ("Power (W)", "功耗"), "double"),
            Column("origin", ("Origin",), case="lower"),
        ),
        may_be_empty=True,
        kinds=frozenset({"duckdb"}),
    )
    inbox = tmp_path / "inbox" / "toy_accelerators"
    inbox.mkdir(parents=True)
    (inbox / "vendors.csv").write_text(
        "名称,功耗,Origin\nAscend 910C,310,Domestic\nH20,400,foreign\nH20,400,foreign\nBroken,-3,foreign\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CHIPWATCH_INBOX", str(inbox.parent))
    warehouse = tmp_path / "w.duckdb"
    result = materialize([raw_asset(toy)], resources=build_resources(warehouse))
    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"expectations": True, "accounting": True}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select name, watts, origin from raw.toy_accelerators order by 1").fetchall() == [
            ("Ascend 910C", 310.0, "domestic"),
            ("H20", 400.0, "foreign"),
        ]
        reasons = dict(con.execute("select line, reason from quarantine.toy_accelerators").fetchall())
        assert (
            con.execute(
                "select rows_read, rows_landed, rows_quarantined from meta.load_accounting"
            ).fetchone()
        ) == (4, 2, 2)
    assert reasons[4].startswith("duplicate key (name=H20): a repeat of line vendors.csv:3")
    assert reasons[5].startswith("column 'watts' = -3.0 is outside the plausible range [1, 5000]")


def test_the_freshness_of_the_pdf_and_the_clusters_is_the_figures_own_date(tmp_path: Path, monkeypatch):
    """A fresh copy (a clone, a re-saved download) is as old as the figures in it: the newest
    quarter the PDFs report, the newest cluster Epoch lists as existing."""
    import shutil
    from datetime import date

    from dagster import materialize

    from ingestion.inbox import file_modified_date
    from orchestration.assets.raw import raw_assets
    from orchestration.resources import build_resources

    inbox = tmp_path / "inbox"
    for folder in ("nvidia_revenue", "epoch_gpu_clusters"):
        shutil.copytree(PROJECT_ROOT / "data" / "inbox" / folder, inbox / folder)
    monkeypatch.setenv("CHIPWATCH_INBOX", str(inbox))
    tables = ("nvidia_revenue_by_market", "epoch_gpu_clusters")
    resources = build_resources(tmp_path / "w.duckdb")
    assert materialize([a for a in raw_assets if a.key.path[-1] in tables], resources=resources).success
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        newest = {
            table: con.execute(f"select {BY_TABLE[table].freshness.newest} from raw.{table}").fetchone()[0]
            for table in tables
        }
        modified = con.execute(
            "select max(landed.file_modified_date) from raw.epoch_gpu_clusters "
            "join meta.landed_files as landed on landed.file_id = _file_id"
        ).fetchone()[0]
    # The files' own modified date (the checkout's), not the figures' date.
    assert modified == max(file_modified_date(path) for path in (inbox / "epoch_gpu_clusters").iterdir())
    # Q1 FY2026 (February to April 2025), the newest quarter of Rev_by_Mkt_Qtrly_Trend_Q126.pdf.
    assert newest["nvidia_revenue_by_market"] == date(2025, 4, 30)
    # The November 2025 edition's newest existing cluster started on 2025-07-22.
    assert newest["epoch_gpu_clusters"] == date(2025, 7, 22)
