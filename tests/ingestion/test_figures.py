import pytest

from ingestion.figures import (
    Figure,
    FigureParseError,
    parse_figure,
    parse_figure_or_none,
)

# (text, value, value_high, unit, currency, qualifier); strings from the seed article and DOMAIN.md.
CASES = [
    ("超过400%", 400.0, None, "percent", None, "over"),
    ("468%", 468.0, None, "percent", None, None),
    ("3000亿", 3.0e11, None, None, None, None),
    ("28万", 2.8e5, None, None, None, None),
    ("2228倍", 2228.0, None, "times", None, None),
    ("171亿美元", 1.71e10, None, None, "USD", None),
    ("45亿美元", 4.5e9, None, None, "USD", None),
    ("5000万美元", 5.0e7, None, None, "USD", None),
    ("120亿美元", 1.2e10, None, None, "USD", None),
    ("超过80%", 80.0, None, "percent", None, "over"),
    ("不低于35%", 35.0, None, "percent", None, "at_least"),
    ("不低于50%", 50.0, None, "percent", None, "at_least"),
    ("超300亿", 3.0e10, None, None, None, "over"),
    ("25%", 25.0, None, "percent", None, None),
    ("141GB", 141.0, None, "GB", None, None),
    ("4.8TB/s", 4.8, None, "TB/s", None, None),
    ("HK$19.60", 19.6, None, None, "HKD", None),
    ("55.83亿港元", 5.583e9, None, None, "HKD", None),
    ("CNY 8.0 bn", 8.0e9, None, None, "CNY", None),
    ("US$4.5 billion", 4.5e9, None, None, "USD", None),
    ("about 1.65 m", 1.65e6, None, None, None, "about"),
    ("USD 17.1 bn", 1.71e10, None, None, "USD", None),
    ("USD 50 m", 5.0e7, None, None, "USD", None),
    ("80亿元", 8.0e9, None, None, "CNY", None),
    ("41.97亿元", 4.197e9, None, None, "CNY", None),
    ("36.77亿港元", 3.677e9, None, None, "HKD", None),
    ("¥114.28", 114.28, None, None, "CNY", None),
    ("HK$144.60", 144.6, None, None, "HKD", None),
    ("33,600", 33600.0, None, None, None, None),
    ("1,979", 1979.0, None, None, None, None),
    ("~4.0 m", 4.0e6, None, None, None, "about"),
    ("160 k", 1.6e5, None, None, None, None),
]


@pytest.mark.parametrize(("text", "value", "value_high", "unit", "currency", "qualifier"), CASES)
def test_parses_figures_as_sources_write_them(text, value, value_high, unit, currency, qualifier):
    figure = parse_figure(text)
    assert figure.value == pytest.approx(value, rel=1e-12)
    assert figure.value_high == (pytest.approx(value_high, rel=1e-12) if value_high is not None else None)
    assert (figure.unit, figure.currency, figure.qualifier) == (unit, currency, qualifier)
    assert figure.text == text


RANGES = [
    ("1.5-2亿", 1.5e8, 2.0e8, None, None),
    ("50亿至60亿", 5.0e9, 6.0e9, None, None),
    ("USD 1-2 bn", 1.0e9, 2.0e9, "USD", None),
    ("70B-175B", 7.0e10, 1.75e11, None, None),
    ("50%-60%", 50.0, 60.0, None, "percent"),
    ("3～5万亿", 3.0e12, 5.0e12, None, None),
    ("1 to 2 million", 1.0e6, 2.0e6, None, None),
]


