"""Card inventories and procurement lines landed by DuckDB's CSV reader (ingestion/lander.py):
generated files land whole, hostile rows are quarantined with their line and reason, the books
balance, a failed validation rolls back, and an empty inbox folder builds down to the mart."""

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_ROOT, run_dbt

from bench.synthetic import write_card_inventory, write_procurement
from ingestion.errors import SourceFormatError
from ingestion.lander import land
from ingestion.registry import BY_TABLE
from ingestion.rules import audit_rules
from ingestion.warehouse import file_sha256
from validation.expectations import has_rows
from validation.runner import validator

ROWS = 3_000


def _suite(table: str):
    return validator(table, audit_rules(BY_TABLE[table]))


def land_card_inventory(con, paths, run_id=None, validate=None):
    return land(con, BY_TABLE["card_inventory"], paths, run_id=run_id, validate=validate)


def land_procurement(con, paths, run_id=None, validate=None):
    return land(con, BY_TABLE["procurement_lines"], paths, run_id=run_id, validate=validate)


def _quarantine(con, table: str) -> dict[int, str]:
    return dict(con.execute(f"select line, reason from quarantine.{table} order by line").fetchall())


def _rewrite(source: Path, target: Path, edits: dict[int, callable], extra: list[str] = ()) -> None:
    """Copy `source` to `target`, changing line n (1 = header) by `edits[n](fields) -> line`."""
    lines = source.read_text(encoding="utf-8").splitlines()
    for number, edit in edits.items():
        lines[number - 1] = edit(lines[number - 1].split(","))
    target.write_text("\n".join([*lines, *extra]) + "\n", encoding="utf-8")


def _set(index: int, value: str):
    return lambda fields: ",".join([*fields[:index], value, *fields[index + 1 :]])


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        yield connection


def test_a_generated_inventory_lands_every_row_and_passes_its_raw_suite(tmp_path, con):
    path = tmp_path / "card_inventory.csv"
    assert write_card_inventory(path, ROWS) == ROWS
    landing = land_card_inventory(con, [path], run_id="r1", validate=_suite("card_inventory"))
    assert landing.validation.success, landing.validation.describe()
    books = landing.accounting
    assert (books.rows_read, books.rows_landed, books.rows_quarantined, books.balanced) == (
        ROWS,
        ROWS,
        0,
        True,
    )
    [(rows, serials, files, active, synthetic)] = con.execute(
        "select count(*), count(distinct card_serial), count(distinct _file_id), "
        "count(*) filter (where status = 'active'), "
        "bool_and(dataset = 'synthetic' and confidence = 'claimed') "
        "from raw.card_inventory"
    ).fetchall()
    assert (rows, serials, files, synthetic) == (ROWS, ROWS, 1, True)
    assert 0.8 * ROWS < active < ROWS  # 90% of cards are active
    assert con.execute(
        "select table_name, run_id, rows_read, balanced, files from meta.load_accounting"
    ).fetchall() == [("card_inventory", "r1", ROWS, True, json.dumps({path.name: file_sha256(path)}))]


def test_a_generated_procurement_file_lands_every_row_typed(tmp_path, con):
    path = tmp_path / "procurement.csv"
    write_procurement(path, ROWS)
    landing = land_procurement(con, [path], validate=_suite("procurement_lines"))
    assert landing.validation.success, landing.validation.describe()
    assert (landing.accounting.rows_landed, landing.rows_quarantined) == (ROWS, 0)
    types = dict(
        con.execute("select column_name, column_type from (describe raw.procurement_lines)").fetchall()
    )
    assert (types["order_date"], types["units"], types["amount"], types["_file_id"]) == (
        "DATE",
        "BIGINT",
        "DOUBLE",
        "UBIGINT",
    )
    [(currencies, late)] = con.execute(
        "select list(distinct currency order by currency), "
        "count(*) filter (where delivery_date < order_date) "
        "from raw.procurement_lines"
    ).fetchall()
    assert (currencies, late) == (["CNY", "USD"], 0)


