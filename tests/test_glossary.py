"""One term per concept per language: the catalogs and the survey texts keep to
``locales/glossary.yaml``.

For each concept, when an English source (a msgid, or the ``en`` text of a survey field)
matches the concept, the translation must use the language's term (one of its ``forms``);
and a ``forbidden`` variant must appear in no text of that language at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "locales" / "glossary.yaml"
SURVEYS = ROOT / "conversations" / "surveys"
LANGUAGES = ("fr", "es", "ar", "sw")

Pair = tuple[str, str, str]  # (where, English, translation)


def _glossary() -> dict[str, dict[str, Any]]:
    concepts = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))["concepts"]
    assert isinstance(concepts, dict) and concepts
    return concepts


def _compile(patterns: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in patterns]


def _catalog_pairs(lang: str) -> Iterator[Pair]:
    path = ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        english = "\n".join(ids)
        for text in strings:
            if text:
                yield f"{path.relative_to(ROOT)}: msgid {ids[0]!r}", english, text


def _texts(node: Any, where: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Every {en: …, fr: …} mapping in a survey file, with a readable location."""
    if isinstance(node, dict):
        if isinstance(node.get("en"), str):
            yield where, node
            return
        label = node.get("key") or node.get("code")
        for key, value in node.items():
            yield from _texts(value, f"{where}/{label}.{key}" if label else f"{where}/{key}")
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value, where)


def _survey_pairs(lang: str) -> Iterator[Pair]:
    for path in sorted(SURVEYS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for where, texts in _texts(data, path.name):
            text = texts.get(lang)
            if isinstance(text, str) and text:
                yield f"conversations/surveys/{where}", texts["en"].strip(), text.strip()


def _pairs(lang: str) -> list[Pair]:
    return [*_catalog_pairs(lang), *_survey_pairs(lang)]


def test_glossary_is_well_formed() -> None:
    for name, concept in _glossary().items():
        assert concept.get("en"), f"{name}: no English pattern"
        _compile(concept["en"])
        for lang in LANGUAGES:
            entry = concept.get(lang)
            assert entry and entry.get("term") and entry.get("forms"), f"{name}: no {lang} term"
            forms = _compile(entry["forms"])
            assert any(f.search(str(entry["term"])) for f in forms), (
                f"{name}: the {lang} term {entry['term']!r} does not match its own forms"
            )
            forbidden = _compile(entry.get("forbidden", []))
            assert not any(f.search(str(entry["term"])) for f in forbidden), (
                f"{name}: the {lang} term is forbidden"
            )


def test_texts_are_found() -> None:
    """The test reads what it should: every catalog entry and the survey texts."""
    for lang in LANGUAGES:
        pairs = _pairs(lang)
        assert sum(p[0].startswith("locales/") for p in pairs) > 500
        assert sum(p[0].startswith("conversations/") for p in pairs) > 100


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_use_the_glossary_term(lang: str) -> None:
    problems: list[str] = []
    pairs = _pairs(lang)
    for name, concept in _glossary().items():
        english = _compile(concept["en"])
        entry = concept[lang]
        forms = _compile(entry["forms"])
        for where, source, text in pairs:
            if any(p.search(source) for p in english) and not any(f.search(text) for f in forms):
                problems.append(f"{name}: {where}\n    en: {source}\n    {lang}: {text}")
    assert not problems, (
        f"{len(problems)} {lang} translation(s) do not use the glossary term "
        "(locales/glossary.yaml):\n" + "\n".join(problems)
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_forbidden_variant(lang: str) -> None:
    problems: list[str] = []
    pairs = _pairs(lang)
    for name, concept in _glossary().items():
        for pattern in _compile(concept[lang].get("forbidden", [])):
            for where, _source, text in pairs:
                if pattern.search(text):
                    problems.append(f"{name}: {pattern.pattern!r} in {where}\n    {lang}: {text}")
    assert not problems, (
        f"{len(problems)} forbidden variant(s) in {lang} (locales/glossary.yaml):\n"
        + "\n".join(problems)
    )
