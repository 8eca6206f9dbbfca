"""The database use cases of a partner answering a survey in chat.

Each opens exactly one session for reading or one transaction for writing. Inside an update's
unit of work (``storage.db.Database.unit``) they share the update's session, and the first
transaction commits the update-id claim and the reads with it: the answer path opens no more
transactions than it needs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.services import Services
from bot.surveys.registry import from_rows, to_row
from conversations import Answer, Progress, Question, Step, Survey
from storage import flows
from storage import surveys as store
from storage.models import ChatFlow, Contact, Response
from storage.statuses import ContactStatus

#: The chat step of a text over the limit kept aside (``bot.surveys.long_text``).
FLOW_LONG = "survey_long_text"


async def load(svc: Services, response_id: int) -> tuple[Response, Survey, Progress] | None:
    """A response with its survey and the progress its stored answers make."""
    async with svc.db.sessions() as session:
        response = await store.get_response(session, response_id)
        if response is None:
            return None
        rows = await store.answers_of(session, response_id)
    survey = await svc.surveys.for_version(svc.db, response.survey_version_id)
    if survey is None:
        return None
    return response, survey, from_rows(survey, rows, response.cursor)


async def open_responses(svc: Services, contact_id: int) -> list[Response]:
    async with svc.db.sessions() as session:
        return await store.open_responses(session, contact_id)


async def remember_question(
    svc: Services, response_id: int, message_id: int, key: str, selection: frozenset[str]
) -> None:
    """The message a question was asked in, which question, and its ticks so far."""
    async with svc.db.transaction() as session:
        await store.update_response(
            session,
            response_id,
            message_id=message_id,
            asked_key=key,
            pending_toggles=sorted(selection),
        )


async def count_refusal(svc: Services, response_id: int, now: datetime) -> int:
    """One more answer refused in a row; how many now."""
    async with svc.db.transaction() as session:
        row = await store.get_response(session, response_id)
        row.refusals = (row.refusals or 0) + 1
        row.updated_at = now
        return row.refusals


async def keep_selection(
    svc: Services, response_id: int, selection: frozenset[str], now: datetime
) -> None:
    """The ticks of a multiple-choice question before Done."""
    async with svc.db.transaction() as session:
        await store.update_response(
            session, response_id, pending_toggles=sorted(selection), updated_at=now
        )


async def store_step(
    svc: Services, response: Response, survey: Survey, step: Step, now: datetime
) -> None:
    """Store what one step changed: the answer given, answers now hidden, the response."""
    async with svc.db.transaction() as session:
        if step.stored is not None:
            question = survey.question(step.stored.key)
            await store.save_answer(
                session,
                response_id=response.id,
                key=step.stored.key,
                language=response.language,
                now=now,
                **to_row(question, step.stored),  # type: ignore[arg-type]
            )
        if step.removed:
            await store.delete_answers(session, response.id, list(step.removed))
        changes: dict[str, object] = {
            "cursor": step.progress.cursor,
            "pending_toggles": [],
            "refusals": 0,
            "updated_at": now,
        }
        if step.done:
            changes.update(status="completed", completed_at=now)
        await store.update_response(session, response.id, **changes)


async def store_text(
    svc: Services, response: Response, question: Question | None, key: str, text: str
) -> None:
    """A text answer replaced as a whole (a split text joined, or the kept first part)."""
    async with svc.db.transaction() as session:
        await store.save_answer(
            session,
            response_id=response.id,
            key=key,
            language=response.language,
            now=svc.clock.now(),
            **to_row(question, Answer(key, text, "answered")),  # type: ignore[arg-type]
        )


async def move_to(svc: Services, response_id: int, key: str) -> None:
    """Put the response back on an earlier question."""
    async with svc.db.transaction() as session:
        await store.update_response(session, response_id, cursor=key)


async def start(svc: Services, response_id: int, user_id: int, lang: str, now: datetime) -> None:
    """The partner starts or continues a response, in the language they use now."""
    async with svc.db.transaction() as session:
        row = await store.get_response(session, response_id)
        row.status = "in_progress"
        row.started_at = row.started_at or now
        row.updated_at = now
        row.language = lang  # the partner may have changed language since the invitation
        # A half-done step elsewhere (a dispute's comment, a wizard's typed value) would take
        # the answers typed from now on: starting the survey leaves it.
        await flows.clear(session, user_id)


async def touch(svc: Services, response_id: int) -> None:
    """The partner is back after a while: the response was active now."""
    async with svc.db.transaction() as session:
        row = await store.get_response(session, response_id)
        row.updated_at = svc.clock.now()


async def pause(svc: Services, response_id: int) -> None:
    async with svc.db.transaction() as session:
        row = await store.get_response(session, response_id)
        row.status = "paused"
        row.updated_at = svc.clock.now()


# ---------------------------------------------------------------- owed after a crash

#: ``asked_key`` of a completed response once its thank-you has gone out (no question key
#: can be written this way).
THANKED = "(thanked)"


async def mark_thanked(svc: Services, response_id: int) -> None:
    async with svc.db.transaction() as session:
        await store.update_response(session, response_id, asked_key=THANKED)


async def owed_since(svc: Services, since: datetime) -> list[Response]:
    """Responses active since ``since`` that may be owed a message: in progress (their next
    question may never have left), or completed without a thank-you on record."""
    async with svc.db.sessions() as session:
        return await store.recently_active(session, since, thanked=THANKED)


async def telegram_id_of(svc: Services, contact_id: int) -> int | None:
    """Where to write to a contact, unless they blocked the bot or were forgotten."""
    async with svc.db.sessions() as session:
        contact = await session.get(Contact, contact_id)
    if contact is None or contact.status in (ContactStatus.BLOCKED, ContactStatus.FORGOTTEN):
        return None
    return contact.telegram_user_id


# ---------------------------------------------------------------- a text kept aside


async def hold_long_text(svc: Services, user_id: int, data: dict[str, Any]) -> None:
    """Keep a text over the limit aside (the chat step ``FLOW_LONG``), or its grown version."""
    async with svc.db.transaction() as session:
        await flows.put(session, user_id, FLOW_LONG, "offer", data, svc.clock.now())


async def held_long_text(svc: Services, user_id: int) -> dict[str, Any]:
    """What ``hold_long_text`` kept for this person ({} when nothing is held)."""
    async with svc.db.sessions() as session:
        flow: ChatFlow | None = await flows.get(session, user_id)
    return dict(flow.data or {}) if flow is not None and flow.flow == FLOW_LONG else {}


async def drop_chat_step(svc: Services, user_id: int) -> None:
    async with svc.db.transaction() as session:
        await flows.clear(session, user_id)
