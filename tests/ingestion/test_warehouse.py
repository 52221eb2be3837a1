"""SQL helpers shared by the loaders."""

import duckdb
import pytest

from ingestion.warehouse import sql_trimmed


@pytest.mark.parametrize(
    "cell", [" a ", "a", "a b", "\u3000甲\u3000", "\u00a0x", "x\u2003", "x\t", "中文", "", "  ", None]
)
def test_trimming_only_padded_cells_gives_what_trim_gives(cell):
    con = duckdb.connect()
    trimmed, expected = con.execute(
        f"select {sql_trimmed('cell')}, trim(cell) from (select ?::varchar as cell)", [cell]
    ).fetchone()
    assert trimmed == expected
