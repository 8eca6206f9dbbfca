"""Confidential reports and the safeguarding focal points who alone may read them.

The words of a report live only here (``safeguarding_messages``), never in ``answers``: the
survey keeps a wordless "skipped" row for the question, so the answers table does not even
show who filed a report. Nothing in this module is read by summaries, exports or report-backs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.disclosure import REMOVED
from storage.models import (
    AppMeta,
    Contact,
    Organisation,
    SafeguardingFocalPoint,
    SafeguardingMessage,
    SafeguardingReport,
)
from storage.statuses import ContactStatus, SafeguardingReportStatus

#: What stays of a person's words after /forget.
ERASED = REMOVED  # the one marker /forget leaves
#: Letters that cannot be mistaken for one another when read aloud or copied by hand.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
#: Set once admins were told that no focal point is named; cleared when one is named.
NO_FOCAL_POINT_KEY = "safeguarding.no_focal_point_notified"

REPORTER = "reporter"
FOCAL_POINT = "focal_point"


@dataclass(frozen=True)
class FocalPoint:
    contact_id: int
    telegram_user_id: int | None
    name: str
    language: str
    timezone: str
    role: str


@dataclass(frozen=True)
class Entry:
    """One message of a report's conversation."""

    author: str
    text: str | None
    voice_file_id: str | None
    voice_duration: int | None
    at: datetime


# ---------------------------------------------------------------- focal points


async def focal_points(session: AsyncSession) -> list[FocalPoint]:
    """Everyone named, oldest first; only those who can still be reached by Telegram."""
    rows = await session.execute(
        select(SafeguardingFocalPoint, Contact)
        .join(Contact, Contact.id == SafeguardingFocalPoint.contact_id)
        .where(Contact.telegram_user_id.is_not(None))
        .order_by(SafeguardingFocalPoint.added_at, SafeguardingFocalPoint.contact_id)
    )
    return [
        FocalPoint(
            contact_id=contact.id,
            telegram_user_id=contact.telegram_user_id,
            name=point.shown_name or contact.display_name or str(contact.telegram_user_id),
            language=contact.language,
            timezone=contact.timezone,
            role=contact.role,
        )
        for point, contact in rows.all()
    ]


async def is_focal_point(session: AsyncSession, contact_id: int | None) -> bool:
    if contact_id is None:
        return False
    return await session.get(SafeguardingFocalPoint, contact_id) is not None


async def add_focal_point(
    session: AsyncSession,
    *,
    contact_id: int,
    shown_name: str | None,
    added_by: int | None,
    now: datetime,
) -> bool:
    """Name a focal point; False if already named (the shown name is updated if given)."""
    row = await session.get(SafeguardingFocalPoint, contact_id)
    if row is not None:
        if shown_name:
            row.shown_name = shown_name[:200]
        return False
    session.add(
        SafeguardingFocalPoint(
            contact_id=contact_id,
            shown_name=(shown_name or "")[:200] or None,
            added_by=added_by,
            added_at=now,
        )
    )
    await session.execute(delete(AppMeta).where(AppMeta.key == NO_FOCAL_POINT_KEY))
    await session.flush()
    return True


async def contact_to_name(
    session: AsyncSession,
    telegram_user_id: int,
    *,
    is_admin: bool,
    language: str,
    timezone: str,
    now: datetime,
) -> Contact | None:
    """The contact row a focal point needs. An admin (named in settings) may never have had
    one: it is made for them, with role ``admin`` so nothing about staff changes."""
    contact = await session.scalar(
        select(Contact).where(Contact.telegram_user_id == telegram_user_id)
    )
    if contact is None and is_admin:
        contact = Contact(
            telegram_user_id=telegram_user_id,
            role="admin",
            language=language,
            timezone=timezone,
            status=ContactStatus.ACTIVE,
            created_at=now,
        )
        session.add(contact)
        await session.flush()
    return contact


