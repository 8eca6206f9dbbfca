"""Every string written for translation reaches the catalogs, and every catalog is complete."""

from __future__ import annotations

import ast
from pathlib import Path

from bot import locales_tool

ROOT = Path(__file__).resolve().parent.parent


def _marked_in_source() -> set[tuple[str | None, str, bool]]:
    """(context, msgid, plural?) of every ``_("…")``, ``_.ngettext(…)``, ``_.pgettext(…)``
    call, found with the AST so nothing the extractor misses (f-strings, odd call shapes)
    goes unnoticed."""
    found: set[tuple[str | None, str, bool]] = set()
    for source in locales_tool.SOURCES:
        for path in (ROOT / source).rglob("*.py"):
            if "sandbox" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                args = node.args
                func = node.func
                if isinstance(func, ast.Name) and func.id in ("_", "N_"):
                    if isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                        found.add((None, args[0].value, False))
                elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                    if func.value.id != "_":
                        continue
                    first = args[0]
                    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                        continue
                    if func.attr == "ngettext":
                        found.add((None, first.value, True))
                    elif func.attr == "pgettext" and len(args) > 1:
                        second = args[1]
                        if isinstance(second, ast.Constant) and isinstance(second.value, str):
                            found.add((first.value, second.value, False))
    return found


def test_every_marked_string_is_extracted_with_its_plural() -> None:
    catalog = locales_tool.extract()
    extracted: set[tuple[str | None, str, bool]] = set()
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, (list, tuple)):
            extracted.add((message.context, message.id[0], True))
        else:
            extracted.add((message.context, message.id, False))
    missing = sorted(_marked_in_source() - extracted, key=str)
    assert missing == [], "strings the extractor does not see (f-string? odd call?):\n" + "\n".join(
        map(repr, missing)
    )


def test_every_language_is_fully_translated(capsys: object) -> None:
    assert locales_tool.check() == 0


def test_translators_are_only_called_as_underscore() -> None:
    """The extractor only knows ``_``: a translator kept under another name (``staff_``,
    ``self.tr``) would send its strings untranslated, silently."""
    offenders: list[str] = []
    for source in locales_tool.SOURCES:
        for path in (ROOT / source).rglob("*.py"):
            if "sandbox" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            aliases: set[str] = set()
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Assign)
                    and isinstance(node.value, ast.Call)
                    and isinstance(node.value.func, ast.Name)
                    and node.value.func.id == "translator"
                ):
                    for target in node.targets:
                        name = ast.unparse(target)
                        if name != "_":
                            aliases.add(name)
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and ast.unparse(node.func) in aliases
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], "call the translator as `_` so the string is extracted: " + ", ".join(
        offenders
    )
