"""Show-if conditions: a tiny, safe expression language over earlier answers.

Survey authors write conditions in YAML, e.g.::

    show_if: {q: satisfaction, op: "<=", value: 2}
    show_if: {any: [{q: consulted, op: in, value: [rarely, never]}, {q: credit, op: "<", value: 3}]}
    show_if: {any_of: [e1a, e1b, e1c], op: "<=", value: 2}
    show_if: {not: {q: funds_raised, op: "==", value: 0}}

Conditions are parsed into frozen dataclasses and evaluated by plain code: there is no
``eval`` anywhere, so a survey file can never run code. A comparison against a missing,
skipped or "don't know" answer is false (only ``answered`` looks at the status), which keeps
follow-up questions hidden until the answer that triggers them exists.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Scalar = str | int | float | bool
ConditionValue = Scalar | tuple[Scalar, ...] | None

#: Canonical operator names; ``ALIASES`` maps friendlier spellings onto them.
OPERATORS: tuple[str, ...] = (
    "==",
    "!=",
    "in",
    "not_in",
    "<",
    "<=",
    ">",
    ">=",
    "answered",
    "contains",
)
ALIASES: Mapping[str, str] = {"equals": "==", "not_equals": "!="}
ORDERING_OPERATORS: frozenset[str] = frozenset({"<", "<=", ">", ">="})
LIST_OPERATORS: frozenset[str] = frozenset({"in", "not_in"})


class AnswerLike(Protocol):
    """What the evaluator needs from a stored answer (the engine's ``Answer`` fits)."""

    @property
    def value(self) -> object: ...

    @property
    def status(self) -> str: ...


@dataclass(frozen=True)
class Comparison:
    """``{q: key, op: ..., value: ...}``: one earlier answer compared with a constant."""

    q: str
    op: str
    value: ConditionValue = None

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"q": self.q, "op": self.op}
        if self.op != "answered":
            data["value"] = _value_to_data(self.value)
        return data


@dataclass(frozen=True)
class KeysComparison:
    """``{any_of: [keys], op, value}`` / ``{all_of: ...}``: one test applied to several answers.

    Exists for the J-PAT need "if ANY of these items was rated 1-2" without repeating the
    comparison thirteen times.
    """

    quantifier: Literal["any", "all"]
    keys: tuple[str, ...]
    op: str
    value: ConditionValue = None

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {f"{self.quantifier}_of": list(self.keys), "op": self.op}
        if self.op != "answered":
            data["value"] = _value_to_data(self.value)
        return data


@dataclass(frozen=True)
class AllConditions:
    """``{all: [...]}``: true when every item is true."""

    items: tuple[Condition, ...]

    def to_data(self) -> dict[str, Any]:
        return {"all": [item.to_data() for item in self.items]}


@dataclass(frozen=True)
class AnyCondition:
    """``{any: [...]}``: true when at least one item is true."""

    items: tuple[Condition, ...]

    def to_data(self) -> dict[str, Any]:
        return {"any": [item.to_data() for item in self.items]}


@dataclass(frozen=True)
class NotCondition:
    """``{not: ...}``: negation."""

    item: Condition

    def to_data(self) -> dict[str, Any]:
        return {"not": self.item.to_data()}


Condition = Comparison | KeysComparison | AllConditions | AnyCondition | NotCondition


# --------------------------------------------------------------------------- parsing


def parse_condition(raw: object, path: str = "show_if") -> Condition:
    """Turn the YAML shape into a ``Condition``; raise ``ValueError`` naming the bad part.

    ``path`` is the location inside ``show_if`` (e.g. ``any[1]``) so nested mistakes are
    easy to find in a long file.
    """
    if isinstance(raw, Comparison | KeysComparison | AllConditions | AnyCondition | NotCondition):
        return raw
    if not isinstance(raw, Mapping):
        raise ValueError(f"{path}: a condition must be a mapping, got {type(raw).__name__}")
    keys = set(raw)
    for combinator in ("all", "any"):
        if combinator in keys:
            _only(raw, {combinator}, path)
            items = raw[combinator]
            if not isinstance(items, list) or not items:
                raise ValueError(f"{path}: '{combinator}' needs a non-empty list of conditions")
            parsed = tuple(
                parse_condition(item, f"{path}.{combinator}[{i}]") for i, item in enumerate(items)
            )
            return AllConditions(parsed) if combinator == "all" else AnyCondition(parsed)
    if "not" in keys:
        _only(raw, {"not"}, path)
        return NotCondition(parse_condition(raw["not"], f"{path}.not"))
    for quantifier in ("any", "all"):
        name = f"{quantifier}_of"
        if name in keys:
            _only(raw, {name, "op", "value"}, path)
            targets = raw[name]
            if (
                not isinstance(targets, list)
                or not targets
                or not all(isinstance(t, str) and t for t in targets)
            ):
                raise ValueError(f"{path}: '{name}' needs a non-empty list of question keys")
            op, value = _op_and_value(raw, path)
            return KeysComparison(quantifier, tuple(targets), op, value)  # type: ignore[arg-type]
    if "q" in keys:
        _only(raw, {"q", "op", "value"}, path)
        key = raw["q"]
        if not isinstance(key, str) or not key:
            raise ValueError(f"{path}: 'q' must be a question key")
        op, value = _op_and_value(raw, path)
        return Comparison(key, op, value)
    raise ValueError(
        f"{path}: expected one of 'q', 'any_of', 'all_of', 'all', 'any' or 'not', "
        f"got {sorted(map(str, keys))}"
    )


