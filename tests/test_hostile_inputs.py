"""Hostile inputs (issue 7): every file of tests/corpus/ has the outcome docs/HOSTILE_INPUTS.md gives it.

A file is either refused with a message that names it and says what to do, or read: its bad
rows go to `quarantine.<table>` with the reason, file and line, the others proceed, and the
books balance (rows read = rows landed + rows quarantined), counted in a real warehouse.
"""

import json
import re
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingestion.errors import InboxError, SourceFormatError
from ingestion.inbox import inbox_files
from ingestion.lander import land
from ingestion.reference_tables import REFERENCE_TABLES
from ingestion.registry import BY_TABLE
from tests.landing import land_files

CORPUS = Path(__file__).parent / "corpus"

# source folder -> raw table; reference files name their table.
LOADERS = {
    "epoch_ml_hardware": "epoch_ml_hardware",
    "epoch_gpu_clusters": "epoch_gpu_clusters",
    "nvidia_revenue": "nvidia_revenue_by_market",
    "prices": "daily_prices",
}


@dataclass(frozen=True)
class Case:
    path: str  # under tests/corpus/
    refused: str | None = None  # regex of the error message
    landed: int | None = None
    quarantined: dict[int, str] = field(default_factory=dict)  # line -> regex of the reason
    values: dict[str, list] = field(default_factory=dict)  # column -> values of the landed rows

    @property
    def source(self) -> str:
        return self.path.split("/")[0]

    @property
    def table(self) -> str:
        if self.source == "reference":
            name = Path(self.path).stem
            return next(t for t in REFERENCE_TABLES if name.startswith(t))
        return LOADERS[self.source]

    def land(self):
        """Through the one lander, into an in-memory warehouse."""
        return land_files(self.table, CORPUS / self.path)


