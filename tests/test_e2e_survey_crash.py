"""Screens stay right after a crash between sending a question and remembering its message:
the live question's buttons still answer it, and the older message the response remembers is
never rewritten with that answer (issue 14: "screens point at the wrong question")."""

from __future__ import annotations

from sqlalchemy import update

from bot.clock import ManualClock
from bot.devtools.sandbox import Phone
from storage.models import Response
from tests.e2e import settle
from tests.survey_steps import (
    START,
    THANKS,
    answers_of,
    edits,
    go_button,
    open_invitation,
    partner,
    press,
    pulse_campaign,
    question_message,
    response_of,
    say,
    shown,
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


async def test_a_restart_sends_what_a_crash_left_owed(sqlite_url: str) -> None:
    """A crash after an answer was stored but before the bot said anything more: at the next
    start the partner gets the question they are on, or the thank-you after the last answer;
    a partner owed nothing gets nothing."""
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        waiting = await partner(world, clock, 4813)  # owed the next question
        finished = await partner(world, clock, 4814)  # owed the thank-you
        fine = await partner(world, clock, 4815)  # owed nothing
        await pulse_campaign(world, clock, waiting, finished, fine)
        for phone in (waiting, finished, fine):
            await open_invitation(phone)
        first = question_message(waiting)
        await tap(waiting, "c", 4)
        await _answer_all(finished)
        await _answer_all(fine)
        owed = await response_of(world, 4813)
        done = await response_of(world, 4814)
        async with world.db.transaction() as session:  # as if the bot died after the commits
            await session.execute(
                update(Response)
                .where(Response.id == owed.id)
                .values(message_id=first.message_id, asked_key="satisfaction")
            )
            await session.execute(
                update(Response).where(Response.id == done.id).values(asked_key="confidential")
            )
        counts = {p.user_id: len(p.messages) for p in (waiting, finished, fine)}

        await world.restart_bot()
        [asked] = await waiting.wait(1, timeout=10)
        [thanked] = await finished.wait(1, timeout=10)
        assert asked.buttons and asked.text != first.text, waiting.transcript()
        assert THANKS in (thanked.text or "")
        await settle(fine)
        assert len(fine.messages) == counts[fine.user_id], fine.transcript()


async def _answer_all(phone: Phone) -> None:
    """Through partner_feedback to its thank-you (as in test_e2e_long_text)."""
    for point in (4, 3, 1, 0, 4):
        await tap(phone, "c", point)
    await say(phone, "Share the budget earlier.")
    assert THANKS in shown(await tap(phone, "s")), phone.transcript()  # confidential: skipped
