"""Read an XLSForm workbook into rows that remember where they came from.

The cell values come from pyxform's own reader (``get_xlsform``), so a form reads here exactly
as it reads in KoBo or ODK Central (whitespace trimmed, numbers as text, smart quotes kept
for the mapping to see). pyxform drops the position of each cell, and a refusal must name the
row and the column a person will look at in Excel, so the header row of each sheet is read
again with openpyxl to learn the column letters.

``pyxform_problem`` then runs pyxform's full conversion: anything pyxform itself rejects
(unknown types, unmatched groups, a choice list that does not exist, ...) is refused too, so
an imported form is always one that KoBo/ODK would accept.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from pyxform.xls2json_backends import get_xlsform
from pyxform.xls2xform import convert

from conversations.xlsform import messages as msg
from conversations.xlsform.messages import Place

SHEETS = ("survey", "choices", "settings")
_SPACES = re.compile(r"\s+")


#: A chat survey has tens of questions; a sheet of thousands of rows is a data export sent by
#: mistake, or a file made to exhaust the bot (pyxform reads every row, twice, into memory).
MAX_ROWS = 5000
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an .xls, or an .xlsx with a password


class WorkbookError(Exception):
    """The file cannot be opened as a workbook at all (not an .xlsx, damaged, ...); ``text``
    is the line to show when we know why in words of our own."""

    def __init__(self, detail: str, text: str | None = None) -> None:
        super().__init__(detail)
        self.text = text


@dataclass(frozen=True)
class Row:
    """One spreadsheet row: its 1-based number and its non-empty cells by header."""

    sheet: str
    number: int
    cells: dict[str, str]
    letters: dict[str, str] = field(repr=False, compare=False)

    def get(self, header: str) -> str:
        return self.cells.get(header, "")

    def place(self, header: str | None = None) -> Place:
        if header is None:
            return Place(self.sheet, self.number)
        return Place(self.sheet, self.number, header, self.letters.get(header))


@dataclass(frozen=True)
class Sheet:
    """A sheet's headers (in column order, with their letters) and its rows."""

    name: str
    headers: list[str]
    letters: dict[str, str]
    rows: list[Row]

    def header_place(self, header: str) -> Place:
        return Place(self.name, 1, header, self.letters.get(header))


@dataclass(frozen=True)
class Workbook:
    """The three XLSForm sheets we read (an absent sheet is an empty one) and the raw bytes."""

    survey: Sheet | None
    choices: Sheet
    settings: Sheet
    data: bytes


def clean_header(value: object) -> str:
    """Header text as pyxform cleans it: trimmed, runs of spaces made one."""
    return _SPACES.sub(" ", str(value).strip()) if value is not None else ""


def read_workbook(source: Path | bytes) -> Workbook:
    """Read ``source`` (a path or the file's bytes); raise ``WorkbookError`` if unreadable."""
    try:
        data = Path(source).read_bytes() if isinstance(source, Path) else bytes(source)
    except OSError as error:
        raise WorkbookError(str(error)) from None
    _guard(data)
    try:
        book = get_xlsform(BytesIO(data), file_type=".xlsx")
        letters = _header_letters(data)
    except Exception as error:  # pyxform and openpyxl raise many kinds on a damaged file
        raise WorkbookError(" ".join(str(error).split()) or type(error).__name__) from None
    sheets: dict[str, Sheet | None] = {}
    for name in SHEETS:
        rows = getattr(book, name, None)
        if rows is None:
            sheets[name] = None
            continue
        sheet_letters = letters.get(name, {})
        headers = list(sheet_letters) or sorted({h for r in rows for h in r})
        sheets[name] = Sheet(
            name=name,
            headers=headers,
            letters=sheet_letters,
            rows=[
                Row(name, index + 2, {k: str(v) for k, v in row.items()}, sheet_letters)
                for index, row in enumerate(rows)
            ],
        )
    return Workbook(
        survey=sheets["survey"],
        choices=sheets["choices"] or Sheet("choices", [], {}, []),
        settings=sheets["settings"] or Sheet("settings", [], {}, []),
        data=data,
    )


def _guard(data: bytes) -> None:
    """Refuse what pyxform should never be given: not a zip (an .xls, a password-protected
    workbook, any other file), or more to unpack or read than any form needs."""
    if data.startswith(_OLE):
        raise WorkbookError("OLE file", msg.PROTECTED_OR_XLS)
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile:
        raise WorkbookError("not a zip file", msg.NOT_XLSX) from None
    with archive:
        unpacked = sum(item.file_size for item in archive.infolist())
    too_large = WorkbookError(
        "too large", msg.WORKBOOK_TOO_LARGE.format(rows=MAX_ROWS, mb=MAX_UNPACKED_BYTES // 2**20)
    )
    if unpacked > MAX_UNPACKED_BYTES:
        raise too_large
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # damaged inside the zip: pyxform's message says where
        raise WorkbookError(" ".join(str(error).split()) or type(error).__name__) from None
    try:
        rows = 0
        for sheet in book.worksheets:
            for _row in sheet.iter_rows(values_only=True):
                rows += 1
                if rows > MAX_ROWS:
                    raise too_large
    finally:
        book.close()


def _header_letters(data: bytes) -> dict[str, dict[str, str]]:
    """``{sheet: {header: column letter}}`` from each sheet's first row."""
    book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    try:
        result: dict[str, dict[str, str]] = {}
        for title in book.sheetnames:
            name = title.lower()
            if name not in SHEETS and len(book.sheetnames) > 1:
                continue
            first = next(book[title].iter_rows(min_row=1, max_row=1, values_only=True), ())
            result["survey" if name not in SHEETS else name] = {
                clean_header(value): get_column_letter(index)
                for index, value in enumerate(first, start=1)
                if clean_header(value)
            }
        return result
    finally:
        book.close()


def pyxform_problem(data: bytes) -> str | None:
    """pyxform's own objection to the form as one line, or None when it converts."""
    try:
        convert(BytesIO(data), file_type=".xlsx")
    except Exception as error:  # pyxform raises PyXFormError, and others on odd input
        return " ".join(str(error).split()) or type(error).__name__
    return None
