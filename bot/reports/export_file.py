"""Export files as CSV or XLSX, laid out by ``bot.reports.export_layout``.

Rows are streamed from the database and written in batches in a worker thread, so a large
export neither fills memory nor stalls the bot for other people.
"""

from __future__ import annotations

import asyncio
import csv
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.reports.export_layout import Layout, about, safe
from conversations import Survey
from storage import exports, jpat_figures
from storage.db import Database
from storage.scopes import Period, Scope

BATCH = 500
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportFile:
    data: bytes
    filename: str
    rows: int
    mime_type: str


class _CsvWriter:
    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)

    def write(self, rows: list[list[Any]]) -> None:
        self.writer.writerows(rows)

    def finish(self, layout: Layout) -> bytes:
        return self.buffer.getvalue().encode("utf-8-sig")  # Excel reads UTF-8 with a BOM


class _Sheet:
    """Another sheet of the same workbook, written like the first."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet

    def write(self, rows: list[list[Any]]) -> None:
        for row in rows:
            self.sheet.append(row)


class _XlsxWriter:
    def __init__(self, title: str, about: tuple[str, list[str]] | None = None) -> None:
        from openpyxl import Workbook

        self.book = Workbook(write_only=True)
        if about is not None:  # first, so it is what opens
            sheet = self.book.create_sheet(about[0][:31])
            for line in about[1]:
                sheet.append([safe(line)])
        self.sheet = self.book.create_sheet(title[:31] or "Responses")

    def write(self, rows: list[list[Any]]) -> None:
        for row in rows:
            self.sheet.append(row)

    def add_sheet(self, title: str, rows: list[list[Any]]) -> _Sheet:
        sheet = _Sheet(self.book.create_sheet(title[:31]))
        sheet.write(rows)
        return sheet

    def finish(self, layout: Layout) -> bytes:
        questions = self.book.create_sheet(layout.tr("Questions")[:31])
        questions.append([layout.tr("Column"), layout.tr("Question"), layout.tr("Option")])
        for column in layout.columns:
            questions.append([column.id, safe(column.question), safe(column.option)])
        buffer = io.BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()


def _dates(fmt: str) -> Callable[[datetime | None], Any]:
    """XLSX gets real (naive UTC) datetimes; CSV gets sortable text."""
    if fmt == "xlsx":
        return lambda moment: moment.replace(tzinfo=None) if moment else None
    return lambda moment: moment.strftime("%Y-%m-%d %H:%M") if moment else ""


async def _responses(
    db: Database,
    layout: Layout,
    scope: Scope,
    writer: Any,
    dates: Callable[..., Any],
    threshold: int | None,
) -> int:
    """Stream the responses in scope into ``writer``, a batch at a time off the event loop.
    The staff file (``threshold``) names only organisations with that many named people and
    comes in an order that is not the order of invitation; the raw file is in response order."""
    await asyncio.to_thread(writer.write, [layout.header])
    rows = 0
    batch: list[list[Any]] = []
    salt = None if layout.raw else secrets.randbelow(10**9)
    found = exports.stream(db, scope, threshold=None if layout.raw else threshold, salt=salt)
    async for response in found:
        batch.append(layout.row(response, dates))
        rows += 1
        if len(batch) >= BATCH:
            await asyncio.to_thread(writer.write, batch)
            batch = []
    if batch:
        await asyncio.to_thread(writer.write, batch)
    return rows


async def build(
    db: Database,
    survey: Survey,
    scope: Scope,
    lang: str,
    fmt: str,
    filename: str,
    *,
    withheld: frozenset[str] = frozenset(),
    blanked: frozenset[str] = frozenset(),
    raw: bool = False,
    threshold: int = 3,
) -> ExportFile:
    """Stream the responses in scope into a CSV or XLSX file (raw: always XLSX)."""
    layout = Layout(survey, lang, withheld=withheld, blanked=blanked, raw=raw)
    fmt = "xlsx" if raw else fmt
    writer: Any = (
        _XlsxWriter(layout.tr("Responses"), about(layout)) if fmt == "xlsx" else _CsvWriter()
    )
    rows = await _responses(db, layout, scope, writer, _dates(fmt), threshold)
    data = await asyncio.to_thread(writer.finish, layout)
    return ExportFile(data, f"{filename}.{fmt}", rows, MIME[fmt])


async def build_jpat(
    db: Database,
    survey: Survey,
    period: Period,
    lang: str,
    fmt: str,
    filename: str,
    *,
    withheld: frozenset[str] | None = frozenset(),
    blanked: frozenset[str] = frozenset(),
    raw: bool = False,
    threshold: int = 3,
) -> ExportFile:
    """The J-PAT: per round and statement both sides' scores, the gap, the agreed score and the
    action (CSV: that table; XLSX: it, the rounds, and every submission as a row). The rounds
    are the joint reviews staff took part in; the submissions sheet follows the cell rules
    (``withheld``; None leaves it out, when the whole group may not be shown)."""
    layout = Layout(survey, lang, withheld=withheld or frozenset(), blanked=blanked, raw=raw)
    fmt = "xlsx" if raw else fmt
    _ = layout.tr
    dates = _dates(fmt)
    keys = [q.key for q in survey.questions if q.type == "scale"]
    header = [
        "round",
        "partnership",
        "round_number",
        "round_status",
        "item",
        "statement",
        "partner_median",
        "partner_n",
        "ngo_median",
        "ngo_n",
        "gap",
        "to_discuss",
        "agreed_score",
        "action",
        "action_owner",
        "action_due",
        "action_done_utc",
    ]
    items: list[list[Any]] = [header]
    rounds: list[list[Any]] = [
        [
            "round",
            "partnership",
            "round_number",
            "status",
            "opened_utc",
            "closed_utc",
            "consolidated_utc",
            "finalised_utc",
            "dispute_comment",
        ]
    ]
    async with db.sessions() as session:
        for found in await exports.jpat_rounds(session, period):
            name = found.organisation or _("Partnership #{id}", id=found.partnership_id)
            rounds.append(
                [
                    found.id,
                    safe(name),
                    found.number,
                    found.status,
                    dates(found.opened_at),
                    dates(found.closed_at),
                    dates(found.consolidated_at),
                    dates(found.finalised_at),
                    safe(found.dispute_comment or ""),
                ]
            )
            agreed = await jpat_figures.items(session, found.id)
            for figures in await jpat_figures.comparison(session, found.id, keys):
                item = agreed.get(figures.key)
                items.append(
                    [
                        found.id,
                        safe(name),
                        found.number,
                        found.status,
                        figures.key,
                        layout.view.question_text(figures.key),
                        figures.partner.median,
                        figures.partner.n,
                        figures.ngo.median,
                        figures.ngo.n,
                        figures.gap,
                        1 if figures.flagged else 0,
                        item.agreed_score if item else None,
                        safe(item.action_text or "") if item else "",
                        (item.action_owner or "") if item else "",
                        item.action_due.isoformat() if item and item.action_due else "",
                        dates(item.action_done_at) if item else dates(None),
                    ]
                )
    if fmt == "csv":
        writer: Any = _CsvWriter()
        writer.write(items)
        data = writer.finish(layout)
        return ExportFile(data, f"{filename}.csv", len(items) - 1, MIME["csv"])
    book = _XlsxWriter(_("J-PAT"), about(layout))
    book.write(items)
    book.add_sheet(_("Rounds"), rounds)
    count = 0
    if withheld is not None:
        responses = book.add_sheet(_("Submissions"), [])
        count = await _responses(db, layout, Scope(survey.id, period), responses, dates, threshold)
    data = await asyncio.to_thread(book.finish, layout)
    return ExportFile(data, f"{filename}.xlsx", count, MIME["xlsx"])
