"""The BI recipes of docs/BI.md, run with the tools themselves: Superset and Evidence's DuckDB connector."""

import json
import os
import subprocess
from pathlib import Path

import duckdb
import yaml
from bi_clients import available, parse_json, run_node, superset

# The builds in these tests publish next to their temporary warehouse, never to a configured file.
os.environ.pop("CHIPWATCH_SERVING", None)

ENGINE_PARAMETERS = {"connect_args": {"read_only": True}}


def mart_rows(serving: Path) -> dict[str, int]:
    with duckdb.connect(str(serving), read_only=True) as con:
        return dict(
            con.execute(
                "select replace(table_name, 'marts.', ''), row_count from meta.table_rows "
                "where table_name like 'marts.%'"
            ).fetchall()
        )


def mart_columns(serving: Path, mart: str) -> list[str]:
    with duckdb.connect(str(serving), read_only=True) as con:
        return [name for name, *_ in con.execute(f"describe marts.{mart}").fetchall()]


# What Superset does to add a dataset: list the schema's tables, then read a table's columns.
SUPERSET_DATASET = """
import json, sys
from superset.app import create_app

with create_app().app_context():
    from superset.models.core import Database
    from superset.sql.parse import Table

    database = Database(database_name="chipwatch", sqlalchemy_uri=sys.argv[1], extra=sys.argv[2])
    tables = database.get_all_table_names_in_schema(catalog=None, schema="marts")
    columns = database.get_columns(Table(sys.argv[3], "marts"))
    print(json.dumps({
        "tables": sorted(table for table, *_ in tables),
        "columns": {column["column_name"]: str(column["type"]) for column in columns},
    }))
"""


def run_superset(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Run Superset's `bin/<args>` with a throwaway configuration and metadata database."""
    bin_dir = available(superset)
    config = tmp_path / "superset_config.py"
    config.write_text(
        f"SECRET_KEY = 'chipwatch-test-only-{os.getpid()}'\n"
        f"SQLALCHEMY_DATABASE_URI = 'sqlite:///{tmp_path / 'superset.db'}'\n"
        f"DATA_DIR = '{tmp_path}'\n"
    )
    return subprocess.run(
        [str(bin_dir / args[0]), *args[1:]],
        env={**os.environ, "SUPERSET_CONFIG_PATH": str(config), "SUPERSET_HOME": str(tmp_path)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_superset_connects_to_the_serving_file_and_reads_a_marts_columns(serving, tmp_path):
    uri = f"duckdb:///{serving.resolve()}"
    tested = run_superset(
        tmp_path, "superset", "test-db", uri, "--connect-args", json.dumps(ENGINE_PARAMETERS)
    )
    assert tested.returncode == 0, tested.stdout[-3000:] + tested.stderr[-3000:]
    assert "Found DB engine spec: DuckDB" in tested.stdout
    assert "Connected successfully!" in tested.stdout

    extra = json.dumps({"engine_params": ENGINE_PARAMETERS})
    dataset = run_superset(tmp_path, "python", "-c", SUPERSET_DATASET, uri, extra, "market_share")
    assert dataset.returncode == 0, dataset.stderr[-3000:]
    found = parse_json(dataset.stdout)
    assert found["tables"] == sorted(mart_rows(serving))
    assert list(found["columns"]) == mart_columns(serving, "market_share")
    assert found["columns"]["share"] == "FLOAT" and found["columns"]["as_of"] == "DATE"


# Evidence's connector as `npm run sources` calls it: `testConnection(options, sourceDirectory)`,
# then the runner on each `.sql` file of the source.
EVIDENCE_SOURCE = """
const connector = require('@evidence-dev/duckdb');
const fs = require('fs');
const path = require('path');
(async () => {
  const [directory, optionsJson] = process.argv.slice(-2);
  const options = JSON.parse(optionsJson);
  const connection = await connector.testConnection(options, directory);
  const rows = {};
  if (connection === true) {
    const runner = await connector.getRunner(options, directory);
    for (const file of fs.readdirSync(directory).filter((name) => name.endsWith('.sql'))) {
      const query = path.join(directory, file);
      const result = await runner(fs.readFileSync(query, 'utf-8'), query, 1000);
      let count = 0;
      for await (const batch of result.rows()) count += batch.length;
      rows[file.replace(/\\.sql$/, '')] = count;
    }
  }
  console.log(JSON.stringify({ connection, rows }));
})().catch((error) => { console.error(error); process.exit(1); });
"""


def evidence_source(project: Path, filename: str, marts: list[str]) -> Path:
    """`sources/chipwatch/` of an Evidence project: connection.yaml and one query per mart."""
    source = project / "sources" / "chipwatch"
    source.mkdir(parents=True)
    connection = {"name": "chipwatch", "type": "duckdb", "options": {"filename": filename}}
    (source / "connection.yaml").write_text(yaml.safe_dump(connection, sort_keys=False))
    for mart in marts:
        (source / f"{mart}.sql").write_text(f"select * from marts.{mart}\n")
    return source


def run_evidence_source(source: Path) -> dict:
    options = yaml.safe_load((source / "connection.yaml").read_text())["options"]
    return parse_json(run_node(EVIDENCE_SOURCE, str(source), json.dumps(options)))


def test_evidence_reads_every_mart_through_a_path_relative_to_its_source_folder(serving, tmp_path):
    marts = mart_rows(serving)
    source_folder = tmp_path / "evidence" / "sources" / "chipwatch"
    relative = os.path.relpath(serving.resolve(), source_folder)
    source = evidence_source(tmp_path / "evidence", relative, sorted(marts))
    out = run_evidence_source(source)
    assert out["connection"] is True
    assert out["rows"] == marts


def test_evidence_joins_an_absolute_filename_onto_its_source_folder(serving, tmp_path):
    # Why docs/BI.md gives Evidence a relative path: the connector (2.0.1) prefixes the folder.
    source = evidence_source(tmp_path / "evidence", str(serving.resolve()), [])
    out = run_evidence_source(source)
    assert out["connection"] is not True
    assert str(source) + str(serving.resolve()) in out["connection"]["reason"]
