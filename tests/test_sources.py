"""The inbox sources: every file read, newest edition wins, nothing in the inbox touched."""

import hashlib
import json
import os
import shutil

import duckdb
import pytest
from conftest import PROJECT_ROOT, run_dbt
from pdf_fixtures import write_pdf

from ingestion.errors import InboxError
from ingestion.inbox import inbox_files

INBOX = PROJECT_ROOT / "data" / "inbox"


def test_inbox_lists_every_file_by_name_and_skips_hidden_ones(tmp_path):
    folder = tmp_path / "epoch_ml_hardware"
    folder.mkdir()
    for name in ("b.csv", "a.csv", ".DS_Store", "notes.txt"):
        (folder / name).write_text("x")
    assert [path.name for path in inbox_files("epoch_ml_hardware", (".csv",), tmp_path)] == ["a.csv", "b.csv"]


def test_inbox_refuses_a_symlink_pointing_outside_its_folder(tmp_path):
    folder = tmp_path / "epoch_ml_hardware"
    folder.mkdir()
    outside = tmp_path / "secret.csv"
    outside.write_text("x")
    os.symlink(outside, folder / "link.csv")
    with pytest.raises(InboxError, match="points outside its inbox folder"):
        inbox_files("epoch_ml_hardware", (".csv",), tmp_path)


def test_an_empty_inbox_says_what_to_drop_where(tmp_path):
    (tmp_path / "nvidia_revenue").mkdir()
    with pytest.raises(
        InboxError, match=r"No \.pdf file in .*nvidia_revenue: drop the nvidia_revenue download"
    ):
        inbox_files("nvidia_revenue", (".pdf",), tmp_path)


def test_the_build_reads_every_inbox_row_and_leaves_the_files_untouched(warehouse_sql):
    for folder, table in [
        ("epoch_ml_hardware", "epoch_ml_hardware"),
        ("epoch_gpu_clusters", "epoch_gpu_clusters"),
        ("nvidia_revenue", "nvidia_revenue_by_market"),
    ]:
        [(files,)] = warehouse_sql(
            f"select files from meta.load_accounting where table_name = '{table}' "
            "order by loaded_at desc limit 1"
        )
        landed = json.loads(files)
        names = warehouse_sql(
            f"select distinct landed.source_file from raw.{table} "
            "join meta.landed_files as landed on landed.file_id = _file_id"
        )
        assert {name for (name,) in names} == set(landed)
        on_disk = {
            path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in (INBOX / folder).iterdir()
            if path.suffix in (".csv", ".pdf")
        }
        assert landed == on_disk
    assert warehouse_sql("select count(*) from raw.epoch_ml_hardware") == [(169,)]
    assert warehouse_sql("select count(*) from raw.epoch_gpu_clusters") == [(786,)]
    assert warehouse_sql("select count(*) from staging.stg_epoch__gpu_clusters where country = 'China'") == [
        (253,)
    ]


def test_epoch_h100_has_tpp_15832(warehouse_sql):
    [(tpp,)] = warehouse_sql(
        "select tpp from staging.stg_epoch__ml_hardware where hardware_name = 'NVIDIA H100 SXM5 80GB'"
    )
    assert tpp == pytest.approx(15_832, abs=1)


def test_the_mxc500_bandwidth_conflict_is_flagged_and_curated_wins(warehouse_sql):
    [(bandwidth, epoch_bandwidth, conflicts)] = warehouse_sql(
        "select memory_bandwidth_tbps, epoch_memory_bandwidth_tbps, conflict_fields "
        "from intermediate.int_chips__merged where chip_name = 'MetaX MXC500 OAM'"
    )
    assert (bandwidth, epoch_bandwidth) == (1.8, 18.0)
    assert "memory_bandwidth_tbps" in conflicts


def test_chips_only_epoch_lists_join_the_chip_table(warehouse_sql):
    [(epoch_only,)] = warehouse_sql(
        "select count(*) from intermediate.int_chips__merged where spec_source = 'epoch'"
    )
    [(curated,)] = warehouse_sql(
        "select count(*) from intermediate.int_chips__merged where spec_source = 'curated'"
    )
    assert epoch_only > 50 and curated >= 40


