"""Issue 4 end to end: a restart mid-survey loses nothing, and stale buttons get a notice and
change nothing.
"""

from __future__ import annotations

from bot.clock import ManualClock
from tests.survey_steps import (
    CLOSED,
    STALE,
    START,
    THANKS,
    answers_of,
    edits,
    forge,
    go_button,
    messages,
    notices,
    only_message,
    open_invitation,
    partner,
    press,
    pulse_campaign,
    question_message,
    response_of,
    say,
    shown,
    snapshot,
    survey_world,
    sv_data,
    tap,
)

# ------------------------------------------------------------------------------ 7. restart


async def test_restart_mid_survey_loses_nothing(database_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(database_url, clock) as world:
        phone = await partner(world, clock, 4701)
        await pulse_campaign(world, clock, phone)
        await open_invitation(phone)
        await tap(phone, "c", 4)
        await tap(phone, "c", 3)
        consulted = question_message(phone)
        response = await response_of(world, 4701)
        before = await snapshot(world, response.id)

        await world.restart_bot()
        assert await snapshot(world, response.id) == before

        # The keyboard shown before the restart still answers its question.
        often = sv_data(phone, "c", 1)
        events = await press(phone, data=often, message_id=consulted.message_id)
        assert "✓ Often" in shown(edits(events))
        assert "Do our payments and approvals reach you on time?" in only_message(events).text
        await say(phone, "Often late")  # a typed choice label
        await tap(phone, "c", 2)
        await say(phone, "Visit us more often.")
        assert THANKS in shown(await tap(phone, "s"))

        done = await response_of(world, 4701)
        rows = await answers_of(world, response.id)
        assert done.status == "completed"
        assert list(rows) == [
            "satisfaction",
            "communication",
            "consulted",
            "payments_on_time",
            "credit",
            "improve",
            "confidential",
        ]
        assert (rows["satisfaction"].value_num, rows["communication"].value_num) == (4, 3)
        assert rows["consulted"].choice_codes == ["often"]
        assert rows["payments_on_time"].choice_codes == ["often_late"]
        assert rows["credit"].value_num == 2
        assert rows["improve"].value_text == "Visit us more often."
        assert rows["confidential"].status == "skipped"


# ------------------------------------------------------------------------------ 8. stale buttons


async def test_stale_buttons_get_a_notice_and_change_nothing(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phone = await partner(world, clock, 4801)
        await pulse_campaign(world, clock, phone)
        invitation, _events = await open_invitation(phone)
        response = await response_of(world, 4801)
        old = sv_data(phone, "c", 5)  # satisfaction: very satisfied
        await tap(phone, "c", 2)
        await say(phone, "Late payments.")
        before = await snapshot(world, response.id)

        # A tap on the first question's old keyboard (as if it raced the edit).
        events = await press(
            phone, data=old, message_id=invitation.message_id, expect="callback_answer"
        )
        assert notices(events) == [STALE]
        assert messages(events) == [] and edits(events) == []
        # Forged: the current question's index, but pressed on an earlier message.
        current = sv_data(phone, "c", 4)
        events = await forge(phone, current, message_id=invitation.message_id)
        assert notices(events) == [STALE]
        assert await snapshot(world, response.id) == before
        assert (await answers_of(world, response.id))["satisfaction"].value_num == 2

        await tap(phone, "c", 3)
        await tap(phone, "c", 0)
        await tap(phone, "c", 0)
        last_question = question_message(phone)
        late = sv_data(phone, "c", 3)
        await tap(phone, "c", 4)
        await say(phone, "Nothing more.")
        assert THANKS in shown(await tap(phone, "s"))
        finished = await snapshot(world, response.id)
        assert finished[0][0] == "completed"

        # After the end: an old question's button and the invitation's Start both say so.
        events = await press(
            phone, data=late, message_id=last_question.message_id, expect="callback_answer"
        )
        assert notices(events) == [STALE]
        events = await press(
            phone,
            data=go_button(invitation),
            message_id=invitation.message_id,
            expect="callback_answer",
        )
        assert notices(events) == [CLOSED]
        assert messages(events) == [] and edits(events) == []
        # Another partner's response id: the generic notice, nothing revealed.
        assert notices(await forge(phone, f"sv:{response.id + 1000}:0:c:1")) == [
            "This button is no longer active. Send /help to see what you can do."
        ]
        assert await snapshot(world, response.id) == finished
