"""The serving file opens in the DuckDB clients BI tools bundle, old and new, from the registries."""

import csv
import os
import subprocess
from pathlib import Path

import duckdb
import pytest
from bi_clients import (
    DUCKDB_CLI_VERSION,
    PYTHON_DUCKDB_VERSIONS,
    available,
    duckdb_cli,
    parse_json,
    run_node,
    run_python,
)

from serving.publish import STORAGE_VERSION, STORAGE_VERSION_TYPES, StorageVersionError, publish_warehouse

# The builds in these tests publish next to their temporary warehouse, never to a configured file.
os.environ.pop("CHIPWATCH_SERVING", None)

OLDEST_READER = PYTHON_DUCKDB_VERSIONS[0]

# A value of every type the storage version holds: each is published and read back by the oldest reader.
TYPE_SAMPLES = {
    "boolean": "true",
    "tinyint": "1::tinyint",
    "smallint": "1::smallint",
    "integer": "1::integer",
    "bigint": "1::bigint",
    "hugeint": "1::hugeint",
    "utinyint": "1::utinyint",
    "usmallint": "1::usmallint",
    "uinteger": "1::uinteger",
    "ubigint": "1::ubigint",
    "uhugeint": "1::uhugeint",
    "float": "1.5::float",
    "double": "1.5::double",
    "decimal": "1.5::decimal(18, 3)",
    "varchar": "'昇腾 910C'",
    "blob": "'\\xAA'::blob",
    "bit": "'101'::bit",
    "uuid": "'8c4bda0a-5ce0-4c79-8cc1-a6a378f4ba31'::uuid",
    "enum": "'domestic'::enum('domestic', 'foreign')",
    "date": "date '2025-12-05'",
    "time": "time '17:30:00'",
    "time with time zone": "'17:30:00+08'::timetz",
    "interval": "interval 1 day",
    "timestamp": "timestamp '2025-12-05 17:30:00'",
    "timestamp with time zone": "timestamptz '2025-12-05 17:30:00+08'",
    "timestamp_s": "'2025-12-05 17:30:00'::timestamp_s",
    "timestamp_ms": "'2025-12-05 17:30:00'::timestamp_ms",
    "timestamp_ns": "'2025-12-05 17:30:00'::timestamp_ns",
    "list": "[1, 2]",
    "array": "[1, 2]::integer[2]",
    "struct": "{'low': 1.5, 'high': 2.5}",
    "map": "map(['units'], [1])",
    "union": "1::union(n integer, s varchar)",
}
# Types DuckDB 1.5 writes into a v1.0.0 file without complaint that DuckDB 1.0 cannot read.
NEWER_TYPES = {"bignum": "1::bignum", "time_ns": "'17:30:00'::time_ns"}


def served_tables(serving: Path) -> dict[str, int]:
    with duckdb.connect(str(serving), read_only=True) as con:
        return dict(con.execute("select table_name, row_count from meta.table_rows order by 1").fetchall())


