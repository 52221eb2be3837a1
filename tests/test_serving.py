"""The serving file: publish after a good build only, atomic swap, BI and CLI. (A reader querying
through a whole build and its publish: tests/test_crash_safety.py.)"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_ROOT

from serving.publish import STORAGE_VERSION

# The builds in these tests publish next to their temporary warehouse, never to a configured file.
os.environ.pop("CHIPWATCH_SERVING", None)

CHIPWATCH = Path(sys.executable).with_name("chipwatch")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published_run_id(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select run_id from meta.published").fetchone()[0]


def tables(path: Path, schema: str) -> list[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return [
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where schema_name = ? order by 1", [schema]
            ).fetchall()
        ]


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith((".tmp", ".wal")))


@pytest.fixture
def copied(built_warehouse, serving, tmp_path) -> tuple[Path, Path]:
    """A copy of the built warehouse and its serving file, in a directory of the test's own."""
    warehouse, _ = built_warehouse
    shutil.copy(warehouse, tmp_path / "chipwatch.duckdb")
    shutil.copy(serving, tmp_path / "serving.duckdb")
    return tmp_path / "chipwatch.duckdb", tmp_path / "serving.duckdb"


def test_the_build_publishes_the_marts_to_a_file_a_fresh_read_only_connection_opens(built_warehouse, serving):
    warehouse, result = built_warehouse
    assert tables(serving, "marts") == tables(warehouse, "marts")
    assert tables(serving, "staging") == tables(warehouse, "staging")
    assert tables(serving, "raw") == []
    with duckdb.connect(str(serving), read_only=True) as con:
        run_id, version, storage, table_count = con.execute(
            "select run_id, duckdb_version, storage_version, table_count from meta.published"
        ).fetchone()
        assert run_id == result.run_id
        assert storage == STORAGE_VERSION and version == duckdb.__version__
        assert table_count == len(tables(warehouse, "marts")) + len(tables(warehouse, "staging"))
        [(rows,)] = con.execute("select count(*) from marts.market_share").fetchall()
        assert rows > 0
        # The checks of the publishing run are recorded, and none that blocks failed.
        assert con.execute("select count(*) from meta.checks where blocking and not passed").fetchone() == (
            0,
        )
        assert con.execute("select count(*) from meta.checks").fetchone()[0] > 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from marts.market_share").fetchone() == (rows,)
    assert leftovers(serving.parent) == []
    assert (serving.parent / "dashboard.html").exists()


def test_the_serving_assets_follow_every_dbt_model():
    from dagster import AssetKey

    from orchestration.assets.dbt import dbt_mart_models, dbt_staging_models
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    parents = graph.get(AssetKey("serving_file")).parent_keys
    assert parents == set(dbt_staging_models.keys) | set(dbt_mart_models.keys)
    assert graph.get(AssetKey("dashboard")).parent_keys == {AssetKey("serving_file")}


def test_a_failed_run_never_publishes_and_the_last_good_file_stays(failed_build, serving):
    result = failed_build.result

    assert not result.success
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "serving_file" not in materialized and "dashboard" not in materialized
    # The failed build ran on a copy of the built warehouse and of this serving file.
    assert sha256(failed_build.serving) == sha256(serving)
    assert published_run_id(failed_build.serving) == published_run_id(serving)
    assert leftovers(failed_build.serving.parent) == []


def test_publish_swaps_atomically_and_an_open_reader_keeps_its_snapshot(copied):
    from serving.publish import publish_warehouse

    warehouse, serving = copied
    old_run = published_run_id(serving)
    with duckdb.connect(str(serving), read_only=True) as reader:
        inode = serving.stat().st_ino
        result = publish_warehouse(warehouse, serving, "swap-test")
        # The reader that had the old file open still reads it, whole.
        assert reader.execute("select run_id from meta.published").fetchone() == (old_run,)
        assert reader.execute("select count(*) from marts.market_share").fetchone()[0] > 0
    assert serving.stat().st_ino != inode  # a new file renamed into place, not rewritten in place
    assert result.run_id == "swap-test" and published_run_id(serving) == "swap-test"
    with duckdb.connect(str(serving), read_only=True) as con:
        log = con.execute("select run_id from meta.publish_log order by published_at desc").fetchall()
    assert [row[0] for row in log[:2]] == ["swap-test", old_run]
    assert leftovers(serving.parent) == []


