"""XLSForm expressions (XPath) to and from our conditions and limits.

``relevant`` becomes ``show_if``, ``constraint`` becomes the question's limits (min/max,
min_date/max_date, min_selections/max_selections, max_length). Only a small, fixed set of
XPath forms is understood, the ones KoBo and ODK authors write for skip logic and ranges;
anything else raises ``ExpressionError`` with the reason, and the import refuses that cell.

The export writes each of our conditions in one canonical XPath spelling, and the parser
folds those spellings back (``${q} = 'a' or ${q} = 'b'`` is ``{q, op: in}``, the same test
over several questions is ``any_of``/``all_of``), so export-then-import gives the same
condition. Where a condition has no XPath spelling that folds back exactly, the export also
keeps the exact condition in the ``partnerbot_show_if`` column (see ``export``). The tokenizer
and parser here are shared with ``constraints``.

Note the one difference in meaning: our comparisons with an unanswered question are false
(``conditions`` explains why); in ODK ``${q} != 'a'`` is true for an empty answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conversations.conditions import (
    AllConditions,
    AnyCondition,
    Comparison,
    Condition,
    KeysComparison,
    NotCondition,
)

NUMERIC_TYPES = frozenset({"scale", "integer", "decimal"})
CHOICE_TYPES = frozenset({"single_choice", "multiple_choice", "yes_no"})


class ExpressionError(Exception):
    """An expression outside the supported forms; the message says which part."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<var>\$\{\s*(?P<name>[^}\s]+)\s*\})
      | (?P<str>'[^']*'|"[^"]*")
      | (?P<num>-?\d+(?:\.\d+)?)
      | (?P<op>!=|<=|>=|=|<|>|\(|\)|,|\+|-|\*)
      | (?P<word>[A-Za-z_][A-Za-z0-9_:-]*(?=\s*\()|and\b|or\b|div\b|mod\b|[A-Za-z_][A-Za-z0-9_-]*)
      | (?P<dot>\.)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def _tokens(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ExpressionError(f"cannot read '{text[position : position + 20]}'")
        position = match.end()
        kind = match.lastgroup or ""
        if kind == "name" or match.group("var"):
            tokens.append(Token("var", match.group("name")))
        elif kind == "str":
            tokens.append(Token("str", match.group("str")[1:-1]))
        else:
            tokens.append(Token(kind, match.group(kind)))
    return tokens


class Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self, offset: int = 0) -> Token | None:
        index = self.at + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self, kind: str | None = None, text: str | None = None) -> Token:
        token = self.peek()
        if token is None or (kind and token.kind != kind) or (text and token.text != text):
            found = f"'{token.text}'" if token else "the end"
            raise ExpressionError(f"expected {text or kind} but found {found}")
        self.at += 1
        return token

    def accept(self, text: str) -> bool:
        token = self.peek()
        if token is not None and token.text == text and token.kind in {"op", "word"}:
            self.at += 1
            return True
        return False

    def finish(self) -> None:
        if self.peek() is not None:
            raise ExpressionError(f"unexpected '{self.peek().text}'")  # type: ignore[union-attr]


# --------------------------------------------------------------------------- relevant


def parse_relevant(text: str, kinds: Mapping[str, str]) -> Condition:
    """Turn a ``relevant`` cell into a ``Condition``; ``kinds`` maps earlier keys to types."""
    parser = Parser(text)
    condition = _or(parser, kinds)
    parser.finish()
    return condition


def _or(p: Parser, kinds: Mapping[str, str]) -> Condition:
    items = [_and(p, kinds)]
    while p.accept("or"):
        items.append(_and(p, kinds))
    return items[0] if len(items) == 1 else _fold(items, "any")


def _and(p: Parser, kinds: Mapping[str, str]) -> Condition:
    items = [_unary(p, kinds)]
    while p.accept("and"):
        items.append(_unary(p, kinds))
    return items[0] if len(items) == 1 else _fold(items, "all")


def _unary(p: Parser, kinds: Mapping[str, str]) -> Condition:
    token = p.peek()
    if token is None:
        raise ExpressionError("the condition ends too early")
    if token.kind == "word" and token.text == "not":
        p.take()
        p.take("op", "(")
        inner = _or(p, kinds)
        p.take("op", ")")
        return NotCondition(inner)
    if token.kind == "op" and token.text == "(":
        p.take()
        inner = _or(p, kinds)
        p.take("op", ")")
        return inner
    if token.kind == "word" and token.text == "selected":
        p.take()
        p.take("op", "(")
        key = _key(p, kinds)
        p.take("op", ",")
        code = p.take()
        if code.kind not in {"str", "num"}:
            raise ExpressionError("selected( ) needs a choice name in quotes")
        p.take("op", ")")
        if kinds[key] == "multiple_choice":
            return Comparison(key, "contains", code.text)
        if kinds[key] in CHOICE_TYPES:
            return Comparison(key, "==", code.text)
        raise ExpressionError(f"selected( ) needs a select question, '{key}' is {kinds[key]}")
    if token.kind == "word" and token.text == "string-length":
        p.take()
        p.take("op", "(")
        key = _key(p, kinds)
        p.take("op", ")")
        if p.take("op").text != ">" or p.take("num").text != "0":
            raise ExpressionError("string-length( ) is understood only as '> 0' (answered)")
        return Comparison(key, "answered")
    if token.kind == "var":
        key = _key(p, kinds)
        op = p.take("op").text
        if op not in {"=", "!=", "<", "<=", ">", ">="}:
            raise ExpressionError(f"'{op}' is not a comparison")
        literal = p.take()
        if literal.kind == "op" and literal.text == "-":
            literal = Token("num", "-" + p.take("num").text)
        if literal.kind not in {"str", "num"}:
            raise ExpressionError("a question can only be compared with a number or a 'text'")
        if literal.kind == "str" and literal.text == "" and op in {"=", "!="}:
            answered = Comparison(key, "answered")
            return answered if op == "!=" else NotCondition(answered)
        return Comparison(key, "==" if op == "=" else op, _value(key, kinds, literal))
    raise ExpressionError(f"'{token.text}' is not supported here")