CASES = [
    # Curated reference CSVs
    Case(
        "reference/fx_rates_empty.csv", refused=r"fx_rates_empty\.csv: the file is empty .*download it again"
    ),
    Case(
        "reference/fx_rates_truncated.csv",
        landed=2,
        quarantined={4: r"the row has 3 fields, fewer than the 8 of the header: a truncated file"},
    ),
    Case(
        "reference/fx_rates_unclosed_quote.csv",
        landed=2,
        quarantined={4: r"malformed CSV record on lines 4-4: unexpected end of data .*quote opened"},
    ),
    Case(
        "reference/claims_gb18030.csv",
        landed=2,
        values={
            "claim_zh": ["华为昇腾出货量超过英伟达", "字节跳动资本开支3000亿元"],
            "claimed_value": [None, 3e11],
        },
    ),
    Case("reference/claims_gbk.csv", landed=2, values={"source_name": ["新闻报道", "新闻报道"]}),
    Case("reference/fx_rates_bom.csv", landed=3, values={"currency": ["CNY", "CNY", "HKD"]}),
    Case("reference/fx_rates_semicolon.csv", landed=3, values={"usd_per_unit": [0.1404, 0.1406, 0.1285]}),
    Case(
        "reference/fx_rates_header_missing.csv",
        refused=r"missing: \['currency'.*The first line looks like data, not a header: the header line is",
    ),
    Case(
        "reference/fx_rates_key_renamed.csv",
        refused=r"fx_rates_key_renamed\.csv: columns do not match .*missing: \['usd_per_unit'\]; "
        r"unknown: \['rate'\]",
    ),
    Case(
        "reference/fx_rates_extra_column.csv",
        refused=r"missing: none; unknown: \['comment'\].*Rename or remove the columns named",
    ),
    Case(
        "reference/fx_rates_wrong_type.csv",
        landed=2,
        quarantined={3: r"column 'usd_per_unit': cannot read 'seven cents' as a number"},
    ),
    Case(
        "reference/fx_rates_chinese_dates.csv",
        landed=1,
        values={"rate_date": [date(2025, 10, 1)], "as_of": [date(2025, 11, 3)]},
    ),
    Case(
        "reference/fx_rates_future_as_of.csv",
        landed=1,
        quarantined={3: r"column 'as_of' = 2099-01-01 is in the future"},
    ),
    Case("reference/fx_rates_empty_key.csv", landed=1, quarantined={3: r"column 'currency' is empty"}),
    Case(
        "reference/fx_rates_huge_line.csv",
        landed=2,
        quarantined={3: r"the row is 200,083 characters long, over the limit of 65,536"},
    ),
    Case(
        "reference/fx_rates_is_a_pdf.csv",
        refused=r"fx_rates_is_a_pdf\.csv: this is a binary file .*save it as CSV",
    ),
    Case(
        "reference/chips_units_in_cells.csv",
        landed=1,
        values={
            "bf16_tflops": [989.0],
            "memory_gb": [141.0],
            "memory_bandwidth_tbps": [4.8],
            "tdp_w": [700.0],
            "die_area_mm2": [814.0],
            "interconnect_gbps": [900.0],
            "price_usd": [32_000.0],
            "as_of": [date(2025, 12, 5)],
        },
    ),
    # Epoch AI ML Hardware
    Case(
        "epoch_ml_hardware/units_in_cells.csv",
        landed=2,
        values={"memory_gb": [80.0, 141.0], "memory_bandwidth_tbps": [3.35, 4.8], "tdp_w": [700.0, 700.0]},
    ),
    Case(
        "epoch_ml_hardware/key_renamed.csv",
        refused=r"key_renamed\.csv: required column 'hardware_name' is missing.*Headers found: 'Chip'.*alias",
    ),
    Case(
        "epoch_ml_hardware/extra_columns.csv",
        landed=1,
        values={"extra_json": ['{"Cooling": "liquid", "Form factor": "SXM5"}']},
    ),
    Case(
        "epoch_ml_hardware/wrong_types.csv",
        landed=2,
        values={
            "tdp_w": [700.0, None],
            "release_date": [date(2022, 3, 22), None],
            "extra_json": [
                "{}",
                '{"_unreadable": {"memory_gb": "lots", "tdp_w": "unknown", "release_date": "sometime 2025"}}',
            ],
        },
    ),
    Case(
        "epoch_ml_hardware/duplicate_keys.csv",
        landed=1,
        quarantined={
            3: r"duplicate key \(hardware_name=NVIDIA H100 SXM5 80GB\): a repeat of line .*:2, which",
            4: r"conflicting rows for key \(hardware_name=Ascend 910B\) on lines .*:4, .*:5: none kept",
            5: r"conflicting rows for key \(hardware_name=Ascend 910B\) on lines .*:4, .*:5: none kept",
        },
    ),
    Case(
        "epoch_ml_hardware/negative_and_absurd.csv",
        landed=1,
        quarantined={
            3: r"column 'memory_gb' = -80.0 is outside the plausible range \[0.01, 10000\]",
            4: r"column 'memory_bandwidth_tbps' = 5000.0 is outside the plausible range \[0.01, 100\]",
        },
    ),
    Case(
        "epoch_ml_hardware/chinese_date.csv",
        landed=1,
        values={"release_date": [date(2026, 3, 1)], "memory_gb": [128.0], "memory_bandwidth_tbps": [1.6]},
    ),
    Case("epoch_ml_hardware/header_only.csv", landed=0),
    # Epoch AI GPU Clusters
    Case(
        "epoch_gpu_clusters/gbk_chinese.csv",
        landed=2,
        values={
            "cluster_name": ["华为云乌兰察布集群", "Cluster B"],
            "owner": ["华为", "Acme"],
            "chip_quantity": [8000, 512],
            "first_operational_date": [date(2024, 6, 1), date(2024, 3, 5)],
        },
    ),
    Case("epoch_gpu_clusters/tab_delimited.csv", landed=2, values={"power_mw": [40.0, 1.0]}),
    Case(
        "epoch_gpu_clusters/truncated.csv",
        landed=2,
        quarantined={4: r"the row has 4 fields, fewer than the 7 of the header"},
    ),
    Case(
        "epoch_gpu_clusters/key_missing.csv",
        refused=r"key_missing\.csv: required column 'cluster_name' is missing.*Headers found: 'Site'",
    ),
    Case("epoch_gpu_clusters/empty_name.csv", landed=2, quarantined={4: r"column 'cluster_name' is empty"}),
    Case(
        "epoch_gpu_clusters/absurd_power.csv",
        landed=2,
        quarantined={4: r"column 'power_mw' = 5000000.0 is outside the plausible range \[0, 100000\]"},
    ),
    # NVIDIA Revenue by Market PDFs
    Case(
        "nvidia_revenue/empty.pdf",
        refused=r"empty\.pdf: the file is empty \(0 bytes\).*Download the PDF again",
    ),
    Case(
        "nvidia_revenue/html_error_page.pdf",
        refused=r"html_error_page\.pdf: not a readable PDF .*not a PDF \(an HTML error page",
    ),
    Case("nvidia_revenue/truncated.pdf", refused=r"truncated\.pdf: not a readable PDF .*download it again"),
    Case(
        "nvidia_revenue/not_a_revenue_table.pdf",
        refused=r"not_a_revenue_table\.pdf: no revenue table found.*'Revenue by Market' quarterly trend PDF",
    ),
    Case(
        "nvidia_revenue/units_and_bad_cells.pdf",
        landed=6,
        quarantined={
            3: r"page 1, table row 3, column 'Q1 FY26' \(segment 'Gaming'\): 'n.m.' .* not an amount",
            5: r"column 'revenue_usd_m' = 9999999.0 is outside the plausible range",
        },
    ),
    # Daily prices
    Case(
        "prices/gb18030_chinese_headers.csv",
        landed=2,
        values={
            "date": [date(2025, 12, 5), date(2025, 12, 8)],
            "close": [600.5, 610.0],
            "volume": [12_000.0, 98_000.0],
        },
    ),
    Case("prices/bom_semicolon.csv", landed=1, values={"ticker": ["0981.HK"], "close": [71.5]}),
    Case("prices/pipe_delimited.csv", landed=1, values={"close": [183.0]}),
    Case(
        "prices/bad_and_future_dates.csv",
        landed=1,
        quarantined={
            3: r"column 'date': cannot read 'yesterday' as a date",
            4: r"column 'date' = 2099-01-01 is in the future",
            5: r"column 'date': cannot read '05.12.2025' as a date",
        },
    ),
    Case(
        "prices/negative_close.csv",
        landed=1,
        quarantined={3: r"column 'close' = -183.0 is outside the plausible range"},
    ),
    Case(
        "prices/duplicate_keys.csv",
        landed=1,
        quarantined={
            3: r"duplicate key \(ticker=NVDA, date=2025-12-05\): a repeat of line .*:2",
            4: r"conflicting rows for key \(ticker=NVDA, date=2025-12-08\) on lines .*:4, .*:5",
            5: r"conflicting rows for key \(ticker=NVDA, date=2025-12-08\) on lines .*:4, .*:5",
        },
    ),
    Case("prices/huge_line.csv", landed=1, quarantined={3: r"the row is 70,030 characters long"}),
    Case(
        "prices/header_missing.csv",
        refused=r"required column 'date' is missing.*Headers found: '2025-12-05'.*header line is missing",
    ),
    Case("prices/empty.csv", refused=r"empty\.csv: the file is empty"),
]