def test_relations_left_by_an_interrupted_dbt_run_are_not_published(copied):
    from serving.publish import publish_warehouse

    warehouse, serving = copied
    served_marts = tables(serving, "marts")
    with duckdb.connect(str(warehouse)) as con:
        # What dbt leaves when it is killed between swapping a table in and dropping the old one.
        con.execute("create table marts.market_share__dbt_backup as select * from marts.market_share")
        con.execute("create table staging.stg_reference__chips__dbt_tmp as select 1 as x")

    publish_warehouse(warehouse, serving, "after-a-killed-dbt-run")

    assert tables(serving, "marts") == served_marts
    assert not [name for name in tables(serving, "staging") if "__dbt_" in name]
    with duckdb.connect(str(serving), read_only=True) as con:
        recorded = [name for (name,) in con.execute("select table_name from meta.table_rows").fetchall()]
    assert recorded and not [name for name in recorded if "__dbt_" in name]


@pytest.mark.parametrize("failing", ["os.replace", "_write_meta"])
def test_a_publish_that_fails_midway_leaves_the_serving_file_untouched(copied, monkeypatch, failing):
    import serving.publish as publish_module

    warehouse, serving = copied
    before = sha256(serving)

    def boom(*args, **kwargs):
        raise OSError("disk full (simulated)")

    if failing == "os.replace":
        monkeypatch.setattr(publish_module.os, "replace", boom)
    else:
        monkeypatch.setattr(publish_module, failing, boom)
    with pytest.raises(OSError, match="simulated"):
        publish_module.publish_warehouse(warehouse, serving, "never-published")
    assert sha256(serving) == before
    assert leftovers(serving.parent) == []


def test_sqlalchemy_connects_read_only_and_reflects_the_marts(serving):
    import pandas
    from sqlalchemy import Float, MetaData, create_engine, func, inspect, select, text

    engine = create_engine(f"duckdb:///{serving}", connect_args={"read_only": True})
    with duckdb.connect(str(serving), read_only=True) as con:
        mart_rows = dict(
            con.execute(
                "select replace(table_name, 'marts.', ''), row_count from meta.table_rows "
                "where table_name like 'marts.%'"
            ).fetchall()
        )
        doubles = con.execute(
            "select table_name, column_name from duckdb_columns() "
            "where schema_name = 'marts' and data_type = 'DOUBLE'"
        ).fetchall()
        native_efficiency = con.execute("select * from marts.chip_cost_efficiency").df()
    try:
        assert set(inspect(engine).get_table_names(schema="marts")) == set(mart_rows)
        # What Superset and pandas do to add a dataset: reflect the schema, then read a table.
        # (SQLAlchemy 2.0.55 and later fail here with duckdb-engine 0.17: "Type with name REGCLASS".)
        metadata = MetaData()
        metadata.reflect(engine, schema="marts")
        assert set(metadata.tables) == {f"marts.{mart}" for mart in mart_rows}
        # duckdb-engine reflects DOUBLE as FLOAT (its name for float8); values keep double precision.
        assert doubles and all(isinstance(metadata.tables[f"marts.{t}"].c[c].type, Float) for t, c in doubles)
        with engine.connect() as con:
            for mart, rows in mart_rows.items():
                table = metadata.tables[f"marts.{mart}"]
                assert con.execute(select(func.count()).select_from(table)).scalar() == rows, mart
                assert len(pandas.read_sql_table(mart, con, schema="marts")) == rows, mart
            efficiency = pandas.read_sql_table("chip_cost_efficiency", con, schema="marts")
            pandas.testing.assert_frame_equal(efficiency, native_efficiency, check_dtype=False)
            with pytest.raises(Exception, match="read-only"):
                con.execute(text("create table marts.scratch (a integer)"))
    finally:
        engine.dispose()


