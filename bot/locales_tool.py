"""``partnerbot locales extract|update|check`` — Babel's extract and update, and our own check.

The check fails on any message that is untranslated or fuzzy in any language we ship, and on a
translation whose ``{placeholders}`` differ from the English, which would break formatting.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, LANGUAGES, LOCALES_DIR

ROOT = LOCALES_DIR.parent
SOURCES = ("bot", "conversations", "storage")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"\{(\w*)\}")
POT = LOCALES_DIR / f"{DOMAIN}.pot"


def po_path(lang: str) -> Path:
    return LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    catalog = Catalog(project="partnerbot", version="1", charset="utf-8", fuzzy=False)
    catalog.creation_date = datetime(2026, 1, 1, tzinfo=UTC)
    for source in SOURCES:
        method_map = [("**/sandbox/**", "ignore"), ("**.py", "python")]
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / source, method_map=method_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            catalog.add(
                message,
                None,
                [(f"{source}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def write_pot(catalog: Catalog) -> None:
    POT.parent.mkdir(parents=True, exist_ok=True)
    with POT.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True)


def update() -> int:
    template = extract()
    write_pot(template)
    for lang in LANGUAGES:
        if lang == "en":
            continue
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=lang)
        else:
            catalog = Catalog(locale=lang, project="partnerbot", fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=True, include_previous=False)
    print(f"{len(template)} messages; catalogs updated in {LOCALES_DIR}")
    return 0


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def check(out: TextIO = sys.stdout) -> int:
    """Non-zero when any shipped language lacks a translation or breaks a placeholder."""
    template = extract()
    problems = 0
    for lang in LANGUAGES:
        if lang == "en":
            continue
        path = po_path(lang)
        if not path.exists():
            print(f"{lang}: no catalog at {path}", file=out)
            problems += 1
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        missing: list[str] = []
        broken: list[str] = []
        for message in template:
            if not message.id:
                continue
            found = catalog.get(message.id, context=message.context)
            strings = found.string if found is not None else None
            texts = list(strings) if isinstance(strings, (list, tuple)) else [strings]
            if found is None or found.fuzzy or not all(texts):
                missing.append(message.id if isinstance(message.id, str) else message.id[0])
                continue
            ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
            expected = set().union(*(_placeholders(i) for i in ids))
            for text in texts:
                if text and not _placeholders(text) <= expected | {"n"}:
                    broken.append(ids[0])
        for message_id in missing:
            print(f"{lang}: untranslated: {message_id!r}", file=out)
        for message_id in broken:
            print(f"{lang}: placeholders differ from English: {message_id!r}", file=out)
        problems += len(missing) + len(broken)
        print(
            f"{lang}: {len(template) - 1 - len(missing)} of {len(template) - 1} translated",
            file=out,
        )
    print("locales check: " + ("OK" if problems == 0 else f"{problems} problem(s)"), file=out)
    return 1 if problems else 0


def main(command: str) -> int:
    if command == "extract":
        write_pot(extract())
        print(f"wrote {POT}")
        return 0
    if command == "update":
        return update()
    if command == "check":
        return check()
    raise ValueError(command)
