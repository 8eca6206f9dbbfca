"""The database use cases of confidential reports: each opens exactly one session or
transaction.

Who may read is decided here (``focal_points``, ``is_focal_point``): a named focal point who is
still staff or an admin. The words of a report are stored only in the confidential tables
(``storage.safeguarding``), never with the survey's answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.access import Person, audit_now
from bot.services import Services
from storage import contacts, flows
from storage import safeguarding as store
from storage import surveys as survey_store
from storage.models import Contact, SafeguardingReport
from storage.safeguarding import Entry, FocalPoint

FLOW_REPLY = "sg_reply"  # a focal point typing a reply to the person who reported
FLOW_ANSWER = "sg_answer"  # the person who reported typing an answer to that reply


@dataclass(frozen=True)
class Reading:
    """A whole report as a focal point is shown it."""

    report: SafeguardingReport
    entries: list[Entry]
    sender: str | None
    organisation: str | None


@dataclass(frozen=True)
class Sent:
    """A message added to a report's thread, and who should hear of it."""

    report_id: int
    reference: str
    status: str
    entries: list[Entry]
    reporter: Contact | None


# ---------------------------------------------------------------- who reads


async def focal_points(svc: Services) -> list[FocalPoint]:
    """The focal points who may read now: named, and still staff or an admin. Someone removed
    from the staff is neither named to partners nor sent reports."""
    async with svc.db.sessions() as session:
        named = await store.focal_points(session)
    return [p for p in named if may_read(svc, p)]


def may_read(svc: Services, point: FocalPoint) -> bool:
    return point.role == "staff" or point.telegram_user_id in svc.settings.admins


async def is_focal_point(svc: Services, person: Person) -> bool:
    """Named, and still staff or admin: a focal point who leaves the staff reads nothing."""
    if person.contact is None or not person.is_staff:
        return False
    async with svc.db.sessions() as session:
        return await store.is_focal_point(session, person.contact.id)


async def audit_read(svc: Services, point: FocalPoint, action: str, reference: str) -> None:
    """A report shown to a focal point who did not ask for it (a push) is a read too."""
    await audit_now(svc, point.telegram_user_id, point.contact_id, action, reference)


async def claim_no_focal_point_notice(svc: Services) -> bool:
    """True the first time since a focal point was last named: then the admins are told."""
    async with svc.db.transaction() as session:
        return await store.claim_no_focal_point_notice(session, svc.clock.now())


async def language_of(svc: Services, telegram_user_id: int) -> str:
    async with svc.db.sessions() as session:
        contact = await contacts.by_telegram_id(session, telegram_user_id)
    return contact.language if contact is not None else svc.settings.default_language


# ---------------------------------------------------------------- the partner's draft


async def add_to_draft(
    svc: Services,
    *,
    contact_id: int,
    response_id: int,
    survey_id: str,
    language: str,
    text: str | None,
    voice_file_id: str | None,
    voice_duration: int | None,
) -> int:
    """Words for an unsent draft (read by nobody); the id of the draft."""
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        report = await store.add_to_draft(
            session,
            contact_id=contact_id,
            response_id=response_id,
            survey_id=survey_id,
            language=language,
            text=text,
            voice_file_id=voice_file_id,
            voice_duration=voice_duration,
            now=now,
        )
        await survey_store.update_response(session, response_id, updated_at=now)
        return report.id


async def discard(svc: Services, report_id: int) -> None:
    """The draft, gone with every word of it."""
    async with svc.db.transaction() as session:
        draft = await store.get(session, report_id)
        if draft is not None:
            await store.discard(session, draft)


async def submit(svc: Services, report_id: int, *, anonymous: bool) -> bool:
    """The draft sent; False when it was already (a second press)."""
    async with svc.db.transaction() as session:
        row = await store.get(session, report_id)
        return row is not None and await store.submit(
            session, row, anonymous=anonymous, now=svc.clock.now()
        )


# ---------------------------------------------------------------- the focal point's side


async def get(svc: Services, report_id: int) -> SafeguardingReport | None:
    async with svc.db.sessions() as session:
        return await store.get(session, report_id)


async def reading(svc: Services, report_id: int) -> Reading:
    async with svc.db.sessions() as session:
        report = await store.get(session, report_id)
        assert report is not None
        entries = await store.thread(session, report_id)
        sender, organisation = await store.named_sender(session, report)
    return Reading(report, entries, sender, organisation)


async def open_reports(svc: Services) -> tuple[list[SafeguardingReport], int]:
    """The open reports, newest first, and how many are handled."""
    async with svc.db.sessions() as session:
        return await store.open_reports(session), await store.count_handled(session)


async def mark_handled(
    svc: Services, report_id: int, by: int | None
) -> tuple[bool, Contact | None]:
    """(whether it changed now, the person who reported)."""
    async with svc.db.transaction() as session:
        row = await store.get(session, report_id)
        assert row is not None
        changed = await store.mark_handled(session, row, by=by, now=svc.clock.now())
        return changed, await store.reporter_of(session, row)


async def wait_for_text(svc: Services, user_id: int, flow: str, report_id: int) -> None:
    """The next message of this person is a reply (``FLOW_REPLY``) or an answer to one."""
    async with svc.db.transaction() as session:
        await flows.put(session, user_id, flow, "text", {"report": report_id}, svc.clock.now())


async def add_reply(svc: Services, report_id: int, by: int | None, text: str) -> Sent | None:
    """A focal point's reply kept with the report (not with a draft); None when there is no
    such report."""
    async with svc.db.transaction() as session:
        report = await store.get(session, report_id)
        if report is None:
            return None
        reporter = None
        if report.status != "draft":
            await store.add_message(
                session,
                report,
                author=store.FOCAL_POINT,
                author_contact_id=by,
                text=text,
                now=svc.clock.now(),
            )
            reporter = await store.reporter_of(session, report)
        return Sent(report.id, report.reference, report.status, [], reporter)


async def add_answer(
    svc: Services,
    person: Person,
    report_id: int,
    *,
    text: str | None,
    voice_file_id: str | None,
    voice_duration: int | None,
) -> Sent | None:
    """The person who reported answers (their flow ends either way); None unless the report is
    theirs and was sent."""
    async with svc.db.transaction() as session:
        await flows.clear(session, person.user_id)
        report = await store.get(session, report_id)
        owner = (
            report is not None
            and person.contact is not None
            and report.contact_id == person.contact.id
            and report.status != "draft"
        )
        if not owner or report is None:
            return None
        await store.add_message(
            session,
            report,
            author=store.REPORTER,
            author_contact_id=person.contact_id,
            text=text,
            voice_file_id=voice_file_id,
            voice_duration=voice_duration,
            now=svc.clock.now(),
        )
        entries = await store.thread(session, report.id)
        return Sent(report.id, report.reference, report.status, entries, None)
