"""Show-if conditions: parsing, evaluation, and the rule that missing answers compare false."""

from __future__ import annotations

import pytest

from conversations.conditions import (
    AllConditions,
    AnyCondition,
    Comparison,
    KeysComparison,
    NotCondition,
    evaluate,
    parse_condition,
    referenced_keys,
)
from conversations.engine import Answer


def answers(**values: object) -> dict[str, Answer]:
    return {key: Answer(key, value, "answered") for key, value in values.items()}  # type: ignore[arg-type]


def check(raw: object, given: dict[str, Answer]) -> bool:
    return evaluate(parse_condition(raw), given)


@pytest.mark.parametrize(
    ("op", "value", "answer", "expected"),
    [
        ("==", 3, 3, True),
        ("equals", 3, 3, True),
        ("==", 3, 4, False),
        ("!=", 3, 4, True),
        ("not_equals", 3, 3, False),
        ("<", 3, 2, True),
        ("<", 3, 3, False),
        ("<=", 3, 3, True),
        (">", 3, 4, True),
        (">=", 3, 2, False),
        ("in", ["a", "b"], "b", True),
        ("in", ["a", "b"], "c", False),
        ("not_in", ["a", "b"], "c", True),
        ("not_in", ["a", "b"], "a", False),
        ("contains", "x", ["x", "y"], True),
        ("contains", "z", ["x", "y"], False),
        ("contains", ["x", "y"], ["x", "y", "z"], True),
        ("==", "yes", "yes", True),
        ("==", 2, 2.0, True),
        ("<", 3, "2", False),  # a text is never "less than" a number
        ("==", ["x", "y"], ["y", "x"], True),
        ("in", ["x"], ["x", "y"], True),  # any selected code in the list
    ],
)
def test_operators(op: str, value: object, answer: object, expected: bool) -> None:
    assert check({"q": "a", "op": op, "value": value}, answers(a=answer)) is expected


@pytest.mark.parametrize("op", ["==", "!=", "<", "<=", ">", ">=", "in", "not_in", "contains"])
def test_missing_answer_makes_every_comparison_false(op: str) -> None:
    value: object = ["x"] if op in {"in", "not_in"} else ("x" if op == "contains" else 1)
    condition = {"q": "a", "op": op, "value": value}
    assert check(condition, {}) is False
    assert check(condition, {"a": Answer("a", None, "skipped")}) is False
    assert check(condition, {"a": Answer("a", None, "dont_know")}) is False


def test_answered_looks_at_status() -> None:
    condition = {"q": "a", "op": "answered"}
    assert check(condition, answers(a=1))
    assert not check(condition, {})
    assert not check(condition, {"a": Answer("a", None, "skipped")})
    assert not check(condition, {"a": Answer("a", None, "dont_know")})


def test_combinators() -> None:
    given = answers(a=1, b=5)
    low_a = {"q": "a", "op": "<=", "value": 2}
    low_b = {"q": "b", "op": "<=", "value": 2}
    assert check({"any": [low_a, low_b]}, given)
    assert not check({"all": [low_a, low_b]}, given)
    assert check({"not": low_b}, given)
    assert check({"all": [low_a, {"not": low_b}]}, given)


def test_any_of_keys_for_jpat_low_scores() -> None:
    condition = {"any_of": ["a", "b", "c"], "op": "<=", "value": 2}
    assert not check(condition, answers(a=3, b=4, c=5))
    assert check(condition, answers(a=3, b=2, c=5))
    assert not check(condition, {"a": Answer("a", None, "dont_know")})
    assert check({"all_of": ["a", "b"], "op": ">=", "value": 4}, answers(a=4, b=5))
    assert not check({"all_of": ["a", "b"], "op": ">=", "value": 4}, answers(a=4))


def test_parse_builds_dataclasses_and_round_trips() -> None:
    raw = {
        "all": [
            {"q": "a", "op": "equals", "value": "x"},
            {"any": [{"any_of": ["b", "c"], "op": "<", "value": 2}]},
            {"not": {"q": "d", "op": "answered"}},
        ]
    }
    parsed = parse_condition(raw)
    assert isinstance(parsed, AllConditions)
    assert parsed.items[0] == Comparison("a", "==", "x")
    assert isinstance(parsed.items[1], AnyCondition)
    assert parsed.items[1].items[0] == KeysComparison("any", ("b", "c"), "<", 2)
    assert parsed.items[2] == NotCondition(Comparison("d", "answered"))
    assert referenced_keys(parsed) == ("a", "b", "c", "d")
    assert parse_condition(parsed.to_data()) == parsed


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("a <= 2", "must be a mapping"),
        ({"q": "a", "op": "=>", "value": 2}, "unknown operator '=>'"),
        ({"q": "a", "value": 2}, "'op' is required"),
        ({"q": "a", "op": "=="}, "needs a 'value'"),
        ({"q": "a", "op": "in", "value": "x"}, "needs a list value"),
        ({"q": "a", "op": "<", "value": "two"}, "needs a number value"),
        ({"q": "a", "op": "answered", "value": True}, "takes no value"),
        ({"q": "a", "op": "==", "value": 1, "extra": 1}, "unexpected ['extra']"),
        ({"all": []}, "non-empty list"),
        ({"any_of": "a", "op": "<", "value": 1}, "non-empty list of question keys"),
        ({"something": 1}, "expected one of"),
        ({"any": [{"q": "a", "op": "??", "value": 1}]}, "show_if.any[0]: unknown operator"),
        ({"q": "a", "op": "==", "value": {"x": 1}}, "'value' must be"),
    ],
)
def test_parse_errors_name_the_problem(raw: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=None) as caught:
        parse_condition(raw)
    assert fragment in str(caught.value)


def test_evaluation_tolerates_odd_answer_values() -> None:
    odd = {"a": Answer("a", ["x"], "answered"), "b": Answer("b", "text", "answered")}
    assert not check({"q": "a", "op": "<", "value": 1}, odd)
    assert not check({"q": "b", "op": "contains", "value": "t"}, odd)
    assert not check({"q": "a", "op": "==", "value": "x"}, odd)
    assert not check({"q": "b", "op": "==", "value": 1}, odd)