def assert_books_balance(landed) -> None:
    """Rows read = rows landed + rows quarantined, counted in the warehouse the lander wrote."""
    accounting = landed.landing.accounting
    assert accounting.balanced, accounting.describe()
    assert (accounting.rows_landed, accounting.rows_quarantined) == (
        landed.frame.height,
        landed.quarantined.height,
    )
    for source_file, line, reason, row_json in landed.quarantined.iter_rows():
        assert source_file and line and reason
        assert isinstance(json.loads(row_json), dict)  # the row as read


@pytest.mark.parametrize("case", CASES, ids=[case.path for case in CASES])
def test_corpus_case(case: Case):
    if case.refused:
        with pytest.raises(SourceFormatError, match=case.refused):
            case.land()
        return
    landed = case.land()
    assert landed.frame.height == case.landed
    lines = dict(
        zip(landed.quarantined["line"].to_list(), landed.quarantined["reason"].to_list(), strict=True)
    )
    assert sorted(lines) == sorted(case.quarantined), lines
    for line, pattern in case.quarantined.items():
        assert re.search(pattern, lines[line]), (line, lines[line])
    assert set(landed.quarantined["source_file"].to_list()) <= {Path(case.path).name}
    frame = landed.frame
    if "source_row" in frame.columns:
        frame = frame.sort("source_row", nulls_last=True)
    for column, expected in case.values.items():
        actual = frame[column].to_list()
        if frame[column].dtype.is_float():
            assert actual == [pytest.approx(v) if v is not None else None for v in expected], column
        else:
            assert actual == expected, column
    assert_books_balance(landed)


def test_the_corpus_covers_every_source_with_at_least_30_cases():
    on_disk = {
        str(path.relative_to(CORPUS))
        for path in CORPUS.rglob("*")
        if path.suffix in (".csv", ".pdf")
        and path.parent.name != "symlink_outside"
        and path.name != "outside.csv"
    }
    refused_by_the_raw_suite = {"reference/fx_rates_duplicate_key.csv", "reference/fx_rates_negative.csv"}
    assert on_disk == {case.path for case in CASES} | refused_by_the_raw_suite
    assert len(on_disk) + 1 >= 30  # + the symlink
    assert {case.source for case in CASES} == {"reference", *LOADERS}


def test_a_symlink_pointing_outside_the_inbox_is_refused():
    with pytest.raises(InboxError, match=r"link\.csv points outside its inbox folder .*: refused"):
        inbox_files("symlink_outside", (".csv",), CORPUS / "epoch_ml_hardware")


def test_the_same_price_row_in_two_files_is_a_duplicate_across_the_inbox(tmp_path):
    inbox = tmp_path / "prices"
    inbox.mkdir()
    shutil.copy(CORPUS / "prices/pipe_delimited.csv", inbox / "a.csv")
    (inbox / "b.csv").write_text("date,ticker,close\n2025-12-05,NVDA,190\n", encoding="utf-8")
    landed = land_files("daily_prices", *inbox_files("prices", (".csv",), tmp_path))
    assert landed.frame.height == 0
    assert landed.quarantined["reason"].str.contains("on lines a.csv:2, b.csv:2").all()
    assert sorted(landed.quarantined["source_file"].to_list()) == ["a.csv", "b.csv"]
    assert_books_balance(landed)


