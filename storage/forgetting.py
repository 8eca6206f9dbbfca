"""/forget: erase a person's words and identity, keep the numbers and choices they gave.

Apart from ``storage.contacts`` (lookup and delivery status) because forgetting reaches into
nearly every table: answers, J-PAT sign-offs, report-back replies, safeguarding reports,
partnership and meeting lists, pending pushes, chat steps and the audit log.
``storage.contacts`` re-exports the public names, so ``contacts.forget`` keeps working.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import disclosure, safeguarding
from storage.models import (
    AnswerRow,
    AuditEntry,
    ChatFlow,
    Contact,
    Delivery,
    JpatRound,
    JpatSignoff,
    Meeting,
    MeetingRsvp,
    PartnershipMember,
    ReportBackReply,
    Response,
    SurveyVersion,
)
from storage.statuses import AnswerRowStatus, ContactStatus, ResponseStatus

#: What stands where a forgotten person's own words were: in answers, comments and replies.
REMOVED = disclosure.REMOVED
#: Question types whose answers are numbers, dates or codes from a fixed list. Anything else
#: (``text``, or a type this code does not know) is treated as the person's own words.
STRUCTURED_TYPES = frozenset(
    {"single_choice", "multiple_choice", "scale", "yes_no", "integer", "decimal", "date", "note"}
)


@dataclass(frozen=True)
class Kept:
    """What forgetting keeps of a person's survey answers, said to them before and after.

    ``answers`` are the answers kept as numbers, dates and choices (they only ever show as
    counts the privacy threshold protects); ``words`` are the typed or spoken answers erased.
    """

    answers: int
    words: int


async def _their_answers(session: AsyncSession, contact_id: int) -> list[tuple[int, str, str, int]]:
    """(answer id, question key, status, survey version id) of every answer the person gave."""
    rows = await session.execute(
        select(AnswerRow.id, AnswerRow.question_key, AnswerRow.status, Response.survey_version_id)
        .join(Response, Response.id == AnswerRow.response_id)
        .where(Response.contact_id == contact_id)
    )
    return [(int(a), str(k), str(s), int(v)) for a, k, s, v in rows.all()]


async def _structured_keys(session: AsyncSession, version_ids: set[int]) -> dict[int, set[str]]:
    """Per survey version, the keys of questions whose answers are not free words. Read from
    the stored definition, so an answer given under an old version is judged by the question
    it answered, not by today's file."""
    if not version_ids:
        return {}
    rows = await session.execute(
        select(SurveyVersion.id, SurveyVersion.definition).where(SurveyVersion.id.in_(version_ids))
    )
    found: dict[int, set[str]] = {}
    for version_id, definition in rows.all():
        questions: Sequence[Any] = (definition or {}).get("questions") or []
        found[int(version_id)] = {
            str(q.get("key"))
            for q in questions
            if isinstance(q, dict) and q.get("type") in STRUCTURED_TYPES
        }
    return found


async def _split_answers(session: AsyncSession, contact_id: int) -> tuple[list[int], list[int]]:
    """The person's answers as (kept: numbers, dates and choices, words: answers in their own
    words, to erase). A skipped free-text question holds no words and is neither."""
    answers = await _their_answers(session, contact_id)
    structured = await _structured_keys(session, {v for _a, _k, _s, v in answers})
    kept, words = [], []
    for answer_id, key, status, version_id in answers:
        if key in structured.get(version_id, set()):
            kept.append(answer_id)
        elif status == AnswerRowStatus.ANSWERED:
            words.append(answer_id)
    return kept, words


async def what_forgetting_keeps(session: AsyncSession, contact_id: int) -> Kept:
    """The figures the /forget question states before the person confirms."""
    kept, words = await _split_answers(session, contact_id)
    return Kept(answers=len(kept), words=len(words))


async def _erase_answer_words(session: AsyncSession, contact_id: int) -> Kept:
    """Typed and spoken answers become the marker; numbers and choices stay, so totals stay
    right. Raw typed input is erased on every answer (it is the person's words even where the
    stored value is a number), and so is every voice-note reference."""
    kept, words = await _split_answers(session, contact_id)
    mine = select(Response.id).where(Response.contact_id == contact_id)
    if words:
        await session.execute(
            update(AnswerRow).where(AnswerRow.id.in_(words)).values(value_text=REMOVED)
        )
    await session.execute(
        update(AnswerRow)
        .where(AnswerRow.response_id.in_(mine), AnswerRow.raw_text.is_not(None))
        .values(raw_text=REMOVED)
    )
    await session.execute(
        update(AnswerRow)
        .where(AnswerRow.response_id.in_(mine), AnswerRow.voice_file_id.is_not(None))
        .values(voice_file_id=None, voice_duration=None)
    )
    return Kept(answers=len(kept), words=len(words))


