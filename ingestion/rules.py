"""A source's rules as SQL: the one interpretation of the row-wise rules of `validation.expectations`.

The lander quarantines, with these predicates, every row a row-wise rule refuses (an empty
required column, a value outside its set or plausible range, a date in the future, one column
before another) and every repeat of a key; what is left for Great Expectations to audit are the
table-level rules (row counts, uniqueness of the landed rows) and the rules a source marks as
refusing the load instead (`audit_rules`: a curated file's values).
"""

from collections.abc import Iterable
from datetime import date, timedelta

from ingestion.warehouse import sql_string
from validation.expectations import Expectation

ROW_RULES = (
    "ExpectColumnValuesToNotBeNull",
    "ExpectColumnValuesToBeInSet",
    "ExpectColumnValuesToBeBetween",
    "ExpectColumnPairValuesAToBeGreaterThanB",
    "NotInFuture",
)
KEY_RULES = ("ExpectColumnValuesToBeUnique", "ExpectCompoundColumnsToBeUnique")


def row_rules(rules: Iterable[Expectation]) -> list[Expectation]:
    return [rule for rule in rules if rule.kind in ROW_RULES]


def table_rules(rules: Iterable[Expectation]) -> list[Expectation]:
    """The rules checked on the landed table as a whole (by Great Expectations)."""
    return [rule for rule in rules if rule.kind not in ROW_RULES]


def audit_rules(source) -> list[Expectation]:
    """What Great Expectations checks before a load commits: the table-level rules, and the rules
    whose breach refuses the load (`Source.audited`)."""
    return [*table_rules(source.rules), *source.audited]


def keys(rules: Iterable[Expectation]) -> list[tuple[str, ...]]:
    """The column sets each row must be alone in: the repeated-key pass runs once per key."""
    found = []
    for rule in rules:
        if rule.kind == "ExpectColumnValuesToBeUnique":
            found.append((rule.kwargs["column"],))
        elif rule.kind == "ExpectCompoundColumnsToBeUnique":
            found.append(tuple(rule.kwargs["column_list"]))
    return found


def _literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return sql_string(str(value))


def _when(rule: Expectation, today: date) -> str:
    kwargs = rule.kwargs
    column = kwargs.get("column")
    name = f'"{column}"'
    if rule.kind == "ExpectColumnValuesToNotBeNull":
        return f"when {name} is null then {sql_string(f'column {column!r} is empty: a row needs it')}"
    if rule.kind == "ExpectColumnValuesToBeInSet":
        values = kwargs["value_set"]
        message = f"column '{column}' = {{}} is not one of {', '.join(map(str, values))}"
        return (
            f"when {name} not in ({', '.join(map(_literal, values))}) "
            f"then format({sql_string(message)}, {name})"
        )
    if rule.kind == "ExpectColumnValuesToBeBetween":
        low, high = kwargs["min_value"], kwargs["max_value"]
        outside = " or ".join(
            [
                *([f"{name} < {low}"] if low is not None else []),
                *([f"{name} > {high}"] if high is not None else []),
            ]
        )
        message = (
            f"column '{column}' = {{}} is outside the plausible range [{low}, {high}]: "
            "a negative or absurd value (a wrong unit or a typo)"
        )
        return f"when {outside} then format({sql_string(message)}, {name})"
    if rule.kind == "ExpectColumnPairValuesAToBeGreaterThanB":
        later, earlier = kwargs["column_A"], kwargs["column_B"]
        operator = "<" if kwargs.get("or_equal") else "<="
        message = f"column '{later}' = {{}} is before column '{earlier}' = {{}}"
        return (
            f'when "{later}" {operator} "{earlier}" '
            f'then format({sql_string(message)}, "{later}", "{earlier}")'
        )
    if rule.kind == "NotInFuture":
        limit = today + timedelta(days=kwargs["days_ahead"])
        message = f"column '{column}' = {{}} is in the future (after {limit})"
        return f"when {name} > date '{limit}' then format({sql_string(message)}, {name})"
    raise ValueError(f"not a row-wise rule: {rule.kind}")


def reason_sql(rules: Iterable[Expectation], today: date | None = None) -> str:
    """A SQL expression giving a row's first reason to be set aside (null for a fine row)."""
    whens = [_when(rule, today or date.today()) for rule in row_rules(rules)]
    return f"case {' '.join(whens)} end" if whens else "null::varchar"
