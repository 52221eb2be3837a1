"""Read one typed cell as a source wrote it: numbers with units or multipliers, dates in several formats.

Numbers go through `ingestion.figures` (one parser for "141GB", "4.8 TB/s", "3000亿", "35%"):
a unit is accepted only in a column of its kind and converted to the column's unit (named by
its suffix: `_gb`, `_tbps`, `_w`, ...). A figure written without a unit is in the source's
own unit (`divisor` converts, e.g. Epoch's bytes to GB). Ranges and approximate figures
("about 700", "1-2") are not a single value and are refused.
"""

import re

import polars as pl

from ingestion.figures import FigureParseError, parse_figure

NULL_TEXT = {"", "-", "—", "–", "n/a", "na", "null", "none", "nan"}

# Column suffix or word -> units accepted in it and the factor to the column's unit.
UNIT_FACTORS: dict[str, dict[str, float]] = {
    "_gb": {"GB": 1.0, "TB": 1e3, "MB": 1e-3},
    "_tbps": {"TB/s": 1.0, "GB/s": 1e-3},
    "_gbps": {"GB/s": 1.0, "TB/s": 1e3},
    "_w": {"W": 1.0},
    "_mm2": {"mm2": 1.0},
    "_tflops": {"TFLOPS": 1.0, "PFLOPS": 1e3, "EFLOPS": 1e6},
    "_tops": {"TOPS": 1.0},
    "_nm": {"nm": 1.0},
}
# Columns holding a fraction (0.35) where a source may write a percentage (35%).
FRACTION_WORDS = ("share", "efficiency")

# Unambiguous date formats: ISO, slashes or dots year first, Chinese, English month names.
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
)

# Vendor and exchange exports (prices, card inventories, procurement): one format per file.
EXPORT_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%m/%d/%Y", "%Y年%m月%d日", "%Y.%m.%d")


class CellError(ValueError):
    """A cell that cannot be read as its column's type."""


def units_for(column: str) -> dict[str, float]:
    units = dict(next((f for suffix, f in UNIT_FACTORS.items() if column.endswith(suffix)), {}))
    if any(word in column for word in FRACTION_WORDS):
        units["percent"] = 0.01
    return units


def is_blank(text: str | None) -> bool:
    return text is None or text.strip().casefold() in NULL_TEXT


def parse_number(text: str, column: str, divisor: float = 1.0) -> float:
    """The number in `text`, in `column`'s unit; raises CellError saying why it cannot be read."""
    plain = text.strip().replace(",", "")
    try:
        return float(plain) / divisor
    except ValueError:
        pass
    try:
        figure = parse_figure(text)
    except FigureParseError:
        raise CellError("not a number") from None
    if figure.value_high is not None or figure.qualifier is not None:
        raise CellError("a range or an approximate figure, not one value: write the number")
    if figure.currency is not None and not (figure.currency == "USD" and "usd" in column):
        raise CellError(f"a {figure.currency} amount in a column that holds no {figure.currency}")
    if figure.unit is None:
        return figure.value / divisor
    units = units_for(column)
    if figure.unit not in units:
        accepted = ", ".join(u for u in units) or "none"
        raise CellError(f"unit {figure.unit!r} does not belong in this column (accepted: {accepted})")
    return figure.value * units[figure.unit]


def number_column(frame: pl.DataFrame, column: str, divisor: float = 1.0) -> tuple[pl.Series, pl.Series]:
    """`column` read as Float64, and per row the reason it could not be read (null when it could)."""
    values: list[float | None] = []
    reasons: list[str | None] = []
    for text in frame[column].to_list():
        value = reason = None
        if not is_blank(text):
            try:
                value = parse_number(text, column, divisor)
            except CellError as error:
                reason = f"column '{column}': cannot read {text!r} as a number: {error}"
        values.append(value)
        reasons.append(reason)
    return pl.Series(column, values, pl.Float64), pl.Series(column, reasons, pl.String)


_CHINESE_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日)?$")


def _iso_chinese_date(text: str | None) -> str | None:
    """2025年12月5日 -> 2025-12-05, 2024年6月 -> 2024-06; anything else as it was (stripped)."""
    if text is None:
        return None
    text = text.strip()
    match = _CHINESE_DATE.match(text)
    if not match:
        return text
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")


def date_column(
    frame: pl.DataFrame, column: str, formats: tuple[str, ...] = DATE_FORMATS
) -> tuple[pl.Series, pl.Series]:
    """`column` read as Date trying `formats` in order, and per row why it could not be read."""
    text = pl.Series(column, [_iso_chinese_date(v) for v in frame[column].to_list()], pl.String)
    parsed = frame.select(pl.coalesce(text.str.to_date(fmt, strict=False) for fmt in formats).alias(column))[
        column
    ]
    blank = text.is_null() | text.str.to_lowercase().is_in(list(NULL_TEXT))
    unreadable = ~blank & parsed.is_null()
    reasons = pl.Series(
        column,
        [
            f"column '{column}': cannot read {value!r} as a date (accepted: {', '.join(formats)})"
            if bad
            else None
            for value, bad in zip(frame[column].to_list(), unreadable.to_list(), strict=True)
        ],
        pl.String,
    )
    return parsed, reasons


def read_typed(
    frame: pl.DataFrame,
    numbers: dict[str, float],
    dates: dict[str, tuple[str, ...]],
    unreadable: str = "quarantine",
) -> pl.DataFrame:
    """Type the text columns `numbers` (column -> divisor) and `dates` (column -> formats).

    A cell that cannot be read either flags its row for quarantine (`unreadable="quarantine"`,
    the reason in `_reason`), or becomes null with its text kept in the row's `extra_json`
    under `_unreadable` (`unreadable="keep"`, for optional columns of third-party files)."""
    from ingestion.quarantine import flag

    typed: dict[str, pl.Series] = {}
    reasons: dict[str, pl.Series] = {}
    for column, divisor in numbers.items():
        typed[column], reasons[column] = number_column(frame, column, divisor)
    for column, formats in dates.items():
        typed[column], reasons[column] = date_column(frame, column, formats)
    if unreadable == "quarantine":
        out = frame.with_columns(typed.values())
        for column in [*numbers, *dates]:
            out = flag(out, reasons[column])
        return out
    kept: list[dict] = [{} for _ in range(frame.height)]
    for column, why in reasons.items():
        for index, reason in enumerate(why.to_list()):
            if reason is not None:
                kept[index][column] = frame[column][index]
    if any(kept) and "extra_json" in frame.columns:
        import json

        merged = [
            json.dumps({**json.loads(extra or "{}"), "_unreadable": cells}, ensure_ascii=False)
            if cells
            else extra
            for extra, cells in zip(frame["extra_json"].to_list(), kept, strict=True)
        ]
        frame = frame.with_columns(pl.Series("extra_json", merged, pl.String))
    return frame.with_columns(typed.values())
