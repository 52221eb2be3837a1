"""The same warehouse on DuckLake with a PostgreSQL catalog (`CHIPWATCH_BACKEND=ducklake`).

These tests need a PostgreSQL server: set CHIPWATCH_TEST_POSTGRES to a libpq connection string
(`.ci/run` starts one on loopback and sets it). Each test gets its own metadata schema.
"""

import os
import subprocess
import sys
import textwrap
import time
import uuid

import pytest
from conftest import PROJECT_ROOT, build

from ingestion.backend import connect

POSTGRES = os.environ.get("CHIPWATCH_TEST_POSTGRES")
pytestmark = pytest.mark.skipif(
    not POSTGRES, reason="set CHIPWATCH_TEST_POSTGRES to a PostgreSQL connection string"
)


# When the rows of raw.claims were loaded: their file's load, in meta.landed_files.
CLAIMS_LOADED_AT = (
    "select max(landed.loaded_at) from raw.claims "
    "join meta.landed_files as landed on landed.file_id = _file_id"
)


@pytest.fixture(scope="module")
def built_lake(tmp_path_factory):
    """The whole graph built once into a fresh DuckLake catalog: (warehouse location, env)."""
    folder = tmp_path_factory.mktemp("lake")
    env = {
        "CHIPWATCH_BACKEND": "ducklake",
        "CHIPWATCH_DUCKLAKE_CATALOG": POSTGRES,
        "CHIPWATCH_DUCKLAKE_METADATA_SCHEMA": f"test_{uuid.uuid4().hex[:10]}",
        "CHIPWATCH_DUCKLAKE_DATA_PATH": str(folder / "lake_data"),
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        warehouse = folder / "chipwatch.duckdb"
        assert build(warehouse).success
        yield warehouse, env


@pytest.fixture
def in_lake(built_lake, monkeypatch):
    for name, value in built_lake[1].items():
        monkeypatch.setenv(name, value)
    return built_lake


def test_the_same_marts_come_out_of_both_back_ends_row_for_row(in_lake, built_warehouse):
    lake_warehouse, _ = in_lake
    file_warehouse, _ = built_warehouse
    with connect(lake_warehouse, read_only=True) as con:
        con.execute(f"attach '{file_warehouse}' as single_file (read_only)")
        marts = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'lake' and table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        assert len(marts) >= 9
        for mart in marts:
            # Doubles summed in another order differ in the last bits: compare them to 1e-6.
            columns = ", ".join(
                f"round({name}, 6)" if kind == "DOUBLE" else name
                for name, kind in con.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_catalog = 'lake' and table_schema = 'marts' and table_name = ? "
                    "order by ordinal_position",
                    [mart],
                ).fetchall()
            )
            for left, right in (("lake", "single_file"), ("single_file", "lake")):
                [(extra,)] = con.execute(
                    f"select count(*) from (select {columns} from {left}.marts.{mart} "
                    f"except all select {columns} from {right}.marts.{mart})"
                ).fetchall()
                assert extra == 0, f"{mart}: {extra} rows in {left} and not in {right}"


def test_an_earlier_snapshot_can_be_queried(in_lake):
    from dagster import materialize

    from ingestion.registry import SOURCES
    from orchestration.assets.raw import raw_assets

    reference_assets = [a for a, s in zip(raw_assets, SOURCES, strict=True) if s.file_name]
    from orchestration.resources import build_resources

    warehouse, _ = in_lake
    with connect(warehouse, read_only=True) as con:
        [(before,)] = con.execute("select max(snapshot_id) from lake.snapshots()").fetchall()
        [(loaded_before,)] = con.execute(CLAIMS_LOADED_AT).fetchall()
    [claims] = [asset for asset in reference_assets if asset.key.path[-1] == "claims"]
    assert materialize([claims], resources=build_resources(warehouse)).success
    with connect(warehouse, read_only=True, snapshot=before) as con:
        assert con.execute(CLAIMS_LOADED_AT).fetchone() == (loaded_before,)
    with connect(warehouse, read_only=True) as con:
        assert con.execute(CLAIMS_LOADED_AT).fetchone()[0] > loaded_before


WRITER = textwrap.dedent(
    """
    import sys
    from dagster import materialize
    from ingestion.registry import SOURCES
    from orchestration.assets.raw import raw_assets

    reference_assets = [a for a, s in zip(raw_assets, SOURCES, strict=True) if s.file_name]
    from orchestration.resources import build_resources
    table, rounds, warehouse = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    [asset] = [a for a in reference_assets if a.key.path[-1] == table]
    for _ in range(rounds):
        assert materialize([asset], resources=build_resources(__import__("pathlib").Path(warehouse))).success
    """
)

