"""Column headers, languages and the settings sheet of an XLSForm.

XLSForm puts the language in the header (``label::Français (fr)``); our definitions key texts
by language code. The code in parentheses is what counts (a bare code such as ``label::fr``
is accepted too); the name before it is only for people. A plain ``label`` column holds the
default language's texts.

Our survey-level texts have no standard XLSForm column, so they travel in extra settings
columns that pyxform passes through untouched: ``partnerbot_title::Language (code)`` (the
translations of ``form_title``), ``partnerbot_intro::Language (code)`` and
``partnerbot_section_name``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from conversations.definition import KEY_PATTERN, LANGUAGE_PATTERN
from conversations.xlsform import messages as msg
from conversations.xlsform.reading import Row, Sheet, Workbook

#: Columns holding one text per language.
TRANSLATABLE = frozenset(
    {"label", "hint", "constraint_message", "partnerbot_title", "partnerbot_intro"}
)
#: pyxform's alternative spellings of the columns we look at, folded onto one name.
ALIASES = {
    "relevance": "relevant",
    "caption": "label",
    "calculate": "calculation",
    "readonly": "read_only",
    "jr:constraintmsg": "constraint_message",
    "constraining_message": "constraint_message",
    "jr:requiredmsg": "required_message",
    "requiredmsg": "required_message",
    "count": "repeat_count",
    "jr:count": "repeat_count",
    "image": "media",
    "big-image": "media",
    "audio": "media",
    "video": "media",
}
_CODE_IN_PARENTHESES = re.compile(r"\(\s*([^()\s]+)\s*\)\s*$")
_LANGUAGE = re.compile(LANGUAGE_PATTERN)
KEY = re.compile(KEY_PATTERN)

#: ``(place, text) -> None``: how the readers report a refusal or a warning.
Report = Callable[[msg.Place, str], None]


@dataclass(frozen=True)
class Header:
    """A header split into its column (``label``) and language label (``English (en)``)."""

    text: str
    base: str
    language: str | None


def split_header(text: str) -> Header:
    parts = [part.strip() for part in text.split("::")]
    base = ALIASES.get(parts[0].lower().replace(" ", "_"), parts[0].lower().replace(" ", "_"))
    language = "::".join(parts[1:]) if len(parts) > 1 and base in TRANSLATABLE else None
    return Header(text, base, language or None)


def language_code(label: str) -> str | None:
    """``"Français (fr)"`` -> ``"fr"``; ``"fr"`` -> ``"fr"``; ``"French"`` -> None."""
    match = _CODE_IN_PARENTHESES.search(label)
    candidate = match.group(1) if match else label.strip()
    return candidate if match or _LANGUAGE.match(candidate) else None


@dataclass
class Languages:
    """The form's languages, in the order their columns first appear, and the default."""

    default: str
    codes: list[str]
    #: header text -> language code (plain columns map to the default language)
    of_header: dict[str, str] = field(default_factory=dict)

    def texts(self, row: Row, base: str, headers: Iterable[Header]) -> dict[str, str]:
        """``{code: text}`` of the ``base`` column(s) on ``row``, blank cells left out."""
        found: dict[str, str] = {}
        for header in headers:
            if header.base == base and header.text in self.of_header:
                value = row.get(header.text)
                if value:
                    found[self.of_header[header.text]] = value
        return found


def settings_row(book: Workbook) -> Row | None:
    return next((row for row in book.settings.rows if row.cells), None)


