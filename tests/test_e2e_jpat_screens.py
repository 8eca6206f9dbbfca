"""J-PAT end to end: each element is one screen of statements, rated in any order, with Back
and Next; typed ratings, stale buttons and /cancel on such a screen.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from storage import contacts
from storage.models import Response
from tests.jpat_world import (
    START,
    after_background,
    go_button,
    jpat_world,
    make_partnership,
    notices,
    open_round,
    partners,
    plain,
    press,
    say,
    settle,
    staff,
    sv_button,
)


async def stored_answers(world: LocalWorld, contact_user_id: int) -> dict[str, object]:
    """The J-PAT answers stored for this person: key -> value ("?" for don't know)."""
    from storage import surveys as survey_store

    async with world.db.sessions() as session:
        contact = await contacts.by_telegram_id(session, contact_user_id)
        assert contact is not None
        response = await session.scalar(select(Response).where(Response.contact_id == contact.id))
        assert response is not None
        rows = await survey_store.answers_of(session, response.id)
    return {row.key: "?" if row.status == "dont_know" else row.value_num for row in rows}


async def test_each_element_is_one_screen_rated_in_any_order_with_back_and_next(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with jpat_world(sqlite_url, clock) as world:
        grace = await staff(world, 9141, "Grace")
        org_id, (amina,) = await partners(world, clock, "Screen RLO", [(9241, "Amina", "en")])
        pid = await make_partnership(world, org_id, [grace])
        await open_round(world, grace)
        await after_background(world, amina)

        events = await press(amina, data=go_button(amina))
        screen1 = amina.messages[-1]
        text = plain(screen1.text)
        assert "Step 1 of 7 · Element 1" in text and "Question" not in text
        assert "1 = Strongly disagree · 5 = Strongly agree" in text
        for ref in ("1a. ", "1b. ", "1c. "):
            assert ref in text
        assert "2a. " not in text
        rows = [[b["text"] for b in row] for row in screen1.reply_markup["inline_keyboard"]]
        assert rows == [[ref, "1", "2", "3", "4", "5", "?"] for ref in ("1a", "1b", "1c")]

        # the second statement first: the same message is redrawn, the answer stored at once
        count = len(amina.messages)
        events = await press(amina, data=sv_button(amina, "c", 2, index=1))
        assert len(amina.messages) == count  # no new message: the screen was edited
        assert [e.kind for e in events if e.kind != "callback_answer"] == ["edit"]
        assert "✓ 2 · Disagree" in plain(amina.messages[-1].text)
        assert await stored_answers(world, 9241) == {"e1b": 2}
        row = [b["text"] for b in amina.messages[-1].reply_markup["inline_keyboard"][1]]
        assert row == ["1b", "1", "✓2", "3", "4", "5", "?"]
        # a statement's reference button shows the statement again, changing nothing
        await amina.press_data(sv_button(amina, "i", index=0))
        [note] = notices(await settle(amina))
        assert note.startswith("We both understand the local context")
        # change of mind before the screen is complete, then don't know on the first
        await press(amina, data=sv_button(amina, "c", 4, index=1))
        await press(amina, data=sv_button(amina, "k", index=0))
        assert await stored_answers(world, 9241) == {"e1b": 4, "e1a": "?"}
        # the last statement completes the element: the screen closes, the next one comes
        events = await press(amina, data=sv_button(amina, "c", 5, index=2))
        closed = next(m for m in amina.messages if m.message_id == screen1.message_id)
        assert not closed.reply_markup
        assert "✓ Don't know" in plain(closed.text) and "✓ 5 · Strongly agree" in plain(closed.text)
        screen2 = amina.messages[-1]
        assert "Step 2 of 7 · Element 2" in plain(screen2.text)
        assert [b["text"] for b in screen2.reply_markup["inline_keyboard"][-1]] == ["◀ Back"]

        # Back brings the whole first element again, with its ratings and a Next button
        await press(amina, data=sv_button(amina, "b", index=3))
        again = amina.messages[-1]
        assert "Step 1 of 7 · Element 1" in plain(again.text)
        keyboard = [[b["text"] for b in row] for row in again.reply_markup["inline_keyboard"]]
        assert keyboard[0] == ["1a", "1", "2", "3", "4", "5", "✓?"]
        assert keyboard[-1] == ["Next ▶"]
        # a change there keeps the element on screen until Next
        await press(amina, data=sv_button(amina, "c", 3, index=0))
        assert "Step 1 of 7 · Element 1" in plain(amina.messages[-1].text)
        assert (await stored_answers(world, 9241))["e1a"] == 3
        # typed there, a rating could only overwrite one: it is refused, nothing changes
        await say(amina, "1")
        assert plain(amina.messages[-1].text) == (
            "To change an answer on this screen, press the new rating beside the statement."
        )
        assert (await stored_answers(world, 9241))["e1a"] == 3
        await press(amina, data=sv_button(amina, "x", index=0))
        assert "Step 2 of 7 · Element 2" in plain(amina.messages[-1].text)

        # the closed first screen's buttons are gone; forged data for it changes nothing
        await amina.press_data(f"{sv_button(amina, 'c', 1, index=3).rsplit(':', 3)[0]}:0:c:1")
        assert notices(await settle(amina)) == [
            "This question was already answered. Your answers are safe."
        ]
        assert (await stored_answers(world, 9241))["e1a"] == 3
        # a typed rating answers the first unrated statement and shows the screen again below
        await say(amina, "4")
        latest = amina.messages[-1]
        assert "Step 2 of 7 · Element 2" in plain(latest.text)
        assert "✓ 4 · Agree" in plain(latest.text)
        assert (await stored_answers(world, 9241))["e2a"] == 4
        # /cancel pauses: the screen is closed as it stands, with every statement on it
        await say(amina, "/cancel")
        closed = next(m for m in amina.messages if m.message_id == latest.message_id)
        assert not closed.reply_markup
        assert all(ref in plain(closed.text) for ref in ("2a. ", "2b. ", "2c. "))
        assert "Survey paused" in plain(amina.messages[-1].text)
        assert pid
