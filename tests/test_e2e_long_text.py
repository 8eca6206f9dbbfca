"""A free-text answer longer than the one limit, end to end through the sandbox: the limit is
said before typing, nothing is refused and lost, and a text that Telegram sent in two parts
never becomes the answer to the next question."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.devtools.sandbox import Phone
from conversations.validation import FREE_TEXT_LIMIT, clip_free_text, join_parts
from tests.e2e import settle
from tests.survey_steps import (
    START,
    answers_of,
    edits,
    only_message,
    open_invitation,
    partner,
    press,
    pulse_campaign,
    question_message,
    response_of,
    say,
    shown,
    survey_world,
    tap,
)

KEEP = "Keep the first 4,000 characters"
SHORTER = "I'll send a shorter one"
IMPROVE = "What is one thing we should improve?"
CONFIDENTIAL_KEY = "confidential"


def _long(n: int, word: str) -> str:
    text = ((word + " ") * (n // (len(word) + 1) + 1))[:n]
    return text if not text.endswith(" ") else text[:-1] + "x"


async def _to_improve(world, clock: ManualClock, user_id: int) -> Phone:  # type: ignore[no-untyped-def]
    phone = await partner(world, clock, user_id)
    await pulse_campaign(world, clock, phone)
    await open_invitation(phone)
    for point in (4, 3, 1, 0, 4):
        await tap(phone, "c", point)
    asked = question_message(phone)
    assert IMPROVE in asked.text
    assert f"Up to {FREE_TEXT_LIMIT:,} characters." in asked.text  # said before typing
    return phone


def _button(phone: Phone, label: str) -> str:
    for message in reversed(phone.messages):
        for row in (message.reply_markup or {}).get("inline_keyboard", []):
            for b in row:
                if b.get("text") == label:
                    return b["callback_data"]
    raise AssertionError(f"no button {label!r}:\n{phone.transcript()}")


async def test_a_5000_character_answer_in_two_parts_keeps_its_first_part(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phone = await _to_improve(world, clock, 4801)
        # A Telegram client sends 5,000 characters as two messages, at once.
        first, second = _long(4096, "alpha"), _long(904, "omega")
        await phone.send_text(first)
        await phone.send_text(second)
        offer = (await phone.wait(1, timeout=10))[0]
        assert "Your answer has 4,096 characters; an answer can have up to 4,000." in offer.text
        await phone.wait(1, kinds="edit", timeout=10)  # the second part joins the first
        await settle(phone)
        offer_now = phone.message(offer.message_id)
        assert "Your answer has 5,001 characters" in offer_now.text
        assert [label for row in offer_now.buttons for label in row] == [KEEP, SHORTER]
        response = await response_of(world, 4801)
        # Nothing answered the next question, nothing saved before the partner chose.
        assert "improve" not in await answers_of(world, response.id)
        assert (await response_of(world, 4801)).asked_key == "improve"

        events = await press(phone, data=_button(phone, KEEP))
        assert (await response_of(world, 4801)).asked_key == CONFIDENTIAL_KEY
        assert "Kept the first 4,000 characters of your answer." in shown(edits(events))
        rows = await answers_of(world, response.id)
        kept = clip_free_text(join_parts(first, second))
        assert rows["improve"].value_text == kept
        assert len(kept) <= FREE_TEXT_LIMIT and kept.startswith("alpha alpha")
        assert CONFIDENTIAL_KEY not in rows and len(rows) == 6


async def test_send_a_shorter_one_keeps_the_question_open(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phone = await _to_improve(world, clock, 4802)
        offer = only_message(await say(phone, _long(4090, "beta")))
        assert "Your answer has 4,090 characters" in offer.text
        await press(phone, data=_button(phone, SHORTER), expect="edit")
        assert "Fine: please type a shorter answer." in phone.message(offer.message_id).text
        response = await response_of(world, 4802)
        assert "improve" not in await answers_of(world, response.id)
        await say(phone, "Share the budget earlier.")
        rows = await answers_of(world, response.id)
        assert rows["improve"].value_text == "Share the budget earlier."


async def test_a_second_part_after_a_saved_first_part_joins_it(sqlite_url: str) -> None:
    """A client may cut before the limit (at a paragraph): the first part is saved, and the
    second joins it instead of answering the next question."""
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phone = await _to_improve(world, clock, 4803)
        first, second = _long(3900, "gamma"), _long(1200, "delta")
        await phone.send_text(first)
        await phone.send_text(second)
        offers = await phone.wait(
            2, timeout=10
        )  # the next question, the offer (closing is an edit)
        await settle(phone)
        assert any("Your answer has 5,101 characters" in (e.text or "") for e in offers), (
            phone.transcript()
        )
        # The joined part was taken: nothing says it was not understood.
        assert "didn't understand" not in phone.transcript(), phone.transcript()
        response = await response_of(world, 4803)
        assert (await answers_of(world, response.id))["improve"].value_text == first.strip()
        await press(phone, data=_button(phone, KEEP), expect="edit")
        rows = await answers_of(world, response.id)
        assert rows["improve"].value_text == clip_free_text(join_parts(first, second))
        assert CONFIDENTIAL_KEY not in rows  # the second part answered nothing else
