"""Screens stay right after a crash between sending a question and remembering its message:
the live question's buttons still answer it, and the older message the response remembers is
never rewritten with that answer (issue 14: "screens point at the wrong question")."""

from __future__ import annotations

from sqlalchemy import update

from bot.clock import ManualClock
from storage.models import Response
from tests.test_e2e_surveys import (
    START,
    answers_of,
    edits,
    go_button,
    open_invitation,
    partner,
    press,
    pulse_campaign,
    question_message,
    response_of,
    settle,
    start_button_message,
    survey_world,
    tap,
)


async def test_the_live_question_answers_although_an_older_message_is_remembered(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phone = await partner(world, clock, 4811)
        await pulse_campaign(world, clock, phone)
        await open_invitation(phone)
        first = question_message(phone)
        await tap(phone, "c", 4)  # satisfaction answered; the next question is asked
        second = question_message(phone)
        assert second.message_id != first.message_id
        response = await response_of(world, 4811)
        answered_first = next(m for m in phone.messages if m.message_id == first.message_id)
        first_text = answered_first.text

        # The crash: the second question went out, but its message was never remembered.
        async with world.db.transaction() as session:
            await session.execute(
                update(Response)
                .where(Response.id == response.id)
                .values(message_id=first.message_id, asked_key="satisfaction")
            )

        events = await tap(phone, "c", 1)  # the live question's own button
        rows = await answers_of(world, response.id)
        assert len(rows) == 2, phone.transcript()  # taken, not "already answered"
        edited = {e.message_id for e in edits(events)}
        assert first.message_id not in edited  # the older question keeps its own answer
        assert second.message_id in edited
        still = next(m for m in phone.messages if m.message_id == first.message_id)
        assert still.text == first_text


async def test_continuing_after_a_crash_leaves_the_answered_question_as_it_was(
    sqlite_url: str,
) -> None:
    """The crash came before the next question went out: the partner sends /surveys and
    presses Continue; the answered question keeps "✓ …" and the next one is asked."""
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phone = await partner(world, clock, 4812)
        await pulse_campaign(world, clock, phone)
        await open_invitation(phone)
        first = question_message(phone)
        await tap(phone, "c", 4)
        response = await response_of(world, 4812)
        async with world.db.transaction() as session:  # as if the next question never left
            await session.execute(
                update(Response)
                .where(Response.id == response.id)
                .values(message_id=first.message_id, asked_key="satisfaction")
            )
        answered = next(m for m in phone.messages if m.message_id == first.message_id)
        await phone.send_command("surveys")
        await settle(phone)
        events = await press(phone, data=go_button(start_button_message(phone)), expect="edit")
        assert first.message_id not in {e.message_id for e in edits(events)}, phone.transcript()
        still = next(m for m in phone.messages if m.message_id == first.message_id)
        assert still.text == answered.text
        assert "consulted" not in (still.text or "")