async def _close_open_responses(session: AsyncSession, contact_id: int, now: datetime) -> None:
    """Surveys the person had not finished can never be finished now: close them as a due
    date would (``partial`` if started, ``expired`` if not), so no list waits for them."""
    mine = Response.contact_id == contact_id
    await session.execute(
        update(Response)
        .where(mine, Response.status.in_((ResponseStatus.IN_PROGRESS, ResponseStatus.PAUSED)))
        .values(status=ResponseStatus.PARTIAL, updated_at=now)
    )
    await session.execute(
        update(Response)
        .where(mine, Response.status == ResponseStatus.INVITED)
        .values(status=ResponseStatus.EXPIRED, updated_at=now)
    )
    await session.execute(update(Response).where(mine).values(message_id=None, cursor=None))


async def _erase_other_words(session: AsyncSession, contact_id: int) -> None:
    """Comments on J-PAT sign-offs (and the round's copy of a dispute comment) and comments
    on report-backs. Reactions stay: they are choices, shown only as counts."""
    signoffs = await session.execute(
        select(JpatSignoff.id, JpatSignoff.round_id, JpatSignoff.comment).where(
            JpatSignoff.contact_id == contact_id, JpatSignoff.comment.is_not(None)
        )
    )
    for signoff_id, round_id, comment in signoffs.all():
        await session.execute(
            update(JpatRound)
            .where(JpatRound.id == round_id, JpatRound.dispute_comment == comment)
            .values(dispute_comment=REMOVED)
        )
        await session.execute(
            update(JpatSignoff).where(JpatSignoff.id == signoff_id).values(comment=REMOVED)
        )
    await session.execute(
        update(ReportBackReply)
        .where(ReportBackReply.contact_id == contact_id, ReportBackReply.text.is_not(None))
        .values(text=REMOVED)
    )


async def _leave_lists(session: AsyncSession, contact_id: int) -> None:
    """Off every list that names people: partnership sides and meeting invitation lists
    (past ones too: who attended is a fact about them). Pushes not sent yet are withdrawn."""
    await session.execute(
        delete(PartnershipMember).where(PartnershipMember.contact_id == contact_id)
    )
    await session.execute(delete(MeetingRsvp).where(MeetingRsvp.contact_id == contact_id))
    await session.execute(
        update(Delivery)
        .where(Delivery.contact_id == contact_id, Delivery.state == "pending")
        .values(state="cancelled", detail="forgotten")
    )


async def _drop_telegram_links(session: AsyncSession, contact: Contact) -> None:
    """Other places that hold the person's Telegram id: a half-finished chat step (whose data
    may hold words being typed), meetings they organised, and, for a partner, the audit
    entries of their own refused attempts. A staff member's audit entries keep their id: the
    record of who did what to partner data must outlive the staff member."""
    telegram_id = contact.telegram_user_id
    if telegram_id is None:
        return
    await session.execute(delete(ChatFlow).where(ChatFlow.telegram_user_id == telegram_id))
    await session.execute(
        update(Meeting)
        .where(Meeting.organiser_telegram_id == telegram_id)
        .values(organiser_telegram_id=None)
    )
    if contact.role == "partner":
        await session.execute(
            update(AuditEntry)
            .where(AuditEntry.actor_telegram_id == telegram_id)
            .values(actor_telegram_id=None)
        )


async def forget(session: AsyncSession, contact: Contact, now: datetime) -> Kept:
    """Erase the person's words and identity; keep their answers' numbers and choices.

    What stays, and why: the contact row, anonymous (no Telegram id, no name, no consent,
    never attributed), and ``Response.contact_id`` pointing at it, so summaries still count the
    person once (``coalesce(contact_id, -response.id)``) and differencing control keeps
    seeing the same anonymous id; ``Response.organisation_id``, which the rule "a total needs
    answers from two organisations" counts on. Everything they wrote or said is replaced by
    ``REMOVED`` or deleted, and they leave every list that names people.

    Idempotent: forgetting an already forgotten contact again changes nothing further, so it
    may also be run over contacts forgotten before words were erased.
    """
    kept = await _erase_answer_words(session, contact.id)
    await _close_open_responses(session, contact.id, now)
    await _erase_other_words(session, contact.id)
    await safeguarding.erase_for_contact(session, contact.id, now)
    await _leave_lists(session, contact.id)
    await _drop_telegram_links(session, contact)
    contact.telegram_user_id = None
    contact.display_name = None
    contact.consent_at = None
    contact.status = ContactStatus.FORGOTTEN
    contact.stopped_at = None
    contact.blocked_at = None
    contact.timezone = "UTC"
    contact.attribution = "aggregate"  # never named again, in reports or exports
    if contact.role == "staff":  # off the staff list too; nobody can act as them any more
        contact.role = "former_staff"
    contact.forgotten_at = contact.forgotten_at or now
    contact.updated_at = now
    return kept


async def erase_previously_forgotten(session: AsyncSession, now: datetime) -> int:
    """Run today's forgetting over everyone forgotten before it erased words and lists (a
    one-off after upgrading; ``forget`` is idempotent, so running it twice is harmless)."""
    gone = list(await session.scalars(select(Contact).where(Contact.forgotten_at.is_not(None))))
    for contact in gone:
        await forget(session, contact, now)
    return len(gone)
