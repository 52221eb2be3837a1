"""The whole asset graph, materialised in process into a temporary warehouse."""

import hashlib
import json
import subprocess
import sys

import duckdb
import pytest
from conftest import PROJECT_ROOT

REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"


def test_build_succeeds_with_every_blocking_check_passing(built_warehouse):
    _, result = built_warehouse
    evaluations = result.get_asset_check_evaluations()
    failed = [(e.asset_key.to_user_string(), e.check_name) for e in evaluations if not e.passed]
    assert result.success
    # Only freshness may fail: it warns that curated figures are older than their window.
    assert {check for _, check in failed} <= {"freshness"}
    # GX suites on every raw, staging and mart table, plus the dbt tests.
    gx_checked = {e.asset_key.path[0] for e in evaluations if e.check_name == "expectations"}
    assert gx_checked == {"raw", "staging", "marts"}


def test_warehouse_has_the_three_layers(warehouse_sql):
    schemas = {row[0] for row in warehouse_sql("select distinct table_schema from information_schema.tables")}
    assert {"raw", "staging", "marts"} <= schemas
    assert "main_marts" not in schemas


def test_h100_tpp_and_class_under_the_2023_rule(warehouse_sql):
    [(tpp, density, eccn)] = warehouse_sql(
        "select tpp, performance_density, eccn_class from marts.export_control_status "
        "where chip_name = 'NVIDIA H100 SXM5' and rule_id = 'us_2023_11' and month = '2024-01-01'"
    )
    assert tpp == pytest.approx(15_832, abs=1)
    assert density == pytest.approx(19.45, abs=0.01)
    assert eccn == "3A090.a"


@pytest.mark.parametrize(
    ("chip", "rule", "expected"),
    [
        ("NVIDIA L20", "us_2023_11", "none"),
        ("NVIDIA H20", "us_2023_11", "none"),
        ("NVIDIA GeForce RTX 4090", "us_2023_11", "3A090.a"),
        # The A800 was built to pass the 2022 I/O test and is caught by the 2023 rule.
        ("NVIDIA A800 SXM 80GB", "us_2022_10", "none"),
        ("NVIDIA A800 SXM 80GB", "us_2023_11", "3A090.a"),
        ("NVIDIA H100 SXM5", "us_2022_10", "3A090.a"),
    ],
)
def test_export_control_classes_match_the_published_test_vectors(warehouse_sql, chip, rule, expected):
    # The mart is per chip and month: pick one month in which the rule was in force.
    month = {"us_2022_10": "2023-06-01", "us_2023_11": "2024-01-01"}[rule]
    [(eccn,)] = warehouse_sql(
        "select eccn_class from marts.export_control_status "
        "where chip_name = ? and rule_id = ? and month = ?",
        [chip, rule, month],
    )
    assert eccn == expected


def test_unknown_die_area_leaves_density_null_not_zero(warehouse_sql):
    [(density, note)] = warehouse_sql(
        "select performance_density, classification_note from marts.export_control_status "
        "where chip_name = 'Huawei Ascend 910C' and rule_id = 'us_2022_10' and month = '2023-06-01'"
    )
    assert density is None
    assert "unknown" in note


def test_h200_memory_and_bandwidth(warehouse_sql):
    [(memory, bandwidth, vs_h200)] = warehouse_sql(
        "select memory_gb, memory_bandwidth_tbps, bf16_vs_h200 from marts.chip_cost_efficiency "
        "where chip_name = 'NVIDIA H200 SXM'"
    )
    assert (memory, bandwidth, vs_h200) == (141, 4.8, 1.0)


def test_cost_efficiency_is_null_where_no_price_is_known(warehouse_sql):
    rows = dict(
        warehouse_sql(
            "select chip_name, tflops_per_kusd from marts.chip_cost_efficiency "
            "where chip_name in ('NVIDIA H100 SXM5', 'NVIDIA H200 SXM')"
        )
    )
    assert rows["NVIDIA H100 SXM5"] == pytest.approx(989.4 / 33.6, rel=1e-3)
    assert rows["NVIDIA H200 SXM"] is None


def test_china_unit_shares_sum_to_one_with_nvidia_at_about_55_percent(warehouse_sql):
    shares = dict(
        warehouse_sql(
            "select vendor, share from marts.market_share "
            "where period = '2025' and market = 'China' and basis = 'units'"
        )
    )
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["NVIDIA"] == pytest.approx(0.55, abs=0.01)
    [(domestic,)] = warehouse_sql(
        "select sum(share) from marts.market_share "
        "where period = '2025' and market = 'China' and basis = 'units' and origin = 'domestic'"
    )
    assert domestic == pytest.approx(0.41, abs=0.01)


