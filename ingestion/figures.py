"""Parse figures the way Chinese and English sources write them: "超过400%", "171亿美元", "US$4.5 billion".

A figure is one number or a range, with an optional multiplier (亿, 万, bn, m, ...), currency,
unit (percent, times, GB, TB/s, ...) and qualifier (超过 -> "over", 约 -> "about", ...).
Values are in base units: "3000亿" -> 3.0e11. Percentages keep the written number: "468%" -> 468.0.
"""

import re
import unicodedata
from dataclasses import dataclass


class FigureParseError(ValueError):
    """The text is not a figure this parser understands."""


@dataclass(frozen=True)
class Figure:
    value: float
    value_high: float | None
    unit: str | None
    currency: str | None
    qualifier: str | None
    text: str


def _alternation(words: dict[str, object]) -> str:
    """A regex alternation of `words`, longest first so "不超过" wins over "超过"."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_QUALIFIER_PREFIXES = {
    **dict.fromkeys(["不低于", "不少于", "至少", "最少", "at least", ">=", "≥"], "at_least"),
    **dict.fromkeys(["不超过", "不高于", "至多", "最多", "at most", "up to", "<=", "≤"], "at_most"),
    **dict.fromkeys(["超过", "超", "逾", "多于", "高于", "大于", "over", "more than", "above", ">"], "over"),
    **dict.fromkeys(
        ["不到", "不足", "低于", "少于", "小于", "under", "less than", "fewer than", "below", "<"], "under"
    ),
    **dict.fromkeys(
        [
            "约",
            "大约",
            "近",
            "将近",
            "接近",
            "approximately",
            "approx.",
            "approx",
            "about",
            "around",
            "nearly",
            "~",
            "≈",
        ],
        "about",
    ),
}
_QUALIFIER_SUFFIXES = {
    **dict.fromkeys(["以上", "+"], "at_least"),
    **dict.fromkeys(["以下"], "at_most"),
    **dict.fromkeys(["左右", "上下"], "about"),
}
# "300多亿", "300余亿": more than 300 亿.
_APPROX_INFIXES = {"多": "over", "余": "over"}

_CURRENCY_PREFIXES = {
    **dict.fromkeys(["HK$", "HKD", "港币", "港元"], "HKD"),
    **dict.fromkeys(["US$", "USD", "$", "美元"], "USD"),
    **dict.fromkeys(["RMB", "CNY", "人民币", "¥"], "CNY"),
}
_CURRENCY_SUFFIXES = {
    **dict.fromkeys(["港元", "港币", "HKD"], "HKD"),
    **dict.fromkeys(["美元", "USD"], "USD"),
    **dict.fromkeys(["元", "人民币", "RMB", "CNY", "yuan"], "CNY"),
}

_MULTIPLIERS = {
    "万亿": 1e12,
    "十亿": 1e9,
    "千万": 1e7,
    "百万": 1e6,
    "亿": 1e8,
    "万": 1e4,
    "千": 1e3,
    "trillion": 1e12,
    "tn": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "million": 1e6,
    "mln": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "thousand": 1e3,
    "k": 1e3,
}

_UNITS = {
    **dict.fromkeys(["%", "percent", "per cent", "pct"], "percent"),
    **dict.fromkeys(["倍", "x", "×", "times"], "times"),
    **{
        unit: unit
        for unit in ["TB/s", "GB/s", "GB", "TB", "MB", "W", "nm", "TFLOPS", "TOPS", "PFLOPS", "EFLOPS"]
    },
    **dict.fromkeys(["mm2", "mm²"], "mm2"),
}

_NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_CHINESE_NUMBER = r"[零〇一二两三四五六七八九十百点]+"
_RANGE_SEPARATOR = r"-|–|—|~|至|到|to"


def _amount(name: str) -> str:
    return (
        rf"(?P<{name}>{_NUMBER})\s*"
        rf"(?P<{name}_infix>{_alternation(_APPROX_INFIXES)})?\s*"
        rf"(?P<{name}_mult>(?:{_alternation(_MULTIPLIERS)})(?![a-z]))?\s*"
        rf"(?P<{name}_unit>(?:{_alternation(_UNITS)})(?![a-z]))?"
    )


_FIGURE = re.compile(
    rf"""
    ^\s*
    (?P<qualifier>(?:{_alternation(_QUALIFIER_PREFIXES)})(?![a-z]))?\s*
    (?P<currency>{_alternation(_CURRENCY_PREFIXES)})?\s*
    (?:
        (?P<percent_words>百分之)\s*(?P<chinese>{_CHINESE_NUMBER}|{_NUMBER})
      | {_amount("low")}
        (?:\s*(?:{_RANGE_SEPARATOR})\s*{_amount("high")})?
    )
    \s*(?P<currency_suffix>(?:{_alternation(_CURRENCY_SUFFIXES)})(?![a-z]))?
    \s*(?P<qualifier_suffix>{_alternation(_QUALIFIER_SUFFIXES)})?
    \s*$
    """,
    re.IGNORECASE | re.VERBOSE,
)


def parse_figure(text: str) -> Figure:
    """Parse one figure; raises FigureParseError if `text` is not one."""
    if not isinstance(text, str):
        raise FigureParseError(f"not a figure: {text!r} is not text")
    match = _FIGURE.match(_normalise(text))
    if match is None:
        raise FigureParseError(f"not a figure: {text!r}")
    if match["percent_words"]:
        value = _chinese_number(match["chinese"], text)
        return Figure(value, None, "percent", None, _qualifier(match, text), text)

    low_mult, high_mult = match["low_mult"], match["high_mult"]
    # "1.5-2亿": a multiplier written once applies to both ends.
    low_factor = _multiplier(low_mult or high_mult)
    high_factor = _multiplier(high_mult or low_mult)
    value = _number(match["low"]) * low_factor
    value_high = _number(match["high"]) * high_factor if match["high"] is not None else None
    if value_high is not None and value_high < value:
        raise FigureParseError(f"not a figure: {text!r} is a range whose upper end is below its lower end")
    return Figure(
        value=value,
        value_high=value_high,
        unit=_unit(match, text),
        currency=_currency(match, text),
        qualifier=_qualifier(match, text),
        text=text,
    )


def parse_figure_or_none(text: str | None) -> Figure | None:
    """Like parse_figure, but None or blank text gives None (unparseable text still raises)."""
    if text is None or not text.strip():
        return None
    return parse_figure(text)


def _normalise(text: str) -> str:
    # NFKC folds full-width digits, commas and signs ("１２", "，", "％", "～") to ASCII.
    return unicodedata.normalize("NFKC", text).strip()


def _number(digits: str) -> float:
    return float(digits.replace(",", ""))


def _multiplier(word: str | None) -> float:
    return _MULTIPLIERS[word.lower()] if word else 1.0


def _lookup(table: dict[str, str], word: str) -> str:
    return next(value for key, value in table.items() if key.casefold() == word.casefold())


def _unit(match: re.Match[str], text: str) -> str | None:
    units = {_lookup(_UNITS, u) for u in (match["low_unit"], match["high_unit"]) if u}
    if len(units) > 1:
        raise FigureParseError(f"not a figure: {text!r} mixes units {sorted(units)}")
    return units.pop() if units else None


def _currency(match: re.Match[str], text: str) -> str | None:
    currencies = {
        _lookup(_CURRENCY_PREFIXES, match["currency"]) if match["currency"] else None,
        _lookup(_CURRENCY_SUFFIXES, match["currency_suffix"]) if match["currency_suffix"] else None,
    } - {None}
    if len(currencies) > 1:
        raise FigureParseError(f"not a figure: {text!r} names two currencies {sorted(currencies)}")
    return currencies.pop() if currencies else None


def _qualifier(match: re.Match[str], text: str) -> str | None:
    qualifiers = {
        _lookup(_QUALIFIER_PREFIXES, match["qualifier"]) if match["qualifier"] else None,
        _lookup(_QUALIFIER_SUFFIXES, match["qualifier_suffix"]) if match["qualifier_suffix"] else None,
        _APPROX_INFIXES[match["low_infix"]] if match["low_infix"] else None,
        _APPROX_INFIXES[match["high_infix"]] if match["high_infix"] else None,
    } - {None}
    if len(qualifiers) > 1:
        raise FigureParseError(f"not a figure: {text!r} has conflicting qualifiers {sorted(qualifiers)}")
    return qualifiers.pop() if qualifiers else None


_CHINESE_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CHINESE_UNITS = {"十": 10, "百": 100}


def _chinese_number(numeral: str, text: str) -> float:
    """Read "三十五", "一百", "十二点五" or plain digits, as in "百分之三十五"."""
    if re.fullmatch(_NUMBER, numeral):
        return _number(numeral)
    whole, _, fraction = numeral.partition("点")
    if not whole or any(ch not in _CHINESE_DIGITS for ch in fraction):
        raise FigureParseError(f"not a figure: {text!r}")
    total, digit = 0, None
    for ch in whole.replace("零", "").replace("〇", ""):
        if ch in _CHINESE_DIGITS:
            if digit is not None:
                raise FigureParseError(f"not a figure: {text!r}")
            digit = _CHINESE_DIGITS[ch]
        elif ch in _CHINESE_UNITS:
            total += (1 if digit is None else digit) * _CHINESE_UNITS[ch]
            digit = None
        else:
            raise FigureParseError(f"not a figure: {text!r}")
    total += digit or 0
    decimals = "".join(str(_CHINESE_DIGITS[ch]) for ch in fraction)
    return float(f"{total}.{decimals}") if decimals else float(total)