def test_hostile_inventory_rows_are_quarantined_with_their_line_and_reason(tmp_path, con):
    generated = tmp_path / "generated.csv"
    write_card_inventory(generated, 40)
    path = tmp_path / "hostile.csv"
    # Columns: datacenter_id, name, province, sector, state_funded, first_operational_date,
    # server_id, card_serial (7), chip_name, status (9), installed_on (10), dataset, source, confidence.
    _rewrite(
        generated,
        path,
        {
            4: _set(10, "not-a-date"),  # bad cast
            6: lambda fields: ",".join(fields[:5]),  # short row
            9: _set(9, "borrowed"),  # unknown status
            12: _set(7, ""),  # empty key
            15: _set(9, "Active"),  # read as written: status is compared in lower case
        },
        extra=[generated.read_text().splitlines()[2]],  # line 42: an identical repeat of line 3
    )
    landing = land_card_inventory(con, [path], validate=_suite("card_inventory"))
    books = landing.accounting
    assert (books.rows_read, books.rows_landed, books.rows_quarantined, books.balanced) == (41, 36, 5, True)
    reasons = _quarantine(con, "card_inventory")
    assert sorted(reasons) == [4, 6, 9, 12, 42]
    assert 'column "installed_on"' in reasons[4] and "not-a-date" in reasons[4]
    assert reasons[6].startswith("the row has fewer fields than the header")
    assert reasons[9] == "column 'status' = borrowed is not one of active, spare, failed, retired"
    assert reasons[12] == "column 'card_serial' is empty: a row needs it"
    assert reasons[42].startswith(
        "duplicate key (card_serial=SYN-DC-000001-C000001): a repeat of line hostile.csv:3"
    )
    [(kept,)] = con.execute(
        "select count(*) from raw.card_inventory where card_serial = 'SYN-DC-000001-C000001'"
    ).fetchall()
    assert kept == 1
    [(row_json,)] = con.execute("select row_json from quarantine.card_inventory where line = 9").fetchall()
    assert '"status":"borrowed"' in row_json
    assert landing.quarantined.height == 5 and landing.rows_quarantined == 5


def test_hostile_procurement_rows_are_quarantined_and_the_books_balance(tmp_path, con):
    generated = tmp_path / "generated.csv"
    write_procurement(generated, 30)
    # Columns: po_line_id (0), datacenter_id, order_date (2), delivery_date (3), chip_name, units (5),
    # unit_price (6), currency, amount (8), dataset, source_name, confidence.
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    _rewrite(
        generated,
        first,
        {
            3: _set(5, "-8"),  # negative units
            5: _set(3, "2021-01-01"),  # delivery before the order
            7: _set(5, "12x"),  # bad cast
            9: _set(6, "-1.5"),  # negative price
            11: lambda fields: ",".join([*fields, "surplus"]),  # too many fields
        },
    )
    lines = generated.read_text().splitlines()
    conflicting = lines[13].split(",")
    conflicting[5] = "9992"
    second.write_text("\n".join([lines[0], lines[12], ",".join(conflicting)]) + "\n")
    landing = land_procurement(con, [first, second], validate=_suite("procurement_lines"))
    books = landing.accounting
    assert (books.rows_read, books.rows_landed, books.rows_quarantined, books.balanced) == (32, 24, 8, True)
    reasons = {
        (file, line): reason
        for file, line, reason in con.execute(
            "select source_file, line, reason from quarantine.procurement_lines"
        ).fetchall()
    }
    assert sorted(reasons) == [("a.csv", n) for n in (3, 5, 7, 9, 11, 14)] + [("b.csv", 2), ("b.csv", 3)]
    assert reasons["a.csv", 3].startswith("column 'units' = -8 is outside the plausible range [0, 10000000]")
    assert reasons["a.csv", 5].startswith("column 'delivery_date' = 2021-01-01 is before column 'order_date'")
    assert "12x" in reasons["a.csv", 7]
    assert reasons["a.csv", 9].startswith("column 'unit_price' = -1.5 is outside the plausible range")
    assert reasons["a.csv", 11].startswith("the row has more fields than the header")
    # Line 13 of a.csv is repeated identically in b.csv (kept once); line 14 conflicts with b.csv:3.
    assert reasons["b.csv", 2].startswith(
        "duplicate key (po_line_id=SYN-PO-0000000012): a repeat of line a.csv:13"
    )
    assert reasons["a.csv", 14] == reasons["b.csv", 3]
    assert (
        "conflicting rows for key (po_line_id=SYN-PO-0000000013) on lines a.csv:14, b.csv:3"
        in reasons["b.csv", 3]
    )