def _only(raw: Mapping[Any, Any], allowed: set[str], path: str) -> None:
    extra = sorted(str(k) for k in raw if k not in allowed)
    if extra:
        raise ValueError(f"{path}: unexpected {extra} next to {sorted(allowed)}")


def _op_and_value(raw: Mapping[Any, Any], path: str) -> tuple[str, ConditionValue]:
    op_raw = raw.get("op")
    if not isinstance(op_raw, str):
        raise ValueError(f"{path}: 'op' is required (one of {', '.join(OPERATORS)})")
    op = ALIASES.get(op_raw, op_raw)
    if op not in OPERATORS:
        raise ValueError(f"{path}: unknown operator '{op_raw}' (use one of {', '.join(OPERATORS)})")
    if op == "answered":
        if "value" in raw:
            raise ValueError(f"{path}: 'answered' takes no value")
        return op, None
    if "value" not in raw:
        raise ValueError(f"{path}: operator '{op}' needs a 'value'")
    value = _value_from_data(raw["value"], path)
    if op in LIST_OPERATORS and not isinstance(value, tuple):
        raise ValueError(f"{path}: operator '{op}' needs a list value")
    if op in ORDERING_OPERATORS and not _is_number(value):
        raise ValueError(f"{path}: operator '{op}' needs a number value")
    if op == "contains" and not (
        isinstance(value, str)
        or (isinstance(value, tuple) and all(isinstance(v, str) for v in value))
    ):
        raise ValueError(f"{path}: operator 'contains' needs a choice code or a list of codes")
    return op, value


def _value_from_data(value: object, path: str) -> ConditionValue:
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple) and all(
        isinstance(v, str | int | float | bool) for v in value
    ):
        return tuple(value)
    raise ValueError(f"{path}: 'value' must be a number, a text or a list of those")


def _value_to_data(value: ConditionValue) -> Any:
    return list(value) if isinstance(value, tuple) else value


# --------------------------------------------------------------------------- inspection


def referenced_keys(condition: Condition) -> tuple[str, ...]:
    """Every question key the condition reads, in order of appearance (may repeat)."""
    return tuple(key for key, _op, _value in comparisons(condition))


def comparisons(condition: Condition) -> Iterator[tuple[str, str, ConditionValue]]:
    """Flatten a condition into ``(key, op, value)`` leaves, for load-time checks."""
    if isinstance(condition, Comparison):
        yield condition.q, condition.op, condition.value
    elif isinstance(condition, KeysComparison):
        for key in condition.keys:
            yield key, condition.op, condition.value
    elif isinstance(condition, AllConditions | AnyCondition):
        for item in condition.items:
            yield from comparisons(item)
    else:
        yield from comparisons(condition.item)


# --------------------------------------------------------------------------- evaluation


def evaluate(condition: Condition, answers: Mapping[str, AnswerLike]) -> bool:
    """Evaluate ``condition`` against the answers so far; never raises on odd answer data."""
    if isinstance(condition, Comparison):
        return _test(answers.get(condition.q), condition.op, condition.value)
    if isinstance(condition, KeysComparison):
        results = (_test(answers.get(key), condition.op, condition.value) for key in condition.keys)
        return any(results) if condition.quantifier == "any" else all(results)
    if isinstance(condition, AllConditions):
        return all(evaluate(item, answers) for item in condition.items)
    if isinstance(condition, AnyCondition):
        return any(evaluate(item, answers) for item in condition.items)
    return not evaluate(condition.item, answers)


def _test(answer: AnswerLike | None, op: str, expected: ConditionValue) -> bool:
    if answer is None:
        return False
    if op == "answered":
        return answer.status == "answered"
    if answer.status != "answered" or answer.value is None:
        return False
    actual = answer.value
    if op == "==":
        return _equal(actual, expected)
    if op == "!=":
        return not _equal(actual, expected)
    if op in LIST_OPERATORS:
        options = expected if isinstance(expected, tuple) else (expected,)
        if isinstance(actual, list):
            hit = any(_equal(item, option) for item in actual for option in options)
        else:
            hit = any(_equal(actual, option) for option in options)
        return hit if op == "in" else not hit
    if op in ORDERING_OPERATORS:
        if not (_is_number(actual) and _is_number(expected)):
            return False
        a, b = float(actual), float(expected)  # type: ignore[arg-type]
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    if op == "contains":
        if not isinstance(actual, list):
            return False
        wanted = expected if isinstance(expected, tuple) else (expected,)
        return all(w in actual for w in wanted)
    return False


def _equal(actual: object, expected: object) -> bool:
    if isinstance(actual, list):
        if not isinstance(expected, tuple):
            return False
        return set(map(str, actual)) == set(map(str, expected))
    if _is_number(actual) and _is_number(expected):
        return float(actual) == float(expected)  # type: ignore[arg-type]
    if isinstance(actual, str) and isinstance(expected, str):
        return actual == expected
    return False


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