def test_clusters_link_to_curated_chips(warehouse_sql):
    [(linked,)] = warehouse_sql(
        "select count(*) from staging.stg_epoch__gpu_clusters where chip_name = 'NVIDIA H100 SXM5'"
    )
    assert linked > 50


def _land_inbox(warehouse, folder, table, suffixes, root):
    """Land every file of an inbox folder as the raw asset does: the one lander."""
    from ingestion.lander import land
    from ingestion.registry import BY_TABLE

    with duckdb.connect(str(warehouse)) as con:
        landing = land(con, BY_TABLE[table], inbox_files(folder, suffixes, root))
    assert landing.accounting.balanced


def test_nvidia_newest_edition_wins_whatever_the_order_and_restatements_are_kept(tmp_path):
    inbox = tmp_path / "inbox" / "nvidia_revenue"
    inbox.mkdir(parents=True)
    # The newer edition sorts first by name and lists its rows in another order.
    write_pdf(
        inbox,
        "a_newer.pdf",
        [["", "Q1 FY26", "Q4 FY25"], ["Gaming", "3,763", "2,500"], ["Data Center", "39,112", "35,580"]],
    )
    write_pdf(
        inbox,
        "b_older.pdf",
        [["", "Q3 FY25", "Q4 FY25"], ["Data Center", "30,771", "35,580"], ["Gaming", "3,279", "2,544"]],
    )
    warehouse = tmp_path / "chipwatch.duckdb"
    _land_inbox(
        warehouse,
        "nvidia_revenue",
        "nvidia_revenue_by_market",
        (".pdf",),
        inbox.parent,
    )
    completed = run_dbt(warehouse, "stg_nvidia__revenue_by_market", "stg_nvidia__revenue_restatements")
    assert completed.returncode == 0, completed.stdout
    with duckdb.connect(str(warehouse), read_only=True) as con:
        latest = {
            (quarter, segment): (revenue, edition)
            for quarter, segment, revenue, edition in con.execute(
                "select quarter_label, segment, revenue_usd_m, edition "
                "from staging.stg_nvidia__revenue_by_market"
            ).fetchall()
        }
        restatements = con.execute(
            "select quarter_label, segment, previous_edition, previous_revenue_usd_m, edition, revenue_usd_m "
            "from staging.stg_nvidia__revenue_restatements"
        ).fetchall()
    assert len(latest) == 6
    assert latest[("Q4 FY25", "Gaming")] == (2_500, "Q1 FY26")
    assert latest[("Q3 FY25", "Gaming")] == (3_279, "Q4 FY25")
    assert restatements == [("Q4 FY25", "Gaming", "Q4 FY25", 2_544, "Q1 FY26", 2_500)]


def test_a_newer_epoch_edition_with_renamed_columns_replaces_the_older_figures(tmp_path):
    inbox = tmp_path / "inbox" / "epoch_ml_hardware"
    inbox.mkdir(parents=True)
    shutil.copy(INBOX / "epoch_ml_hardware" / "epoch_ml_hardware_2025-11.csv", inbox / "2025-11.csv")
    (inbox / "2026-02.csv").write_text(
        "Last modified,Memory (bytes),Hardware name,Manufacturer,Memory bandwidth (byte/s),New column\n"
        "2026-02-01 00:00:00+00:00,144000000000,NVIDIA H200 SXM,NVIDIA,4800000000000,kept\n",
        encoding="utf-8",
    )
    warehouse = tmp_path / "chipwatch.duckdb"
    _land_inbox(warehouse, "epoch_ml_hardware", "epoch_ml_hardware", (".csv",), inbox.parent)
    completed = run_dbt(warehouse, "stg_epoch__ml_hardware")
    assert completed.returncode == 0, completed.stdout
    with duckdb.connect(str(warehouse), read_only=True) as con:
        h200 = con.execute(
            "select memory_gb, as_of, extra_json from staging.stg_epoch__ml_hardware "
            "where hardware_name = 'NVIDIA H200 SXM'"
        ).fetchall()
        [(chips,)] = con.execute("select count(*) from staging.stg_epoch__ml_hardware").fetchall()
    assert [(memory, str(as_of)) for memory, as_of, _ in h200] == [(144.0, "2026-02-01")]
    assert '"New column": "kept"' in h200[0][2]
    assert chips == 169