@pytest.mark.parametrize(("text", "low", "high", "currency", "unit"), RANGES)
def test_ranges_share_a_multiplier_written_once(text, low, high, currency, unit):
    figure = parse_figure(text)
    assert figure.value == pytest.approx(low, rel=1e-12)
    assert figure.value_high == pytest.approx(high, rel=1e-12)
    assert (figure.currency, figure.unit) == (currency, unit)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("5十亿", 5.0e9),
        ("3百万", 3.0e6),
        ("2千", 2.0e3),
        ("1.2万亿", 1.2e12),
        ("3千万", 3.0e7),
        ("7 trillion", 7.0e12),
        ("2.5 mn", 2.5e6),
        ("12 thousand", 1.2e4),
        ("4.5B", 4.5e9),
    ],
)
def test_multipliers(text, value):
    assert parse_figure(text).value == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("¥5", "CNY"),
        ("5元", "CNY"),
        ("人民币5亿", "CNY"),
        ("人民币30亿元", "CNY"),
        ("CNY 5", "CNY"),
        ("RMB 5 bn", "CNY"),
        ("HK$5", "HKD"),
        ("5港元", "HKD"),
        ("5港币", "HKD"),
        ("HKD 5", "HKD"),
        ("US$5", "USD"),
        ("$5", "USD"),
        ("5美元", "USD"),
        ("USD 5", "USD"),
        ("5", None),
    ],
)
def test_currency_marks(text, currency):
    assert parse_figure(text).currency == currency


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("超过5", "over"),
        ("逾5亿", "over"),
        ("over 5", "over"),
        ("more than 5", "over"),
        ("above 5", "over"),
        (">5", "over"),
        ("300多亿", "over"),
        ("约5", "about"),
        ("近5亿", "about"),
        ("approximately 5", "about"),
        ("about 5", "about"),
        ("around 5", "about"),
        ("~5", "about"),
        ("5左右", "about"),
        ("不到5", "under"),
        ("under 5", "under"),
        ("less than 5", "under"),
        ("不低于5", "at_least"),
        ("至少5", "at_least"),
        ("at least 5", "at_least"),
        (">=5", "at_least"),
        ("5%以上", "at_least"),
        ("不超过5", "at_most"),
        ("至多5", "at_most"),
        ("at most 5", "at_most"),
        ("<=5", "at_most"),
    ],
)
def test_qualifiers(text, qualifier):
    figure = parse_figure(text)
    assert figure.qualifier == qualifier
    assert figure.value in (5.0, 5.0e8, 3.0e10)


def test_negated_qualifiers_are_not_read_as_their_positive_word():
    assert parse_figure("不超过35%").qualifier == "at_most"
    assert parse_figure("不低于35%").qualifier == "at_least"
    assert parse_figure("超过35%").qualifier == "over"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("百分之35", 35.0),
        ("百分之三十五", 35.0),
        ("百分之一百零五", 105.0),
        ("35％", 35.0),
        ("12.5 percent", 12.5),
    ],
)
def test_percent_forms(text, value):
    figure = parse_figure(text)
    assert (figure.value, figure.unit) == (pytest.approx(value), "percent")


@pytest.mark.parametrize(("text", "value"), [("1.5x", 1.5), ("3 times", 3.0), ("2228倍", 2228.0)])
def test_times_forms(text, value):
    assert (parse_figure(text).value, parse_figure(text).unit) == (value, "times")


def test_full_width_digits_and_commas():
    assert parse_figure("１２").value == 12.0
    assert parse_figure("１，９７９亿").value == pytest.approx(1.979e11)
    assert parse_figure("超过４００％") == Figure(400.0, None, "percent", None, "over", "超过４００％")


def test_keeps_the_original_text():
    assert parse_figure(" 171亿美元 ").text == " 171亿美元 "


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "超过",
        "亿",
        "1.2.3",
        "1,97",
        "12 apples",
        "5亿-3亿",
        "HK$5美元",
        "约5以下",
        "2228倍超额认购",
    ],
)
def test_unparseable_text_raises_with_the_text(text):
    with pytest.raises(FigureParseError, match="not a figure") as error:
        parse_figure(text)
    assert repr(text) in str(error.value)
    assert isinstance(error.value, ValueError)


def test_parse_figure_or_none():
    assert parse_figure_or_none(None) is None
    assert parse_figure_or_none("  ") is None
    assert parse_figure_or_none("28万") == Figure(280000.0, None, None, None, None, "28万")
    with pytest.raises(FigureParseError):
        parse_figure_or_none("n/a")


def test_figure_is_frozen():
    with pytest.raises(AttributeError):
        parse_figure("28万").value = 1.0  # type: ignore[misc]
