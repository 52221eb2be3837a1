"""What `chipwatch` guarantees: the engine refuses everything but queries, every query has limits,
output formats are always well formed, a damaged serving file is never "OK", exports and the
dashboard never leave partial files or overwrite without --force, the inbox refuses escapes.

These run on a small serving file published by the real publish step, so they need no build.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from ingestion.errors import InboxError
from ingestion.inbox import inbox_files
from serving.cli import main
from serving.health import ServingFileDamaged, check_serving
from serving.publish import publish_warehouse
from serving.readonly import restricted_connection

CHIPWATCH = Path(sys.executable).with_name("chipwatch")


@pytest.fixture(scope="module")
def small_serving(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("small_serving")
    warehouse = folder / "chipwatch.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts; create schema staging")
        con.execute(
            "create table marts.chips as select * from (values "
            "('NVIDIA H100', 'foreign', 989.4), ('Huawei Ascend 910C', 'domestic', 800.0), "
            "('NVIDIA H20', 'foreign', 148.0)) t(chip_name, origin, bf16_tflops)"
        )
        con.execute("create table marts.numbers as select range as i, range % 7 as k from range(50000)")
        con.execute("create table staging.stg_x as select date '2026-11-01' as as_of, 1 as v")
    serving = folder / "serving.duckdb"
    publish_warehouse(warehouse, serving, "run-small")
    return serving


def sql(serving: Path, *args: str, capsys) -> tuple[int, str, str]:
    code = main(["--serving", str(serving), "sql", *args])
    out, err = capsys.readouterr()
    return code, out, err


def run_cli(serving: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CHIPWATCH), "--serving", str(serving), *args], capture_output=True, text=True, timeout=timeout
    )


# 1. DuckDB enforces read-only; the statement check understands every string form.


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("select $$'$$; pragma version --'", "PRAGMA"),
        ("select E'\\''; pragma version", "PRAGMA"),
        ("select 1 /* a /* nested */ b */; set threads = 1", "SET/USE"),
        ("prepare p as select 1", "PREPARE"),
        ("call pragma_version()", "CALL"),
        ("select 'x'; create table t as select 1", "CREATE"),
    ],
)
def test_statements_hidden_behind_strings_and_comments_are_refused(small_serving, capsys, query, kind):
    code, out, err = sql(small_serving, query, capsys=capsys)
    assert code == 2 and out == ""
    assert f"{kind} statements are not allowed" in err


def test_parsing_happens_on_the_restricted_connection_so_it_reads_no_file(small_serving, tmp_path):
    (tmp_path / "schema.sql").write_text("create table leak as select * from read_text('/etc/hostname');")
    (tmp_path / "load.sql").write_text("")
    with restricted_connection(serving=small_serving) as con:
        with pytest.raises(duckdb.PermissionException, match="disabled by configuration"):
            con.extract_statements(f"pragma import_database('{tmp_path}')")
    with duckdb.connect() as open_connection:  # what an unrestricted parse would have done
        [statement] = open_connection.extract_statements(f"pragma import_database('{tmp_path}')")
        assert "read_text('/etc/hostname')" in statement.query


@pytest.mark.parametrize(
    "query",
    [
        "select * from read_text('/etc/hostname')",
        "select * from read_csv('https://example.com/x.csv')",
        "select * from 'data/reference/chips.csv'",
    ],
)
def test_the_engine_refuses_files_and_urls(small_serving, capsys, query):
    code, out, err = sql(small_serving, query, capsys=capsys)
    assert code == 1 and out == ""
    assert "disabled by configuration" in err


def test_configuration_is_locked_before_user_sql(small_serving):
    with restricted_connection(serving=small_serving) as con:
        with pytest.raises(duckdb.Error, match="locked"):
            con.execute("reset enable_external_access")
        assert con.execute("select current_setting('autoload_known_extensions')").fetchone() == (False,)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("explain select * from marts.chips", "physical_plan"),
        ("pivot marts.chips on origin using sum(bf16_tflops)", "domestic"),
        ("describe marts.chips", "bf16_tflops"),
        ("summarize marts.chips", "column_name"),
        ("select 1 /* a /* nested */ comment */ as one", "one"),
        ("from marts.chips select chip_name where origin = 'domestic'", "Huawei Ascend 910C"),
    ],
)
def test_every_read_only_statement_runs(small_serving, capsys, query, expected):
    code, out, err = sql(small_serving, query, capsys=capsys)
    assert code == 0, err
    assert expected in out


def test_several_selects_each_print_their_result(small_serving, capsys):
    code, out, _ = sql(small_serving, "select 'first' as a; select 'second' as b", capsys=capsys)
    assert code == 0
    assert "first" in out and "second" in out and out.count("(1 row)") == 2


# 2. Limits: time, memory, temp space; output streams.


def test_an_endless_query_stops_at_its_timeout_with_a_clear_message(small_serving):
    started = time.monotonic()
    completed = run_cli(small_serving, "sql", "--timeout", "1", "select count(*) from range(1e12::bigint)")
    assert time.monotonic() - started < 30
    assert completed.returncode == 3
    assert "time limit of 1 s" in completed.stderr and "--timeout" in completed.stderr


def test_the_memory_limit_comes_from_the_environment_or_the_option(small_serving, capsys, monkeypatch):
    monkeypatch.setenv("CHIPWATCH_DUCKDB_MEMORY_LIMIT", "300MB")
    _, out, _ = sql(small_serving, "-f", "csv", "select current_setting('memory_limit') as m", capsys=capsys)
    assert out.splitlines()[1].startswith("286")  # DuckDB shows 300 MB as 286.1 MiB
    _, out, _ = sql(
        small_serving,
        "--memory-limit",
        "100MB",
        "-f",
        "csv",
        "select current_setting('memory_limit')",
        capsys=capsys,
    )
    assert out.splitlines()[1].startswith("95")


def test_a_query_past_its_memory_limit_fails_with_a_message(small_serving):
    completed = run_cli(
        small_serving, "sql", "--memory-limit", "50MB", "select list(range) from range(50000000)"
    )
    assert completed.returncode == 1
    assert "memory" in completed.stderr.lower() and "Traceback" not in completed.stderr


@pytest.mark.parametrize(
    "opener",
    [
        "ingestion.backend:connect",
        "serving.health:connect_read_only",
        "serving.readonly:restricted_connection",
        "orchestration.resources:Warehouse",
    ],
)
def test_no_connection_draws_a_progress_bar_into_stdout(small_serving, opener):
    # DuckDB draws one on stdout for a statement past two seconds, into a CSV, a JSON line or a
    # pipe a reader parses. DuckDB starts connections with it on in a `python -c` program and off
    # under pytest or in a script file, so each opener runs in a `python -c` of its own.
    module, name = opener.split(":")
    opened = f"{name}(database=str(path)).get_connection()" if name == "Warehouse" else f"{name}(path)"
    program = (
        f"import sys; from pathlib import Path; from {module} import {name}; path = Path(sys.argv[1])\n"
        f"with {opened} as con:\n"
        "    print(con.execute(\"select current_setting('enable_progress_bar')\").fetchone())"
    )
    completed = subprocess.run(
        [sys.executable, "-c", program, str(small_serving)], capture_output=True, text=True, timeout=120
    )
    assert completed.stdout == "(False,)\n", completed.stderr


def test_a_large_result_streams_without_holding_it_in_memory(small_serving, tmp_path):
    rows = 4_000_000
    # A process of its own reports the peak of its one child: this test's process has other children.
    measure = (
        "import os, resource, subprocess, sys\n"
        "with open(os.devnull, 'w') as sink:\n"
        "    code = subprocess.run(sys.argv[1:], stdout=sink).returncode\n"
        "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", measure, str(CHIPWATCH), "--serving", str(small_serving), "sql", "-f", "csv",
         f"select range from range({rows})"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    code, peak_kb = map(int, completed.stdout.split())
    assert code == 0, completed.stderr
    # Fetching all 4 m rows as Python tuples first would take well over 300 MB.
    assert peak_kb / 1024 < 300


# 5. Output formats.


def test_json_output_is_always_valid_json(small_serving, capsys):
    query = (
        "select 'nan'::double as x, 'inf'::double as y, 12345678901234567.89::decimal(38, 2) as d, "
        "1 as a, 2 as a, '\\xAA\\xFF'::blob as b, [1, 2] as l, {'k': 'v'} as s"
    )
    code, out, err = sql(small_serving, "-f", "json", query, capsys=capsys)
    assert code == 0, err

    def no_constants(name):
        raise AssertionError(f"invalid JSON constant {name}")

    [record] = json.loads(out, parse_constant=no_constants)
    assert record == {
        "x": None,
        "y": None,
        "d": "12345678901234567.89",
        "a": 1,
        "a_2": 2,
        "b": "aaff",
        "l": [1, 2],
        "s": {"k": "v"},
    }


def test_csv_writes_nested_values_as_json_and_blobs_as_hex(small_serving, capsys):
    _, out, _ = sql(
        small_serving, "-f", "csv", "select [1, 2] as l, {'k': 'v'} as s, '\\xAA'::blob as b", capsys=capsys
    )
    assert out.splitlines() == ["l,s,b", '"[1, 2]","{""k"": ""v""}",aa']


def test_the_table_format_escapes_terminal_control_characters(small_serving, capsys):
    _, out, _ = sql(small_serving, "select chr(27) || '[2Jcleared' || chr(7) as t", capsys=capsys)
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[2Jcleared\\x07" in out


# 3. Health that can fail.


def test_status_of_a_whole_file_passes(small_serving, capsys):
    assert main(["--serving", str(small_serving), "status"]) == 0
    out = capsys.readouterr().out
    assert "by run run-small" in out and "marts.numbers" in out and "50000 rows" in out


def test_status_of_a_truncated_serving_file_fails_naming_the_damage(small_serving, tmp_path, capsys):
    cut = tmp_path / "serving.duckdb"
    data = small_serving.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    assert main(["--serving", str(cut), "status"]) == 1
    out = capsys.readouterr().out
    assert "DAMAGED" in out and str(cut) in out and "make run" in out
    with pytest.raises(ServingFileDamaged):
        check_serving(cut)


def test_a_duckdb_file_without_chipwatch_tables_is_not_ok(tmp_path, capsys):
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("create table t as select 1 as x")
    assert main(["--serving", str(other), "status"]) == 1
    assert "no readable meta.published" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("delete from meta.published", "meta.published has 0 rows"),
        (
            "create or replace table meta.published as select null::timestamp as published_at, "
            "null::varchar as run_id, null::varchar as duckdb_version, null::varchar as storage_version",
            "names no time or run",
        ),
        ("delete from marts.numbers where i < 10", "marts.numbers has 49990 rows, published with 50000"),
    ],
)
def test_a_malformed_publish_record_is_reported_not_a_traceback(
    small_serving, tmp_path, capsys, change, message
):
    broken = tmp_path / "serving.duckdb"
    broken.write_bytes(small_serving.read_bytes())
    with duckdb.connect(str(broken)) as con:
        con.execute(change)
    for command in (
        ["status"],
        ["export", str(tmp_path / "out")],
        ["dashboard", "-o", str(tmp_path / "d.html")],
    ):
        assert main(["--serving", str(broken), *command]) == 1
        captured = capsys.readouterr()
        assert message in captured.out + captured.err
    assert not (tmp_path / "out").exists() and not (tmp_path / "d.html").exists()


# 4. Export and dashboard targets.


def test_export_refuses_a_file_or_a_device_as_its_directory(small_serving, tmp_path, capsys):
    a_file = tmp_path / "file"
    a_file.write_text("keep")
    for target in (a_file, Path("/dev/null")):
        assert main(["--serving", str(small_serving), "export", str(target)]) == 1
        assert "is not a directory" in capsys.readouterr().err
    assert a_file.read_text() == "keep"


def test_export_never_overwrites_without_force_and_leaves_no_partial_files(small_serving, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "numbers.parquet").mkdir()  # a directory where a mart's file would go
    assert main(["--serving", str(small_serving), "export", str(out)]) == 1
    assert "numbers.parquet exists and is a directory" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["numbers.parquet"]

    (out / "numbers.parquet").rmdir()
    (out / "chips.parquet").write_text("an earlier export")
    assert main(["--serving", str(small_serving), "export", str(out)]) == 1
    assert "chips.parquet exists: pass --force" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["chips.parquet"]
    assert (out / "chips.parquet").read_text() == "an earlier export"

    assert main(["--serving", str(small_serving), "export", "--force", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["chips.parquet", "numbers.parquet"]
    with duckdb.connect() as con:
        assert con.execute(f"select count(*) from '{out / 'numbers.parquet'}'").fetchone() == (50000,)


def test_dashboard_refuses_a_directory_a_device_or_an_existing_file_without_force(
    small_serving, tmp_path, capsys
):
    existing = tmp_path / "mine.html"
    existing.write_text("mine")
    for target, message in (
        (tmp_path, "is a directory"),
        (Path("/dev/null"), "not a regular file"),
        (existing, "exists: pass --force"),
    ):
        assert main(["--serving", str(small_serving), "dashboard", "-o", str(target)]) == 1
        assert message in capsys.readouterr().err
    assert existing.read_text() == "mine"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# 6. The inbox.


def test_an_inbox_folder_that_is_a_symlink_to_elsewhere_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.csv").write_text("x\n1\n")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "prices").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(InboxError, match="points elsewhere"):
        inbox_files("prices", (".csv",), root=inbox)


def test_a_hard_link_to_a_file_outside_is_refused(tmp_path):
    outside = tmp_path / "secret.csv"
    outside.write_text("x\n1\n")
    folder = tmp_path / "inbox" / "prices"
    folder.mkdir(parents=True)
    os.link(outside, folder / "a.csv")
    with pytest.raises(InboxError, match="hard links"):
        inbox_files("prices", (".csv",), root=tmp_path / "inbox")


def test_a_build_whose_price_inbox_is_refused_fails_and_says_why(tmp_path, monkeypatch):
    from orchestration.build import BuildResult, price_file_range, render_summary

    outside = tmp_path / "prices.csv"
    outside.write_text("Date,Ticker,Close\n2024-01-02,NVDA,48.17\n")
    folder = tmp_path / "inbox" / "prices"
    folder.mkdir(parents=True)
    os.link(outside, folder / "prices.csv")
    monkeypatch.setenv("CHIPWATCH_INBOX", str(tmp_path / "inbox"))
    days, refused = price_file_range()
    assert days is None and refused.startswith("raw/daily_prices: ") and "hard links" in refused
    text, good = render_summary(BuildResult([], (refused,)), tmp_path / "absent.duckdb", [])
    assert not good and text.endswith("Build FAILED")
    assert f"INPUT REFUSED {refused}" in text


def test_a_symlink_loop_is_refused_with_the_same_clear_error(tmp_path, monkeypatch):
    folder = tmp_path / "inbox" / "prices"
    folder.mkdir(parents=True)
    (folder / "a.csv").symlink_to(folder / "b.csv")
    (folder / "b.csv").symlink_to(folder / "a.csv")
    with pytest.raises(InboxError, match="symlink loop"):
        inbox_files("prices", (".csv",), root=tmp_path / "inbox")
    monkeypatch.setenv("CHIPWATCH_INBOX", str(tmp_path / "inbox"))
    from orchestration.changes import file_states, inbox_sources

    # The sensor and `make run` see no file there (the load's run says why), rather than failing.
    [prices] = [source for source in inbox_sources() if source.folder == "prices"]
    assert file_states(prices, {}) == {}
