"""Price files landed by DuckDB's CSV reader give what the careful reader gives: the same rows,
the same rows set aside (same lines, same reasons), the same books, through the one lander."""

import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingestion.errors import SourceFormatError
from ingestion.lander import date_range, land, plan
from ingestion.registry import BY_TABLE

PRICES = BY_TABLE["daily_prices"]
# The same source with no DuckDB columns: the careful reader reads every file.
CAREFUL_ONLY = replace(PRICES, columns=())

CORPUS = Path(__file__).parents[1] / "corpus" / "prices"
HEADER = "date,ticker,open,high,low,close,volume,currency\n"


def landed_rows(con) -> list[tuple]:
    columns = "date, ticker, open, high, low, close, volume, currency, dataset"
    return con.execute(f"select {columns} from raw.daily_prices order by all").fetchall()


def outcome(source, path: Path, tmp_path: Path):
    """Landed rows, (line, reason) set aside, rows read."""
    with duckdb.connect(str(tmp_path / f"{source.columns != ()}.duckdb")) as con:
        landing = land(con, source, [path])
        assert landing.accounting.balanced, landing.accounting.describe()
        set_aside = con.execute(
            "select line, reason from quarantine.daily_prices order by line, reason"
        ).fetchall()
        return landed_rows(con), sorted(set_aside), landing.rows_read


def careful_outcome(path: Path, tmp_path: Path):
    return outcome(CAREFUL_ONLY, path, tmp_path)


def bulk_outcome(path: Path, tmp_path: Path):
    return outcome(PRICES, path, tmp_path)


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.csv")), ids=lambda p: p.name)
def test_every_corpus_price_file_has_the_careful_readers_outcome(path, tmp_path):
    try:
        expected = careful_outcome(path, tmp_path)
    except SourceFormatError as refusal:
        with pytest.raises(SourceFormatError, match=re.escape(str(refusal)[:60])):
            bulk_outcome(path, tmp_path)
        return
    assert bulk_outcome(path, tmp_path) == expected


def test_cells_duckdb_cannot_cast_go_through_the_careful_reader_with_their_lines(tmp_path):
    path = tmp_path / "cells.csv"
    path.write_text(
        HEADER
        + "2025-12-01,NVDA,1,1,1,180,1000,USD\n"
        + "2025-12-02,NVDA,1,1,1,181,1.2万,USD\n"  # 12,000 for the careful reader
        + "2025-12-03,NVDA,1,1,1,n/a,1000,USD\n"  # a blank close: the key is empty
        + "2025-12-04,NVDA,1,1,1,-5,1000,USD\n"  # read by DuckDB, set aside by the bounds rule
        + '2025-12-05,NVDA,1,1,1,182,"1,500",USD\n'
        + "2025-12-06,NVDA,1,1,1,abc,1000,USD\n"
        + "2025-12-07,NVDA,1,1,1,183,1000,USD\n",
        encoding="utf-8",
    )
    assert plan(path, PRICES) is not None
    rows, set_aside, read = bulk_outcome(path, tmp_path)
    assert (rows, set_aside, read) == careful_outcome(path, tmp_path)
    assert [line for line, _ in set_aside] == [4, 5, 7]
    assert {row[0]: row[6] for row in rows}[date(2025, 12, 2)] == 12_000.0


