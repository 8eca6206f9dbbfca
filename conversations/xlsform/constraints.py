"""XLSForm ``constraint`` cells to and from our question limits.

Our definitions have limits, not free expressions: min/max (integer, decimal), min_date/
max_date (date), min_selections/max_selections (select_multiple) and max_length (text). So a
constraint is understood when it is a conjunction of such limits written the usual way
(``. >= 0 and . <= 100``, ``count-selected(.) <= 3``, ``. <= today()``); anything else raises
``ExpressionError`` and the import refuses the cell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from conversations.xlsform.expressions import ExpressionError, Parser, Token

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_constraint(text: str, kind: str) -> dict[str, Any]:
    """The limits a ``constraint`` cell sets for a question of our type ``kind``."""
    parser = Parser(text)
    limits: dict[str, Any] = {}
    while True:
        _limit(parser, kind, limits)
        if not parser.accept("and"):
            break
    parser.finish()
    return limits


def _limit(p: Parser, kind: str, limits: dict[str, Any]) -> None:
    token = p.peek()
    subject = "."
    if (
        token is not None
        and token.kind == "word"
        and token.text in {"count-selected", "string-length"}
    ):
        subject = p.take().text
        p.take("op", "(")
        p.take("dot")
        p.take("op", ")")
    else:
        p.take("dot")
    op = p.take("op").text
    if op not in {"<", "<=", ">", ">="}:
        raise ExpressionError(f"'{op}' cannot set a limit (use >= or <=)")
    if subject == "count-selected" and kind == "multiple_choice":
        number = _whole(p)
        _store(
            limits, "min_selections" if op[0] == ">" else "max_selections", _inclusive(op, number)
        )
    elif subject == "string-length" and kind == "text":
        number = _whole(p)
        if op[0] != "<":
            raise ExpressionError("only a maximum length (string-length(.) <= n) is supported")
        _store(limits, "max_length", _inclusive(op, number))
    elif subject == "." and kind in {"integer", "decimal"}:
        literal = p.take()
        if literal.kind == "op" and literal.text == "-":
            literal = Token("num", "-" + p.take("num").text)
        if literal.kind != "num":
            raise ExpressionError("compare . with a number")
        if kind == "integer":
            if "." in literal.text:
                raise ExpressionError("a whole-number question needs whole-number limits")
            value: int | float = _inclusive(op, int(literal.text))
        else:
            if len(op) == 1:
                raise ExpressionError("use >= or <= for decimal limits")
            value = float(literal.text)
        _store(limits, "min" if op[0] == ">" else "max", value)
    elif subject == "." and kind == "date":
        if len(op) == 1:
            raise ExpressionError("use >= or <= for date limits")
        _store(limits, "min_date" if op[0] == ">" else "max_date", _date_bound(p))
    else:
        raise ExpressionError("this kind of limit does not fit the question type")


def _whole(p: Parser) -> int:
    token = p.take("num")
    if "." in token.text or token.text.startswith("-"):
        raise ExpressionError("use a whole number from 0")
    return int(token.text)


def _inclusive(op: str, number: int) -> int:
    return number + 1 if op == ">" else number - 1 if op == "<" else number


def _store(limits: dict[str, Any], name: str, value: Any) -> None:
    if name in limits:
        raise ExpressionError(f"two limits set the same {name}")
    limits[name] = value


def _date_bound(p: Parser) -> str:
    token = p.take()
    if token.kind == "str" and _DATE.match(token.text):
        return token.text
    if token.kind == "word" and token.text == "date":
        p.take("op", "(")
        text = p.take("str").text
        p.take("op", ")")
        if not _DATE.match(text):
            raise ExpressionError(f"'{text}' is not a date (YYYY-MM-DD)")
        return text
    if token.kind == "word" and token.text == "today":
        p.take("op", "(")
        p.take("op", ")")
        sign = p.peek()
        if sign is None or sign.text not in {"+", "-"} or sign.kind != "op":
            return "today"
        p.take()
        days = _whole(p)
        if p.accept("*"):
            if p.take("num").text != "7":
                raise ExpressionError("only '* 7' (weeks) is understood after a number of days")
            return f"today{sign.text}{days}w"
        return f"today{sign.text}{days}d"
    raise ExpressionError("a date limit is today(), today() - n, today() + n or date('YYYY-MM-DD')")


def render_constraint(kind: str, limits: Mapping[str, Any]) -> str:
    """The ``constraint`` cell for our limits (empty when there are none)."""
    parts: list[str] = []
    for name, subject, op in (
        ("min", ".", ">="),
        ("max", ".", "<="),
        ("min_selections", "count-selected(.)", ">="),
        ("max_selections", "count-selected(.)", "<="),
    ):
        value = limits.get(name)
        if value is not None:
            parts.append(f"{subject} {op} {_number(value)}")
    for name, op in (("min_date", ">="), ("max_date", "<=")):
        bound = limits.get(name)
        if bound is not None:
            parts.append(f". {op} {_render_date(bound)}")
    if kind == "text" and limits.get("max_length") is not None:
        parts.append(f"string-length(.) <= {limits['max_length']}")
    return " and ".join(parts)


def _number(value: float) -> str:
    """Digits only (``1000000000.0``, never ``1e+09``): the parser reads no exponents."""
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(value, "f")
    return text


_RELATIVE = re.compile(r"^today\s*(?:([+-])\s*(\d+)\s*([dw]))?$")


def _render_date(bound: str) -> str:
    match = _RELATIVE.match(bound.strip())
    if match is None:
        return f"date('{bound}')"
    sign, amount, unit = match.groups()
    if sign is None:
        return "today()"
    return f"today() {sign} {int(amount)}" + (" * 7" if unit == "w" else "")
