"""Every user-facing string comes from the gettext catalogs in ``locales/``.

Catalogs are compiled from the ``.po`` files in memory when first needed, so a fresh clone
works without a manual ``compile`` step and a stale ``.mo`` can never be served.

Handlers write ``_ = translator(lang)`` and then ``_("Hello, {name}!", name=...)``: the call
translates, then formats. In right-to-left languages the values put into a sentence are wrapped
in Unicode isolates, so a number, date or Latin name does not scramble the Arabic around it.

A pseudo-locale (``enable_pseudo``) wraps every translated string in ⟦ ⟧ so tests can prove
that nothing reaches a user without passing through a catalog.
"""

from __future__ import annotations

import gettext
import io
import sys
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def _locales_dir() -> Path:
    """Beside the code in a checkout (and an editable install); else where a regular install
    put the catalogs (``share/partnerbot/locales`` under the environment, see pyproject.toml):
    without them every partner would silently be answered in English."""
    checkout = Path(__file__).resolve().parent.parent / "locales"
    installed = Path(sys.prefix) / "share" / "partnerbot" / "locales"
    return checkout if checkout.is_dir() or not installed.is_dir() else installed


LOCALES_DIR = _locales_dir()
DOMAIN = "messages"
LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "ar", "sw")
RTL_LANGUAGES = frozenset({"ar", "fa", "ur", "he", "ps"})
# Each language named in its own script, for the language picker.
NATIVE_NAMES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    "sw": "Kiswahili",
}
FSI, PDI, RLM = "\u2068", "\u2069", "\u200f"
PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"

_pseudo = False
_default_language = "en"


def set_default_language(lang: str) -> None:
    global _default_language
    _default_language = lang if lang in LANGUAGES else "en"


def enable_pseudo(on: bool = True) -> None:
    """Mark every translated string; for the test that nothing untranslated reaches users."""
    global _pseudo
    _pseudo = on


def normalise_language(code: str | None) -> str:
    """Map a Telegram ``language_code`` (``fr-CA``, ``ar``, ``pt-br``) to a catalog we ship."""
    if code:
        base = code.replace("_", "-").split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return _default_language


def is_rtl(lang: str) -> bool:
    return lang in RTL_LANGUAGES


@cache
def _catalog(lang: str) -> gettext.NullTranslations:
    po_path = LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == "en" or not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def isolate(value: object, lang: str) -> str:
    text = str(value)
    return f"{FSI}{text}{PDI}" if is_rtl(lang) else text


class Translator:
    """Translate-then-format for one language; also a ``babel.Locale`` for numbers and dates."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else _default_language
        self._catalog = _catalog(self.lang)

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.lang)

    @property
    def rtl(self) -> bool:
        return is_rtl(self.lang)

    def _mark(self, text: str) -> str:
        return f"{PSEUDO_OPEN}{text}{PSEUDO_CLOSE}" if _pseudo else text

    def _format(self, text: str, values: dict[str, Any]) -> str:
        if not values:
            return text
        return text.format(**{k: isolate(v, self.lang) for k, v in values.items()})

    def __call__(self, message: str, **values: Any) -> str:
        return self._mark(self._format(self._catalog.gettext(message), values))

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        values.setdefault("n", n)
        return self._mark(self._format(self._catalog.ngettext(singular, plural, n), values))

    def pgettext(self, context: str, message: str, **values: Any) -> str:
        return self._mark(self._format(self._catalog.pgettext(context, message), values))

    def paragraphs(self, *parts: str) -> str:
        return "\n\n".join(p for p in parts if p)


def translator(lang: str | None) -> Translator:
    return Translator(normalise_language(lang))


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; translate it where it is shown."""
    return message


def bidi(text: str, lang: str) -> str:
    """Start each line of an RTL message with a right-to-left mark.

    Telegram picks a paragraph's direction from its first strong character, so a line that
    begins with a number, an emoji or a Latin name would otherwise be laid out left-to-right.
    """
    if not is_rtl(lang):
        return text
    return "\n".join(
        line if not line or line.startswith(RLM) else RLM + line for line in text.split("\n")
    )


# Punctuation that code (not a catalog string) puts between values, per language.
_PUNCTUATION = {"ar": {",": "،", ";": "؛", "?": "؟"}}


def punctuation(mark: str, lang: str) -> str:
    """``,``, ``;`` or ``?`` as the language writes it (Arabic: ``،`` ``؛`` ``؟``)."""
    return _PUNCTUATION.get(lang, {}).get(mark, mark)


def comma(lang: str) -> str:
    """The separator between items in a list the code assembles: ", " or "، "."""
    return punctuation(",", lang) + " "


def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def words(text: str, lang: str) -> str:
    """Someone's own words (a quoted answer) placed into a message: isolated like any value
    in a right-to-left message, and also in a left-to-right one when the words are written
    right to left, so neither scrambles the other. An isolate ends with its line, so each
    line is isolated on its own."""
    if not (is_rtl(lang) or has_rtl(text)):
        return text
    return "\n".join(f"{FSI}{line}{PDI}" if line.strip() else line for line in text.split("\n"))


def language_choices(preferred: str | None) -> list[tuple[str, str]]:
    """(code, native name) for the picker, the user's own Telegram language first."""
    first = normalise_language(preferred) if preferred else None
    ordered: Iterable[str] = LANGUAGES
    if first in LANGUAGES:
        ordered = [first, *[c for c in LANGUAGES if c != first]]
    return [(code, NATIVE_NAMES[code]) for code in ordered]


def clear_cache() -> None:
    """Forget compiled catalogs (after editing a .po file in a running process)."""
    _catalog.cache_clear()