def find_languages(book: Workbook, refuse: Report, warn: Report) -> Languages:
    """Read the default language and every translated column; refuse unreadable codes."""
    settings = settings_row(book)
    default_label = settings.get("default_language") if settings else ""
    default: str | None = None
    if default_label:
        default = language_code(default_label)
        if default is None:
            refuse(
                settings.place("default_language"),
                msg.LANGUAGE_NO_CODE.format(language=default_label),
            )  # type: ignore[union-attr]
        elif not _LANGUAGE.match(default):
            refuse(settings.place("default_language"), msg.LANGUAGE_BAD_CODE.format(code=default))  # type: ignore[union-attr]
            default = None
    sheets = [s for s in (book.survey, book.choices, book.settings) if s is not None]
    codes: list[str] = []
    translated: dict[str, str] = {}
    plain: list[tuple[Sheet, Header]] = []
    for sheet in sheets:
        for header in map(split_header, sheet.headers):
            if header.base not in TRANSLATABLE:
                continue
            if header.language is None:
                plain.append((sheet, header))
                continue
            code = language_code(header.language)
            if code is None:
                refuse(
                    sheet.header_place(header.text),
                    msg.LANGUAGE_NO_CODE.format(language=header.language),
                )
                continue
            if not _LANGUAGE.match(code):
                refuse(sheet.header_place(header.text), msg.LANGUAGE_BAD_CODE.format(code=code))
                continue
            translated[header.text] = code
            if code not in codes:
                codes.append(code)
    if default is None:
        default = codes[0] if codes else "en"
        if not default_label:
            warn(
                book.settings.header_place("default_language"),
                msg.DEFAULT_LANGUAGE_ASSUMED.format(code=default),
            )
    for sheet, header in plain:
        twin = next(
            (
                h
                for h, c in translated.items()
                if c == default
                and split_header(h).base == header.base
                and split_header(h).language
                and h in sheet.headers
            ),
            None,
        )
        if twin is not None:
            refuse(
                sheet.header_place(header.text),
                msg.LANGUAGE_BOTH.format(plain=header.text, translated=twin),
            )
            continue
        translated[header.text] = default
    if default not in codes:
        codes.insert(0, default)
    return Languages(default=default, codes=codes, of_header=translated)


def read_settings(
    book: Workbook, languages: Languages, refuse: Report, warn: Report
) -> dict[str, object]:
    """Survey-level fields from the settings sheet (id, version, title, intro, section_name)."""
    row = settings_row(book)
    sheet = book.settings
    headers = [split_header(h) for h in sheet.headers]
    cells = row.cells if row else {}
    place = row.place if row else (lambda header=None: sheet.header_place(header or ""))
    data: dict[str, object] = {}
    form_id = cells.get("form_id", "")
    if not form_id:
        refuse(place("form_id"), msg.FORM_ID_MISSING)
    elif not KEY.match(form_id):
        refuse(place("form_id"), msg.FORM_ID_BAD.format(value=form_id))
    data["id"] = form_id
    version = cells.get("version", "")
    if not version:
        warn(place("version"), msg.VERSION_MISSING)
        data["version"] = 1
    elif not version.isdigit() or int(version) < 1:
        refuse(place("version"), msg.VERSION_BAD.format(value=version))
    else:
        data["version"] = int(version)
    title = languages.texts(row, "partnerbot_title", headers) if row else {}
    if cells.get("form_title"):
        title[languages.default] = cells["form_title"]
    elif languages.default not in title:
        warn(place("form_title"), msg.TITLE_MISSING)
        title[languages.default] = form_id or "survey"
    data["title"] = title
    intro = languages.texts(row, "partnerbot_intro", headers) if row else {}
    if not intro:
        warn(place("partnerbot_intro"), msg.INTRO_MISSING)
        intro = dict(title)
    data["intro"] = intro
    section_name = cells.get("partnerbot_section_name", "")
    if section_name:
        if section_name not in {"part", "element"}:
            refuse(place("partnerbot_section_name"), msg.SECTION_NAME_BAD)
        data["section_name"] = section_name
    known = {"form_id", "version", "form_title", "default_language", "partnerbot_section_name"}
    for header in headers:
        value = cells.get(header.text, "")
        if (
            not value
            or header.base in known
            or header.base in TRANSLATABLE
            or header.text.startswith("$")
        ):
            continue
        if header.base in msg.SETTING_REFUSED:
            refuse(place(header.text), msg.SETTING_REFUSED[header.base])
        else:
            warn(place(header.text), msg.SETTING_IGNORED.format(column=header.text))
    return data