async def remove_focal_point(session: AsyncSession, contact_id: int) -> bool:
    result = await session.execute(
        delete(SafeguardingFocalPoint).where(SafeguardingFocalPoint.contact_id == contact_id)
    )
    return bool(result.rowcount)


async def claim_no_focal_point_notice(session: AsyncSession, now: datetime) -> bool:
    """True once (until a focal point is named): the caller then tells the admins."""
    if await session.get(AppMeta, NO_FOCAL_POINT_KEY) is not None:
        return False
    session.add(AppMeta(key=NO_FOCAL_POINT_KEY, value=now.isoformat()))
    await session.flush()
    return True


# ---------------------------------------------------------------- reports


def new_reference() -> str:
    """``SG-7K3Q9``: short enough to read over the phone, random so it reveals no count."""
    return "SG-" + "".join(secrets.choice(_ALPHABET) for _ in range(5))


async def _free_reference(session: AsyncSession) -> str:
    while True:
        reference = new_reference()
        taken = await session.scalar(
            select(SafeguardingReport.id).where(SafeguardingReport.reference == reference)
        )
        if taken is None:
            return reference


async def draft_for(
    session: AsyncSession, contact_id: int, response_id: int | None
) -> SafeguardingReport | None:
    return await session.scalar(
        select(SafeguardingReport)
        .where(
            SafeguardingReport.contact_id == contact_id,
            SafeguardingReport.status == SafeguardingReportStatus.DRAFT,
            SafeguardingReport.response_id.is_(None)
            if response_id is None
            else SafeguardingReport.response_id == response_id,
        )
        .order_by(SafeguardingReport.id.desc())
    )


async def add_to_draft(
    session: AsyncSession,
    *,
    contact_id: int,
    response_id: int | None,
    survey_id: str | None,
    language: str,
    text: str | None,
    voice_file_id: str | None,
    voice_duration: int | None,
    now: datetime,
) -> SafeguardingReport:
    """Keep what the person wrote or said in their (one) unsent report; nobody reads a draft."""
    report = await draft_for(session, contact_id, response_id)
    if report is None:
        report = SafeguardingReport(
            reference=await _free_reference(session),
            contact_id=contact_id,
            anonymous=False,
            survey_id=survey_id,
            response_id=response_id,
            language=language,
            status=SafeguardingReportStatus.DRAFT,
            created_at=now,
        )
        session.add(report)
        await session.flush()
    session.add(
        SafeguardingMessage(
            report_id=report.id,
            author=REPORTER,
            author_contact_id=contact_id,
            text=text,
            voice_file_id=voice_file_id,
            voice_duration=voice_duration,
            at=now,
        )
    )
    await session.flush()
    return report


async def get(session: AsyncSession, report_id: int) -> SafeguardingReport | None:
    return await session.get(SafeguardingReport, report_id)


async def discard(session: AsyncSession, report: SafeguardingReport) -> None:
    """An unsent draft the person chose not to send: nothing of it is kept."""
    await session.delete(report)
    await session.flush()