def chipwatch(serving: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CHIPWATCH), *args],
        env={**os.environ, "CHIPWATCH_SERVING": str(serving)},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_chipwatch_sql_prints_a_table_csv_and_json(serving):
    query = "select vendor, share from marts.market_share where vendor = 'NVIDIA' and period = '2025' and market = 'China' and basis = 'units'"  # noqa: E501
    table = chipwatch(serving, "sql", query)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split() == ["vendor", "share"]
    assert "NVIDIA" in table.stdout and "(1 row)" in table.stdout
    as_csv = chipwatch(serving, "sql", "--format", "csv", query)
    assert as_csv.stdout.splitlines()[0] == "vendor,share"
    [record] = json.loads(chipwatch(serving, "sql", "-f", "json", query).stdout)
    assert record["vendor"] == "NVIDIA" and record["share"] == pytest.approx(0.55, abs=0.01)


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("create table marts.x as select 1 as a", "CREATE"),
        ("insert into marts.market_share select * from marts.market_share", "INSERT"),
        ("update marts.market_share set share = 0", "UPDATE"),
        ("delete from marts.market_share", "DELETE"),
        ("drop table marts.market_share", "DROP"),
        ("attach '/tmp/chipwatch-other.duckdb' as other", "ATTACH"),
        ("copy marts.market_share to '/tmp/chipwatch-leak.csv'", "COPY"),
        ("copy (select * from marts.market_share) to '/tmp/chipwatch-leak.parquet'", "COPY"),
        ("export database '/tmp/chipwatch-export'", "EXPORT"),
        ("install httpfs", "INSTALL/LOAD"),
        ("set threads = 1", "SET/USE"),
        ("pragma table_info('marts.market_share')", "PRAGMA"),
        ("select 1; drop table marts.market_share", "DROP"),
    ],
)
def test_chipwatch_sql_refuses_writes_with_a_clear_error(serving, sql, kind):
    before = sha256(serving)
    completed = chipwatch(serving, "sql", sql)
    assert completed.returncode == 2
    assert "chipwatch sql is read-only" in completed.stderr
    assert f"{kind} statements are not allowed" in completed.stderr
    assert completed.stdout == ""
    assert sha256(serving) == before


def test_chipwatch_sql_cannot_read_files_outside_the_serving_file(serving):
    completed = chipwatch(serving, "sql", "select * from read_csv('/etc/hostname')")
    assert completed.returncode == 1
    assert "disabled by configuration" in completed.stderr


def test_chipwatch_export_writes_one_parquet_file_per_mart(serving, tmp_path):
    completed = chipwatch(serving, "export", "--format", "parquet", str(tmp_path / "out"))
    assert completed.returncode == 0, completed.stderr
    marts = tables(serving, "marts")
    assert sorted(p.stem for p in (tmp_path / "out").glob("*.parquet")) == marts
    assert not list((tmp_path / "out").glob(".*"))
    with duckdb.connect() as con, duckdb.connect(str(serving), read_only=True) as source:
        for mart in marts:
            exported = con.execute(f"select count(*) from '{tmp_path / 'out' / mart}.parquet'").fetchone()
            assert exported == source.execute(f"select count(*) from marts.{mart}").fetchone()


def test_chipwatch_status_prints_the_publish_row_counts_checks_and_sources(
    serving, built_warehouse, tmp_path
):
    _, result = built_warehouse
    completed = subprocess.run(
        [str(CHIPWATCH), "--serving", str(serving), "status"],
        env={**os.environ, "DAGSTER_HOME": str(tmp_path / "no_instance")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    assert f"by run {result.run_id}" in out
    assert "marts.market_share" in out and "rows" in out
    assert "Checks in the published run:" in out and "FAILED [BLOCKING]" not in out
    assert "stg_reference__chips" in out
    assert "Last pipeline run: none recorded" in out


def test_chipwatch_status_without_a_serving_file_says_how_to_make_one(tmp_path):
    completed = chipwatch(tmp_path / "missing.duckdb", "status")
    assert completed.returncode == 1
    assert "not published yet" in completed.stdout


@pytest.mark.parametrize("command", [[], ["sql"], ["export"], ["status"], ["dashboard"]])
def test_every_chipwatch_command_has_help(command):
    completed = subprocess.run([str(CHIPWATCH), *command, "--help"], capture_output=True, text=True)
    assert completed.returncode == 0
    assert completed.stdout.startswith("usage: chipwatch")