def _key(p: Parser, kinds: Mapping[str, str]) -> str:
    key = p.take("var").text
    if key not in kinds:
        raise ExpressionError(f"${{{key}}} is not an earlier question")
    return key


def _value(key: str, kinds: Mapping[str, str], literal: Token) -> str | int | float:
    if kinds[key] in NUMERIC_TYPES:
        try:
            number = float(literal.text)
        except ValueError:
            raise ExpressionError(
                f"'{key}' is a number question: compare it with a number"
            ) from None
        return int(number) if number.is_integer() and "." not in literal.text else number
    return literal.text


def _fold(items: list[Condition], quantifier: str) -> Condition:
    """The canonical shape of an and/or list (see the module docstring)."""
    leaves = [c for c in items if isinstance(c, Comparison)]
    if len(leaves) == len(items):
        same_key = len({c.q for c in leaves}) == 1
        ops = {c.op for c in leaves}
        if same_key and ops == {"==" if quantifier == "any" else "!="}:
            op = "in" if quantifier == "any" else "not_in"
            return Comparison(leaves[0].q, op, tuple(c.value for c in leaves))  # type: ignore[misc]
        if same_key and ops == {"contains"} and all(isinstance(c.value, str) for c in leaves):
            op = "in" if quantifier == "any" else "contains"
            return Comparison(leaves[0].q, op, tuple(c.value for c in leaves))  # type: ignore[misc]
        values = {(c.op, repr(c.value)) for c in leaves}
        keys = [c.q for c in leaves]
        if len(values) == 1 and len(set(keys)) == len(keys):
            first = leaves[0]
            return KeysComparison(quantifier, tuple(keys), first.op, first.value)  # type: ignore[arg-type]
    if quantifier == "all" and all(
        isinstance(c, NotCondition)
        and isinstance(c.item, Comparison)
        and c.item.op == "contains"
        and isinstance(c.item.value, str)
        for c in items
    ):
        inner = [c.item for c in items]  # type: ignore[attr-defined]
        if len({c.q for c in inner}) == 1:
            return Comparison(inner[0].q, "not_in", tuple(c.value for c in inner))
    return AnyCondition(tuple(items)) if quantifier == "any" else AllConditions(tuple(items))


def render_relevant(condition: Condition, kinds: Mapping[str, str]) -> str:
    """Our condition in the canonical XPath spelling (the parser's preferred forms)."""
    return _render(condition, kinds, top=True)


def _render(condition: Condition, kinds: Mapping[str, str], top: bool = False) -> str:
    if isinstance(condition, Comparison):
        text, compound = _comparison(condition.q, condition.op, condition.value, kinds)
    elif isinstance(condition, KeysComparison):
        joiner = " or " if condition.quantifier == "any" else " and "
        parts = [
            _render(Comparison(k, condition.op, condition.value), kinds) for k in condition.keys
        ]
        text, compound = joiner.join(parts), len(parts) > 1
    elif isinstance(condition, AllConditions | AnyCondition):
        joiner = " and " if isinstance(condition, AllConditions) else " or "
        text = joiner.join(_render(item, kinds) for item in condition.items)
        compound = len(condition.items) > 1
    else:
        return f"not({_render(condition.item, kinds, top=True)})"
    return f"({text})" if compound and not top else text


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true()" if value else "false()"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    return f'"{text}"' if "'" in text else f"'{text}'"


def _comparison(key: str, op: str, value: Any, kinds: Mapping[str, str]) -> tuple[str, bool]:
    ref = f"${{{key}}}"
    multiple = kinds.get(key) == "multiple_choice"
    values = value if isinstance(value, tuple) else (value,)
    if op == "answered":
        return f"{ref} != ''", False
    if op == "contains":
        parts = [f"selected({ref}, {_literal(v)})" for v in values]
        return " and ".join(parts), len(parts) > 1
    if op == "in":
        parts = [
            f"selected({ref}, {_literal(v)})" if multiple else f"{ref} = {_literal(v)}"
            for v in values
        ]
        return " or ".join(parts), len(parts) > 1
    if op == "not_in":
        parts = [
            f"not(selected({ref}, {_literal(v)}))" if multiple else f"{ref} != {_literal(v)}"
            for v in values
        ]
        return " and ".join(parts), len(parts) > 1
    symbol = "=" if op == "==" else op
    return f"{ref} {symbol} {_literal(value)}", False