async def submit(
    session: AsyncSession, report: SafeguardingReport, *, anonymous: bool, now: datetime
) -> bool:
    """Send a draft; False when it was no longer a draft (a second press on Send, handled at
    the same moment as the first, must not push the report twice)."""
    organisation_id = None
    if not anonymous and report.contact_id is not None:
        contact = await session.get(Contact, report.contact_id)
        organisation_id = contact.organisation_id if contact is not None else None
    claimed = await session.execute(
        update(SafeguardingReport)
        .where(
            SafeguardingReport.id == report.id,
            SafeguardingReport.status == SafeguardingReportStatus.DRAFT,
        )
        .values(
            status=SafeguardingReportStatus.OPEN,
            anonymous=anonymous,
            submitted_at=now,
            organisation_id=organisation_id,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False
    await session.refresh(report)
    return True


async def add_message(
    session: AsyncSession,
    report: SafeguardingReport,
    *,
    author: str,
    author_contact_id: int | None,
    text: str | None,
    voice_file_id: str | None = None,
    voice_duration: int | None = None,
    now: datetime,
) -> None:
    session.add(
        SafeguardingMessage(
            report_id=report.id,
            author=author,
            author_contact_id=author_contact_id,
            text=text,
            voice_file_id=voice_file_id,
            voice_duration=voice_duration,
            at=now,
        )
    )
    if author == REPORTER and report.status == SafeguardingReportStatus.HANDLED:
        # The person wrote again: it needs reading again.
        report.status = SafeguardingReportStatus.OPEN
        report.handled_at = None
        report.handled_by = None
    await session.flush()


async def mark_handled(
    session: AsyncSession, report: SafeguardingReport, *, by: int | None, now: datetime
) -> bool:
    if report.status != SafeguardingReportStatus.OPEN:
        return False
    report.status = SafeguardingReportStatus.HANDLED
    report.handled_at = now
    report.handled_by = by
    return True


async def thread(session: AsyncSession, report_id: int) -> list[Entry]:
    rows = await session.scalars(
        select(SafeguardingMessage)
        .where(SafeguardingMessage.report_id == report_id)
        .order_by(SafeguardingMessage.at, SafeguardingMessage.id)
    )
    return [Entry(r.author, r.text, r.voice_file_id, r.voice_duration, r.at) for r in rows]


async def reporter_of(session: AsyncSession, report: SafeguardingReport) -> Contact | None:
    if report.contact_id is None:
        return None
    return await session.get(Contact, report.contact_id)


async def named_sender(
    session: AsyncSession, report: SafeguardingReport
) -> tuple[str | None, str | None]:
    """(person's name, organisation) for a report sent with a name; (None, None) otherwise."""
    if report.anonymous:
        return None, None
    contact = await reporter_of(session, report)
    organisation = (
        await session.get(Organisation, report.organisation_id)
        if report.organisation_id is not None
        else None
    )
    return (
        contact.display_name if contact is not None else None,
        organisation.name if organisation is not None else None,
    )


async def open_reports(session: AsyncSession, limit: int = 30) -> list[SafeguardingReport]:
    result = await session.scalars(
        select(SafeguardingReport)
        .where(SafeguardingReport.status == SafeguardingReportStatus.OPEN)
        .order_by(SafeguardingReport.submitted_at.desc(), SafeguardingReport.id.desc())
        .limit(limit)
    )
    return list(result)


async def count_handled(session: AsyncSession) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(SafeguardingReport)
            .where(SafeguardingReport.status == SafeguardingReportStatus.HANDLED)
        )
        or 0
    )


async def erase_for_contact(session: AsyncSession, contact_id: int, now: datetime) -> int:
    """/forget: the person's report words become ``ERASED`` (voice messages go too); the
    reference and handled status stay, so the focal point's record still adds up. The whole
    conversation of their reports is erased, replies included: a reply often repeats what was
    reported. Unsent drafts are deleted. Returns how many reports were changed."""
    drafts = await session.execute(
        delete(SafeguardingReport).where(
            SafeguardingReport.contact_id == contact_id,
            SafeguardingReport.status == SafeguardingReportStatus.DRAFT,
        )
    )
    ids = list(
        await session.scalars(
            select(SafeguardingReport.id).where(SafeguardingReport.contact_id == contact_id)
        )
    )
    if ids:
        await session.execute(
            update(SafeguardingMessage)
            .where(SafeguardingMessage.report_id.in_(ids))
            .values(text=ERASED, voice_file_id=None, voice_duration=None)
        )
        await session.execute(
            update(SafeguardingReport)
            .where(SafeguardingReport.id.in_(ids))
            .values(erased_at=now, organisation_id=None)
        )
    return len(ids) + int(drafts.rowcount or 0)