READER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from ingestion.backend import connect
    warehouse, ready, stop = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    failures = queries = 0
    seen = set()
    while not stop.exists():
        try:
            with connect(warehouse, read_only=True) as con:
                seen.add(con.execute("select count(*) from raw.chips").fetchone()[0])
                seen.add(con.execute("select count(*) from raw.funding_events").fetchone()[0])
            queries += 1
            ready.touch()
        except Exception as error:
            failures += 1
            print("reader error:", error, file=sys.stderr)
        time.sleep(0.05)  # a client refreshing, not a loop that takes a core from the writers
    print(queries, failures, sorted(seen))
    """
)


def test_two_writers_and_readers_at_once(in_lake, tmp_path):
    """Two readers query the lake from before the first write until after the last one."""
    warehouse, env = in_lake
    run_env = {**os.environ, **env, "PYTHONPATH": str(PROJECT_ROOT)}
    with connect(warehouse, read_only=True) as con:
        chips = con.execute("select count(*) from raw.chips").fetchone()[0]
        funding = con.execute("select count(*) from raw.funding_events").fetchone()[0]
    stop = tmp_path / "stop"
    ready = [tmp_path / f"reader-{index}.ready" for index in range(2)]
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(warehouse), str(path), str(stop)],
            env=run_env,
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in ready
    ]
    try:
        deadline = time.monotonic() + 300
        while not all(path.exists() for path in ready):
            assert all(reader.poll() is None for reader in readers), "a reader stopped before its first query"
            assert time.monotonic() < deadline, "a reader never managed a first query"
            time.sleep(0.05)
        writers = [
            subprocess.Popen(
                [sys.executable, "-c", WRITER, table, "3", str(warehouse)],
                env=run_env,
                cwd=PROJECT_ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for table in ("chips", "funding_events")
        ]
        for writer in writers:
            _, errors = writer.communicate(timeout=600)
            assert writer.returncode == 0, errors[-2000:]
    finally:
        stop.touch()
    for reader in readers:
        out, errors = reader.communicate(timeout=600)
        queries, failures, seen = out.strip().split(" ", 2)
        assert int(failures) == 0, errors[-2000:]
        assert int(queries) > 0
        # Only complete snapshots: a table is seen with all its rows, never half replaced.
        assert set(eval(seen)) <= {chips, funding}
    with connect(warehouse, read_only=True) as con:
        loads = con.execute(
            "select count(*) from lake.snapshots() where changes::varchar like '%raw.chips%' "
            "or changes::varchar like '%raw.funding_events%'"
        ).fetchone()[0]
    assert loads >= 6


LAKE_SETTINGS = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from ingestion import backend
    warehouse = Path(sys.argv[1])
    bar = "select current_setting('enable_progress_bar')"
    with backend.connect(warehouse, read_only=True) as con:
        [kept] = backend._lakes.values()
        print(kept.execute(bar).fetchone()[0], con.execute(bar).fetchone()[0])
    """
)


def test_no_lake_connection_draws_a_progress_bar_into_stdout(in_lake):
    # The attach itself ran past the bar's two seconds on a loaded machine and drew it into a
    # reader's stdout: the database a process keeps for the lake must have it off, not only the
    # connections it hands out. DuckDB starts connections with it on in a `python -c` program (as
    # the readers are) and off under pytest.
    warehouse, env = in_lake
    completed = subprocess.run(
        [sys.executable, "-c", LAKE_SETTINGS, str(warehouse)],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.stdout.split() == ["False", "False"], completed.stderr


def test_chipwatch_sql_as_of_a_snapshot(in_lake):
    warehouse, env = in_lake
    with connect(warehouse, read_only=True) as con:
        [(snapshot,)] = con.execute("select max(snapshot_id) from lake.snapshots()").fetchall()
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "serving.cli",
            "sql",
            "--format",
            "csv",
            "--as-of",
            str(snapshot),
            "select count(*) as claims from marts.claims_check",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env, "CHIPWATCH_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["claims", "13"]


def _sql_as_of(env: dict, warehouse, snapshot: int, query: str, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "serving.cli", "sql", "--as-of", str(snapshot), *options, query],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env, "CHIPWATCH_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("query", "exit_code", "message"),
    [
        ("select * from read_text('/etc/passwd')", 1, "disabled by configuration"),
        ("select * from read_csv('https://example.com/x.csv')", 1, "disabled by configuration"),
        (
            "select * from postgres_execute('__ducklake_metadata_lake', "
            "'commit; create table chipwatch_evil (i int)')",
            2,
            "does not run the function postgres_execute()",
        ),
        (
            "select * from postgres_query('__ducklake_metadata_lake', "
            "'select pg_read_file(''/etc/hostname'')')",
            2,
            "does not run the function postgres_query()",
        ),
        ("select * from query('select 1')", 2, "does not run the function query()"),
        ("attach '/tmp/chipwatch-other.duckdb' as other", 2, "ATTACH statements are not allowed"),
        ("select 1; drop table marts.claims_check", 2, "DROP statements are not allowed"),
    ],
)
def test_chipwatch_sql_as_of_is_as_read_only_as_the_serving_file(in_lake, query, exit_code, message):
    warehouse, env = in_lake
    with connect(warehouse, read_only=True) as con:
        [(snapshot,)] = con.execute("select max(snapshot_id) from lake.snapshots()").fetchall()
    completed = _sql_as_of(env, warehouse, snapshot, query)
    assert completed.returncode == exit_code, completed.stderr
    assert message in completed.stderr and completed.stdout == ""
    with connect(warehouse, read_only=True) as con:
        evil = con.execute(
            "select * from postgres_query('__ducklake_metadata_lake', "
            "'select count(*) from pg_tables where tablename = ''chipwatch_evil''')"
        ).fetchone()
        assert evil == (0,)
        assert con.execute("select count(*) from lake.marts.claims_check").fetchone()[0] > 0


def test_chipwatch_sql_as_of_stops_at_its_timeout(in_lake):
    warehouse, env = in_lake
    completed = _sql_as_of(env, warehouse, 1, "select count(*) from range(1e12::bigint)", "--timeout", "1")
    assert completed.returncode == 3
    assert "time limit of 1 s" in completed.stderr
