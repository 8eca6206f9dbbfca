"""Back in a survey shows the answer given before: the chosen button marked ✓, a typed
answer as "Your answer: …", and "Keep this answer" leaves it as it was."""

from __future__ import annotations

from bot.clock import ManualClock
from tests.survey_steps import (
    START,
    answers_of,
    open_invitation,
    partner,
    pulse_campaign,
    question_message,
    response_of,
    say,
    survey_world,
    tap,
)


async def test_back_marks_the_earlier_choice_and_keep_leaves_it(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phone = await partner(world, clock, 4901)
        await pulse_campaign(world, clock, phone)
        await open_invitation(phone)
        await tap(phone, "c", 4)  # satisfaction
        await tap(phone, "c", 2)  # communication
        await tap(phone, "b")
        again = question_message(phone)
        labels = [label for row in again.buttons for label in row]
        assert "How good is our communication with you" in again.text
        assert "Your answer: 2" in again.text
        marked = [label for label in labels if label.startswith("✓")]
        assert len(marked) == 1 and marked[0].startswith("✓ 2"), labels
        assert "Keep this answer" in labels
        await tap(phone, "x")
        assert "How often are you consulted" in question_message(phone).text
        response = await response_of(world, 4901)
        rows = await answers_of(world, response.id)
        assert rows["communication"].value_num == 2 and response.cursor is None


async def test_back_shows_the_earlier_text_answer(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phone = await partner(world, clock, 4902)
        await pulse_campaign(world, clock, phone)
        await open_invitation(phone)
        for point in (4, 3, 1, 0, 4):
            await tap(phone, "c", point)
        await say(phone, "Share the budget with us earlier.")
        await tap(phone, "b")
        again = question_message(phone)
        assert "What is one thing we should improve?" in again.text
        assert "Your answer: Share the budget with us earlier." in again.text
        await say(phone, "Visit us more often.")  # a new answer replaces it
        response = await response_of(world, 4902)
        assert (await answers_of(world, response.id))["improve"].value_text == (
            "Visit us more often."
        )