def test_values_out_of_range_or_repeated_in_a_curated_file_refuse_it_through_the_raw_suite(tmp_path):
    """Curated tables are the project's own: a wrong value is fixed, not set aside."""
    from ingestion.rules import audit_rules
    from validation.runner import validator

    source = BY_TABLE["fx_rates"]
    for name, expectation in [
        ("fx_rates_duplicate_key.csv", "expect_compound_columns_to_be_unique on fx_rates"),
        ("fx_rates_negative.csv", "expect_column_values_to_be_between on fx_rates.usd_per_unit"),
    ]:
        with duckdb.connect() as con:
            landing = land(
                con,
                source,
                [CORPUS / "reference" / name],
                validate=validator("fx_rates", audit_rules(source)),
            )
        assert landing.accounting is None and expectation in landing.validation.describe()


def test_a_load_leaves_no_staged_table_and_drops_one_a_killed_load_left(tmp_path):
    """Each load stages into a table of its own; one refused by its audit drops it, and on the
    one-file warehouse the next load of a source drops what a killed load of it left behind."""
    from ingestion.rules import audit_rules
    from validation.runner import validator

    def raw_tables(con) -> list[str]:
        return [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
            ).fetchall()
        ]

    source = BY_TABLE["fx_rates"]
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create schema raw")
        # What a load killed while staging leaves, and a table of another source's name shape.
        con.execute('create table raw."_staged_fx_rates__0123456789ab" (x int)')
        con.execute('create table raw."_staged_fx_rates_x__0123456789ab" (x int)')
        refused = land(
            con,
            source,
            [CORPUS / "reference" / "fx_rates_negative.csv"],
            validate=validator("fx_rates", audit_rules(source)),
        )
        assert refused.accounting is None
        assert raw_tables(con) == ["_staged_fx_rates_x__0123456789ab"]
        landed = land(con, source, [CORPUS / "reference" / "fx_rates_duplicate_key.csv"])
        assert landed.accounting.balanced
        assert raw_tables(con) == ["_staged_fx_rates_x__0123456789ab", "fx_rates"]


def test_the_strict_reader_names_file_line_column_and_value(tmp_path):
    from ingestion.reference import read_reference_csv

    with pytest.raises(SourceFormatError, match=r"fx_rates_truncated\.csv, line 4, the row has 3 fields"):
        read_reference_csv(CORPUS / "reference/fx_rates_truncated.csv", REFERENCE_TABLES["fx_rates"])


def test_a_raw_asset_lands_good_rows_quarantines_bad_ones_and_its_accounting_check_passes(
    tmp_path, monkeypatch
):
    """End to end through Dagster: the asset, its raw suite and its blocking accounting check."""
    from dagster import materialize

    from orchestration.assets.raw import raw_assets
    from orchestration.resources import build_resources

    reference = tmp_path / "reference"
    reference.mkdir()
    shutil.copy(CORPUS / "reference/fx_rates_truncated.csv", reference / "fx_rates.csv")
    monkeypatch.setenv("CHIPWATCH_REFERENCE_DIR", str(reference))
    warehouse = tmp_path / "w.duckdb"
    [fx_asset] = [a for a in raw_assets if a.key.path == ["raw", "fx_rates"]]
    result = materialize([fx_asset], resources=build_resources(warehouse))
    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"expectations": True, "accounting": True}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.fx_rates").fetchone() == (2,)
        assert con.execute("select source_file, line from quarantine.fx_rates").fetchall() == [
            ("fx_rates.csv", 4)
        ]
        assert con.execute(
            "select rows_read, rows_landed, rows_quarantined, balanced, run_id from meta.load_accounting"
        ).fetchall() == [(3, 2, 1, True, result.run_id)]


def test_chipwatch_status_shows_the_quarantine_counts(tmp_path, capsys):
    from serving.cli import main
    from serving.publish import publish_warehouse

    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        land(con, BY_TABLE["daily_prices"], [CORPUS / "prices/duplicate_keys.csv"])
        con.execute("create schema marts; create table marts.m as select 1 as x")
    serving = tmp_path / "serving.duckdb"
    publish_warehouse(warehouse, serving, "run-1")
    assert main(["--serving", str(serving), "status"]) == 0
    out = capsys.readouterr().out
    assert "Loads (rows read = landed + quarantined): 3 rows in quarantine" in out
    assert "raw.daily_prices" in out and "4 read       1 landed     3 quarantined" in out
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute(
            "select count(*) from meta.quarantine where table_name = 'daily_prices'"
        ).fetchone() == (3,)