def test_headers_are_matched_as_written(tmp_path, con):
    path = tmp_path / "export.csv"
    path.write_bytes(
        "\ufeff芯片型号;状态;序列号;数据中心编号;安装日期\n"
        "Huawei Ascend 910B; Active ;SN-1;DC-1;2025/12/05\n"
        "NVIDIA H20;spare;SN-2;DC-1;2025/12/06\n".encode()
    )
    landing = land_card_inventory(con, [path], validate=_suite("card_inventory"))
    assert landing.accounting.rows_landed == 2
    assert con.execute(
        "select card_serial, chip_name, status, installed_on::varchar, dataset "
        "from raw.card_inventory order by 1"
    ).fetchall() == [
        ("SN-1", "Huawei Ascend 910B", "active", "2025-12-05", "reported"),
        ("SN-2", "NVIDIA H20", "spare", "2025-12-06", "reported"),
    ]


def test_a_file_without_a_required_column_is_refused_before_anything_is_written(tmp_path, con):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    write_card_inventory(good, 100)
    land_card_inventory(con, [good])
    bad.write_text("datacenter_id,chip_name,status\nDC-1,NVIDIA H20,active\n")
    with pytest.raises(SourceFormatError, match="required column 'card_serial' is missing"):
        land_card_inventory(con, [good, bad])
    assert con.execute("select count(*) from raw.card_inventory").fetchone() == (100,)


def test_a_failed_validation_rolls_the_load_back(tmp_path, con):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    write_card_inventory(first, 200)
    land_card_inventory(con, [first])
    write_card_inventory(second, 300, seed=7)
    landing = land_card_inventory(
        con,
        [second],
        validate=validator("card_inventory", [has_rows(1_000)]),
    )
    assert landing.accounting is None and not landing.validation.success
    assert landing.rows_read == 300
    # The previous table, its quarantine and its books stay.
    kept = (
        "select count(*), any_value(landed.source_file) from raw.card_inventory "
        "join meta.landed_files as landed on landed.file_id = _file_id"
    )
    assert con.execute(kept).fetchone() == (
        200,
        "first.csv",
    )
    assert con.execute("select count(*) from meta.load_accounting").fetchone() == (1,)
    assert con.execute("select count(*) from quarantine.card_inventory").fetchone() == (0,)
    assert not con.execute(
        "select * from duckdb_tables() where table_name like '\\_bulk%' escape '\\'"
    ).fetchall()


def test_no_file_lands_empty_tables(con):
    inventory = land_card_inventory(con, [], validate=_suite("card_inventory"))
    procurement = land_procurement(con, [], validate=_suite("procurement_lines"))
    for landing, table in ((inventory, "card_inventory"), (procurement, "procurement_lines")):
        assert landing.validation.success
        assert (landing.accounting.rows_read, landing.accounting.balanced) == (0, True)
        assert con.execute(f"select count(*) from raw.{table}").fetchone() == (0,)


def _materialize_sources(warehouse: Path):
    """The raw tables datacenter_card_mix is built from, landed by their Dagster assets."""
    from dagster import materialize

    from orchestration.assets.raw import raw_assets
    from orchestration.resources import build_resources

    # The chip table's origins come from the chosen observations, which read the curated tables too.
    tables = {
        "chips", "fx_rates", "fred_fx_monthly", "epoch_ml_hardware", "card_inventory", "procurement_lines",
        "figure_observations", "funding_events", "export_control_rules", "policy_events",
    }  # fmt: skip
    assets = [a for a in raw_assets if a.key.path[-1] in tables]
    assert len(assets) == len(tables)
    return materialize(assets, resources=build_resources(warehouse))


