"""Issue 12, items 7 and 10, end to end through the sandbox: what a survey's screens say.

- A survey with screens (the J-PAT's elements) counts one sequence of steps, a screen being
  one step: "Step 1 of 8 · Element 1" ... "Step 5 of 8 · Element 5", then "Step 6 of 8" for
  the open questions, never "Question 14 of 16" after "Element 5 of 5".
- A text question says once that a voice message is welcome.
- Finishing the J-PAT gives one thank-you, with what happens next.
"""

from __future__ import annotations

import re

from bot.devtools.sandbox import MESSAGE_KINDS, Event, Phone
from bot.i18n import translator
from bot.surveys.view import question_text
from conversations import Progress, load_all
from tests.jpat_world import (
    START,
    after_background,
    answer_jpat,
    drain,
    jpat_world,
    make_partnership,
    open_round,
    partners,
    plain,
    run_tick,
    settle,
    staff,
)

STEP = re.compile(r"^Step (\d+) of (\d+)(?: · Element (\d+))?$", re.MULTILINE)
VOICE = "voice message"


def progress_lines(phone: Phone) -> list[tuple[int, int, str]]:
    """Per bot message that showed progress, in chat order, its latest progress line as
    ``(step, total, the whole line)``: a screen edited after each rating counts once, as it
    was last shown; a text question as it was asked (once answered it shows only the answer)."""
    latest: dict[int, tuple[int, int, str]] = {}
    for event in phone.events:
        if event.kind not in (*MESSAGE_KINDS, "edit") or event.message_id is None:
            continue
        found = STEP.search(plain(event.content))
        if found is not None:
            latest[event.message_id] = (int(found[1]), int(found[2]), found[0])
    return [latest[key] for key in sorted(latest)]


def new_messages(events: list[Event]) -> list[str]:
    return [plain(e.content) for e in events if e.kind in MESSAGE_KINDS]


def assert_one_sequence(phone: Phone, total: int) -> None:
    lines = progress_lines(phone)
    assert [(n, of) for n, of, _ in lines] == [(n, total) for n in range(1, total + 1)], lines
    # the five elements are steps 1 to 5 and say which element they are; then the questions
    assert [line for _, _, line in lines[:5]] == [
        f"Step {n} of {total} · Element {n}" for n in range(1, 6)
    ]
    assert [line for _, _, line in lines[5:]] == [
        f"Step {n} of {total}" for n in range(6, total + 1)
    ]
    everything = "\n".join(plain(e.content) for e in phone.events if e.content)
    assert "Question" not in everything and " of 5" not in everything


async def test_jpat_progress_is_one_sequence_and_the_end_says_thank_you_once(
    sqlite_url: str,
) -> None:
    from bot.clock import ManualClock

    clock = ManualClock(START)
    async with jpat_world(sqlite_url, clock) as world:
        grace = await staff(world, 9351, "Grace")
        org_id, (amina, layla) = await partners(
            world, clock, "Steps RLO", [(9451, "Amina", "en"), (9452, "Layla", "en")]
        )
        await make_partnership(world, org_id, [grace])
        await open_round(world, grace)
        await after_background(world, amina, layla)

        # a low rating brings the follow-up question: 5 elements + 3 questions = 8 steps
        seen = await answer_jpat(amina, [2] + [4] * 12, low_reason="Funds arrive late.")
        assert_one_sequence(amina, 8)
        # no low rating: no follow-up, 5 elements + 2 questions = 7 steps
        await answer_jpat(layla, [4] * 13)
        assert_one_sequence(layla, 7)

        # each text question says once that a voice message is welcome
        asked = [
            plain(e.content)
            for e in amina.events
            if e.kind in MESSAGE_KINDS and re.search(r"^Step [678] of 8$", plain(e.content), re.M)
        ]
        assert len(asked) == 3
        for text in asked:
            assert text.count(VOICE) == 1, text
            assert "Type your answer" not in text

        # one thank-you, saying when the answers can be seen and how
        thanks = [m for m in new_messages(seen) if "Thank you" in m or "saved" in m]
        assert thanks == [
            "Thank you! All your answers are saved.\n\n"
            "Nobody sees your J-PAT answers before the round closes on March 16, 2026. "
            "Then both sides can compare them with /jpat view."
        ]
        # nothing else follows it, not even after the clock ticks
        await run_tick(world)
        await drain(world)
        later = await settle(amina)
        assert not [m for m in new_messages(later) if "Thank you" in m or "saved" in m]


def test_every_text_question_states_the_voice_option_once() -> None:
    """Every survey, every language: a text question's own hint and the bot's generic hint
    are never both shown; in English the voice option is named exactly once."""
    for survey in load_all().values():
        for question in survey.questions:
            if question.type != "text":
                continue
            for lang in survey.languages:
                _ = translator(lang)
                text = plain(question_text(survey, Progress(), question, lang))
                generic = plain(_("Type your answer, or send a voice message."))
                hint = survey.text_for(question.hint, lang)
                if question.allows_voice and not hint:
                    assert generic in text, (survey.id, question.key, lang)
                if hint:
                    assert generic not in text, (survey.id, question.key, lang)
                if lang == "en" and question.allows_voice:
                    assert text.count(VOICE) == 1, (survey.id, question.key, text)