def count_every_table_sql(serving: Path) -> str:
    """One query: each served table's name and row count, read through every one of its columns
    (`count(*)` alone would come from metadata and read no column data)."""
    with duckdb.connect(str(serving), read_only=True) as con:
        columns = con.execute(
            "select schema_name || '.' || table_name, list(column_name order by column_index) "
            "from duckdb_columns() where schema_name in ('marts', 'staging') group by 1 order by 1"
        ).fetchall()

    def quote(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    return " union all ".join(
        f"select '{table}' as table_name, count(hash({', '.join(map(quote, names))}))::bigint as row_count "
        f"from {'.'.join(map(quote, table.split('.')))}"
        for table, names in columns
    )


PYTHON_COUNTS = """
import json, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
rows = con.execute(sys.argv[2]).fetchall()
print(json.dumps({"version": duckdb.__version__, "counts": dict(rows)}))
"""

NODE_COUNTS = """
const { DuckDBInstance, version } = require('@duckdb/node-api');
(async () => {
  const [path, sql] = process.argv.slice(-2);
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const reader = await (await instance.connect()).runAndReadAll(sql);
  const counts = Object.fromEntries(reader.getRows().map(([t, n]) => [t, Number(n)]));
  console.log(JSON.stringify({ version: version(), counts }));
})().catch((error) => { console.error(error); process.exit(1); });
"""


def test_the_serving_file_is_written_in_the_oldest_storage_version_that_holds_its_types(serving):
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select storage_version from meta.published").fetchone() == (STORAGE_VERSION,)
        assert STORAGE_VERSION == "v1.0.0"
    # No served column needs more than the storage version holds (publish() refuses it, too).
    with duckdb.connect(str(serving), read_only=True) as con:
        tables = con.execute("select schema_name || '.' || table_name from duckdb_tables()").fetchall()
        for (table,) in tables:
            for column_type in con.sql(f"select * from {table}").types:
                assert column_type.id in STORAGE_VERSION_TYPES, (table, column_type)


@pytest.mark.parametrize("version", PYTHON_DUCKDB_VERSIONS)
def test_python_duckdb_reads_every_served_table(serving, version):
    out = parse_json(run_python(version, PYTHON_COUNTS, str(serving), count_every_table_sql(serving)))
    assert out["version"] == version
    assert out["counts"] == served_tables(serving)


def test_the_duckdb_cli_reads_every_served_table(serving):
    cli = available(duckdb_cli)
    result = subprocess.run(
        [str(cli), "-readonly", "-csv", str(serving), "-c", count_every_table_sql(serving)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert {row["table_name"]: int(row["row_count"]) for row in rows} == served_tables(serving)
    version = subprocess.run([str(cli), "--version"], capture_output=True, text=True).stdout
    assert version.startswith("v" + DUCKDB_CLI_VERSION.split(".post")[0])


def test_the_node_client_reads_every_served_table(serving):
    out = parse_json(run_node(NODE_COUNTS, str(serving), count_every_table_sql(serving)))
    assert out["version"].startswith("v1.4.")
    assert out["counts"] == served_tables(serving)


def warehouse_with(tmp_path: Path, name: str, columns: dict[str, str]) -> Path:
    """A warehouse whose only mart has one row of `columns` (name: SQL value)."""
    warehouse = tmp_path / f"{name}.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        values = ", ".join(f'{sql} as "{column}"' for column, sql in columns.items())
        con.execute(f"create table marts.{name} as select {values}")
    return warehouse


def test_every_type_the_storage_version_holds_reads_in_the_oldest_client(tmp_path):
    assert set(TYPE_SAMPLES) == STORAGE_VERSION_TYPES
    target = tmp_path / "serving.duckdb"
    publish_warehouse(warehouse_with(tmp_path, "every_type", TYPE_SAMPLES), target, "run-types")
    script = """
import json, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
relation = con.sql("select * from marts.every_type")
print(json.dumps([[name, str(value)] for name, value in zip(relation.columns, relation.fetchone())]))
"""
    read = parse_json(run_python(OLDEST_READER, script, str(target)))
    assert [name for name, _ in read] == list(TYPE_SAMPLES)
    assert dict(read)["varchar"] == "昇腾 910C" and dict(read)["decimal"] == "1.500"


@pytest.mark.parametrize("type_id", sorted(NEWER_TYPES))
def test_a_type_the_oldest_client_cannot_read_stops_the_publish(tmp_path, type_id):
    # What a v1.0.0 file with it would do to a DuckDB 1.0 reader: proof the list above is needed.
    unreadable = tmp_path / "unreadable.duckdb"
    with duckdb.connect() as con:
        con.execute(f"attach '{unreadable}' as newer (storage_version '{STORAGE_VERSION}')")
        con.execute(f"create table newer.t as select {NEWER_TYPES[type_id]} as c")
    failure = "import duckdb\ntry:\n    duckdb.connect(sys.argv[1], read_only=True).sql('select * from t').fetchall()\nexcept duckdb.Error as e:\n    print('refused', e)\n"  # noqa: E501
    assert run_python(OLDEST_READER, failure, str(unreadable)).startswith("refused")

    warehouse = warehouse_with(tmp_path, "newer", {"id": "1", "value": NEWER_TYPES[type_id]})
    target = tmp_path / "serving.duckdb"
    with pytest.raises(StorageVersionError, match=rf"marts\.newer\.value .*{type_id}"):
        publish_warehouse(warehouse, target, "run-newer")
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if ".tmp" in p.name] == []