def test_every_mart_row_names_its_source(warehouse_sql):
    for mart in ("market_share", "chip_cost_efficiency", "export_control_status"):
        [(missing,)] = warehouse_sql(
            f"select count(*) from marts.{mart} "
            "where source_name is null or as_of is null or confidence is null"
        )
        assert missing == 0, mart


def test_raw_tables_carry_load_metadata(warehouse_sql):
    [(file_name, loaded, modified)] = warehouse_sql(
        "select distinct source_file, loaded_at is not null, file_modified_date is not null "
        "from raw.chips join meta.landed_files as landed on landed.file_id = _file_id"
    )
    assert (file_name, loaded, modified) == ("chips.csv", True, True)
    [(files,)] = warehouse_sql(
        "select files from meta.load_accounting where table_name = 'chips' order by loaded_at desc limit 1"
    )
    assert json.loads(files) == {
        "chips.csv": hashlib.sha256((REFERENCE_DIR / "chips.csv").read_bytes()).hexdigest()
    }


def test_a_rerun_replaces_rows_rather_than_duplicating_them(tmp_path):
    warehouse = tmp_path / "rerun.duckdb"
    from dagster import materialize

    from ingestion.registry import SOURCES
    from orchestration.assets.raw import raw_assets

    reference_assets = [a for a, s in zip(raw_assets, SOURCES, strict=True) if s.file_name]
    from orchestration.resources import build_resources

    for _ in range(2):
        assert materialize(reference_assets, resources=build_resources(warehouse)).success
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [(rows,)] = con.execute("select count(*) from raw.chips").fetchall()
    source_rows = len((REFERENCE_DIR / "chips.csv").read_text(encoding="utf-8").strip().splitlines()) - 1
    assert rows == source_rows


def test_a_nonsense_reference_value_stops_the_build_before_the_marts(failed_build):
    result = failed_build.result

    assert not result.success
    [failed] = [
        e for e in result.get_asset_check_evaluations() if not e.passed and e.check_name != "freshness"
    ]
    assert failed.asset_key.to_user_string() == "raw/chips"
    assert "expect_column_values_to_be_between on chips.memory_gb" in failed.metadata["summary"].value
    assert "-141" in failed.metadata["summary"].value
    # Nothing built from the chips is rebuilt (the price models, which do not read them, may be).
    from dagster import AssetKey, AssetSelection

    from orchestration.definitions import defs

    from_chips = AssetSelection.assets(AssetKey(["raw", "chips"])).downstream(include_self=False)
    downstream = from_chips.resolve(defs.resolve_asset_graph())
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert downstream and not (materialized & downstream)
    with duckdb.connect(str(failed_build.warehouse), read_only=True) as con:
        assert con.execute(
            "select memory_gb from marts.chip_cost_efficiency where chip_name = 'NVIDIA H200 SXM'"
        ).fetchall() == [(141.0,)]
        assert con.execute("select min(memory_gb) from raw.chips").fetchone()[0] > 0


def test_the_build_command_exits_non_zero_and_names_the_failed_expectation(failed_build):
    # The build ran on a copy of the built warehouse in a new Dagster home, where no publish is
    # recorded: the command rebuilt the whole graph from the changed chips file.
    assert failed_build.returncode == 1
    assert (
        "FAILED [BLOCKING] raw/chips expectations: expect_column_values_to_be_between on chips.memory_gb"
        in failed_build.stdout
    )
    assert "Not rebuilt" in failed_build.stdout and "marts/chip_cost_efficiency" in failed_build.stdout
    assert failed_build.stdout.rstrip().endswith("Build FAILED")


def test_loading_the_definitions_parses_no_dbt_project_and_imports_no_gx():
    probe = (
        "import sys, orchestration.definitions; "
        "heavy = ('great_expectations', 'dbt.parser.manifest', 'polars'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"


def test_the_build_writes_dbt_docs_next_to_the_warehouse(built_warehouse):
    warehouse, _ = built_warehouse
    site = warehouse.parent / "dbt_docs" / "static_index.html"
    assert site.exists()
    assert "market_share" in site.read_text(encoding="utf-8")