def test_the_same_key_in_two_files_is_quarantined_with_both_files_and_lines(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    shutil.copy(CORPUS / "pipe_delimited.csv", first)
    second.write_text("date,ticker,close\n2025-12-04,NVDA,189\n2025-12-05,NVDA,190\n", encoding="utf-8")
    with duckdb.connect() as con:
        landing = land(con, PRICES, [first, second])
        assert landing.accounting.describe() == (
            "raw.daily_prices: 3 rows read = 1 landed + 2 quarantined (balanced)"
        )
        reasons = con.execute(
            "select source_file, line, reason from quarantine.daily_prices order by 1"
        ).fetchall()
    assert [(file, line) for file, line, _ in reasons] == [("a.csv", 2), ("b.csv", 3)]
    assert all("on lines a.csv:2, b.csv:3" in reason for _, _, reason in reasons)


def test_a_window_replaces_its_days_only_and_counts_the_other_rows(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(
        HEADER + "".join(f"2025-12-0{day},NVDA,1,1,1,{180 + day},1000,USD\n" for day in range(1, 6)),
        encoding="utf-8",
    )
    with duckdb.connect() as con:
        land(con, PRICES, [path])
        path.write_text(HEADER + "2025-12-02,NVDA,1,1,1,999,1000,USD\n2025-12-03,NVDA,1,1,1,998,1,USD\n")
        landing = land(con, PRICES, [path], window=(date(2025, 12, 3), date(2025, 12, 4)))
        assert landing.accounting.describe() == (
            "raw.daily_prices: 2 rows read = 1 landed + 0 quarantined + 1 in other partitions (balanced)"
        )
        closes = con.execute("select day(date), close from raw.daily_prices order by 1").fetchall()
    assert closes == [(1, 181.0), (2, 182.0), (3, 998.0), (5, 185.0)]


def test_a_failed_validation_rolls_the_whole_load_back(tmp_path):
    from validation.expectations import between
    from validation.runner import validator

    path = tmp_path / "p.csv"
    path.write_text(HEADER + "2025-12-01,NVDA,1,1,1,180,1000,USD\n", encoding="utf-8")
    with duckdb.connect() as con:
        land(con, PRICES, [path])
        path.write_text(HEADER + "2025-12-01,NVDA,1,1,1,9000,1000,USD\n", encoding="utf-8")
        landing = land(
            con,
            PRICES,
            [path],
            validate=validator("daily_prices", [between("close", 0, 1000)]),
        )
        assert landing.accounting is None and not landing.validation.success
        assert con.execute("select close from raw.daily_prices").fetchall() == [(180.0,)]
        assert con.execute("select count(*) from meta.load_accounting").fetchone() == (1,)


def test_the_audit_groups_only_the_rows_whose_key_the_lander_saw_repeated(tmp_path):
    from ingestion.rules import audit_rules
    from validation.runner import validate_relation

    path = tmp_path / "p.csv"
    rows = [
        "2025-12-01,NVDA,1,1,1,180,1000,USD",
        "2025-12-01,NVDA,1,1,1,180,1000,USD",  # an identical repeat: the first is kept
        "2025-12-02,NVDA,1,1,1,181,1000,USD",  # conflicting rows: neither is kept
        "2025-12-02,NVDA,1,1,1,999,1000,USD",
        *(f"2025-12-{day:02},NVDA,1,1,1,180,1000,USD" for day in range(3, 20)),
    ]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    suite = audit_rules(PRICES)
    seen = {}

    def validate(con, sql, may_repeat):
        [(key, condition)] = may_repeat.items()
        assert key == {"ticker", "date"}
        [(seen["may_repeat"],)] = con.execute(f"select count(*) from ({sql}) where {condition}").fetchall()
        [(seen["repeated_elsewhere"],)] = con.execute(
            f"select count(*) from (select ticker, date from ({sql}) where not {condition} "
            "group by all having count(*) > 1)"
        ).fetchall()
        judged = validate_relation(con, sql, "daily_prices", suite, may_repeat=may_repeat)
        assert judged == validate_relation(con, sql, "daily_prices", suite)
        return judged

    with duckdb.connect() as con:
        landing = land(con, PRICES, [path], validate=validate)
        assert landing.validation.success and landing.accounting.rows_landed == 18
    # Only the kept copy of the repeated key is grouped again; no key repeats among the 17 others.
    assert seen == {"may_repeat": 1, "repeated_elsewhere": 0}


def test_date_range_covers_the_rows_that_can_land(tmp_path):
    assert date_range(
        PRICES, [CORPUS / "bad_and_future_dates.csv", CORPUS / "gb18030_chinese_headers.csv"]
    ) == (
        date(2025, 12, 5),
        date(2025, 12, 8),
    )