@pytest.fixture
def inbox(tmp_path, monkeypatch):
    root = tmp_path / "inbox"
    shutil.copytree(PROJECT_ROOT / "data" / "inbox" / "epoch_ml_hardware", root / "epoch_ml_hardware")
    monkeypatch.setenv("CHIPWATCH_INBOX", str(root))
    return root


def test_empty_or_missing_inbox_folders_build_down_to_the_mart(tmp_path, inbox):
    (inbox / "card_inventory").mkdir()
    (inbox / "card_inventory" / "README.md").write_text("no CSV here\n")
    # No procurement folder at all.
    warehouse = tmp_path / "chipwatch.duckdb"
    result = _materialize_sources(warehouse)
    assert result.success
    for key in ("card_inventory", "procurement_lines"):
        [event] = [e for e in result.get_asset_materialization_events() if e.asset_key.path == ["raw", key]]
        metadata = event.materialization.metadata
        assert metadata["rows"].value == 0 and "nothing landed" in metadata["note"].value
    checks = {(c.asset_key.path[-1], c.check_name): c.passed for c in result.get_asset_check_evaluations()}
    assert all(
        checks[table, check]
        for table in ("card_inventory", "procurement_lines")
        for check in ("expectations", "accounting")
    )
    completed = run_dbt(warehouse, "+datacenter_card_mix", indirect_selection="buildable")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from marts.datacenter_card_mix").fetchone() == (0,)


def test_synthetic_files_feed_the_card_mix_mart(tmp_path, inbox):
    for folder, writer in (("card_inventory", write_card_inventory), ("procurement", write_procurement)):
        (inbox / folder).mkdir()
        writer(inbox / folder / f"{folder}.csv", ROWS)
    warehouse = tmp_path / "chipwatch.duckdb"
    assert _materialize_sources(warehouse).success
    completed = run_dbt(warehouse, "+datacenter_card_mix", indirect_selection="buildable")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:
        # Recomputed from the raw rows and the chip table's origins.
        expected = con.execute(
            """
            select datacenter_id,
                count(*) filter (where status = 'active' and origin = 'domestic'),
                count(*) filter (where status = 'active' and origin = 'foreign')
            from raw.card_inventory join staging.stg_reference__chips using (chip_name)
            group by 1 order by 1
            """
        ).fetchall()
        mart = con.execute(
            "select datacenter_id, active_domestic_cards, active_foreign_cards "
            "from marts.datacenter_card_mix where active_cards is not null order by 1"
        ).fetchall()
        assert mart == expected and len(mart) >= 1
        [(spend, raw_spend, unconverted, orders)] = con.execute(
            """
            select (select sum(spend_usd_domestic + spend_usd_foreign) from marts.datacenter_card_mix),
                (select sum(case currency when 'USD' then amount else amount / 7.1 end)
                 from raw.procurement_lines),
                (select sum(procurement_lines_without_usd) from marts.datacenter_card_mix),
                (select sum(procurement_lines) from marts.datacenter_card_mix)
            """
        ).fetchall()
        assert (unconverted, orders) == (0, ROWS)
        # The generator converts CNY at 7.1 per USD; fx_rates at the month's rate (6.3 to 7.3).
        assert 0.9 < spend / raw_spend < 1.1
        provenance = con.execute(
            "select distinct dataset, confidence, source_name like '%bench/synthetic.py%' "
            "from marts.datacenter_card_mix"
        ).fetchall()
        assert provenance == [("synthetic", "claimed", True)]


def test_a_new_file_in_either_folder_starts_its_inbox_job(tmp_path, inbox):
    from dagster import DagsterInstance, build_sensor_context

    from orchestration.resources import build_resources
    from orchestration.sensors import inbox_sensor

    (inbox / "procurement").mkdir()
    write_procurement(inbox / "procurement" / "orders.csv", 100)
    with DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(
            instance=instance, resources={"duckdb": build_resources(tmp_path / "chipwatch.duckdb")["duckdb"]}
        )
        requests = inbox_sensor.evaluate_tick(context).run_requests or []
    assert {request.job_name for request in requests} == {"inbox_epoch_ml_hardware", "inbox_procurement"}
