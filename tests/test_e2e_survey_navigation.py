"""Issue 4 end to end: moving through a survey in chat: refusals asked again in the partner's
language then help offered, skip logic down both branches, Back, Skip on an optional question,
and /cancel then /surveys resuming at the same question.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from bot.clock import ManualClock
from bot.devtools.sandbox import Phone
from tests.survey_steps import (
    ALL_TYPES,
    HELP_OFFER,
    START,
    THANKS,
    answers_of,
    command,
    edits,
    forge,
    launch,
    messages,
    notices,
    only_message,
    open_invitation,
    partner,
    plain,
    press,
    pulse_campaign,
    question_message,
    response_of,
    rows_of,
    run_tick,
    say,
    shown,
    snapshot,
    survey_world,
    t,
    tap,
)

# ------------------------------------------------------------------------------ 2. refusals


async def walk_to_people_reached(phone: Phone) -> None:
    await open_invitation(phone)
    await tap(phone, "n")
    await tap(phone, "c", 2)
    await tap(phone, "t", 0)
    await tap(phone, "d")
    await tap(phone, "c", 3)
    await tap(phone, "c", "yes")


async def test_refusals_ask_again_in_the_partners_language_then_offer_help(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phone = await partner(world, clock, 4201, language="fr")
        await launch(world, clock, ALL_TYPES)
        await run_tick(world)
        await walk_to_people_reached(phone)
        response = await response_of(world, 4201)
        asked = question_message(phone)
        assert "Combien de personnes avez-vous touchées ce mois-ci ?" in asked.text
        _state, before = await snapshot(world, response.id)

        # Out of range, then words for a number: the survey's own French message, each time.
        custom = "Veuillez écrire un nombre entier entre 0 et 500."
        for typed in ("900", "beaucoup"):
            refusal = only_message(await say(phone, typed))
            assert plain(refusal.text) == custom
            assert refusal.buttons == []
        # The third refusal adds the help offer; the question is required, so no Skip.
        third = only_message(await say(phone, "-3"))
        assert plain(third.text) == f"{custom}\n\n{t('fr', HELP_OFFER)}"
        assert third.buttons == []
        assert (await response_of(world, 4201)).refusals == 3
        assert (await snapshot(world, response.id))[1] == before  # nothing stored
        assert question_message(phone).message_id == asked.message_id  # same question

        events = await say(phone, "1 200")  # still out of range, still refused
        assert plain(only_message(events).text).startswith(custom)
        events = await say(phone, "250")
        assert "✓ 250" in shown(edits(events))
        budget = only_message(events)
        assert "Quel était votre budget mensuel (montant seul) ?" in budget.text
        rows = await answers_of(world, response.id)
        assert (rows["people_reached"].value_num, rows["people_reached"].status) == (
            250,
            "answered",
        )
        assert (await response_of(world, 4201)).refusals == 0  # the count starts again

        # An optional question without a constraint message: the bot's own wording in the
        # partner's language, and after three refusals the help offer comes with Skip.
        expected = t("fr", "Please type a number, for example 12.5.")
        for typed in ("rien", "?"):
            assert plain(only_message(await say(phone, typed)).text) == expected
        third = only_message(await say(phone, "pas sûr"))
        assert plain(third.text) == f"{expected}\n\n{t('fr', HELP_OFFER)}"
        assert [label for row in third.buttons for label in row] == [t("fr", "Skip")]
        events = await press(phone, t("fr", "Skip"))
        assert "Depuis quand travaillez-vous avec nous ?" in shown(messages(events))
        rows = await answers_of(world, response.id)
        assert (rows["budget"].status, rows["budget"].value_num) == ("skipped", None)

        # A date in the future is refused with the bot's range message, then accepted.
        refusal = only_message(await say(phone, "01/01/2030"))
        assert plain(refusal.text) == t(
            "fr",
            "Please give a value from {min} to {max}.",
            min=format_date(date(1990, 1, 1), "medium", locale="fr"),
            max=format_date(date(2026, 3, 2), "medium", locale="fr"),
        )
        await say(phone, "01/01/2020")
        assert (await answers_of(world, response.id))["started_on"].value_text == "2020-01-01"


# ------------------------------------------------------------------------------ 3. skip logic


async def test_skip_logic_takes_both_branches(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        unhappy = await partner(world, clock, 4301)
        happy = await partner(world, clock, 4302)
        await pulse_campaign(world, clock, unhappy, happy)

        await open_invitation(unhappy)
        follow_up = only_message(await tap(unhappy, "c", 2))
        assert "We are sorry to hear that. What has gone wrong?" in follow_up.text
        assert "Question 2 of 8" in follow_up.text
        nxt = only_message(await say(unhappy, "Payments came late."))
        assert "How good is our communication with you" in nxt.text
        assert "Question 3 of 8" in nxt.text

        await open_invitation(happy)
        nxt = only_message(await tap(happy, "c", 3))
        assert "How good is our communication with you" in nxt.text
        assert "Question 2 of 7" in nxt.text
        await tap(happy, "c", 4)  # communication
        await tap(happy, "c", 0)
        await tap(happy, "c", 0)
        await tap(happy, "c", 5)
        await say(happy, "Nothing, thank you.")
        assert THANKS in shown(await tap(happy, "s"))
        assert "What has gone wrong?" not in "\n".join(m.text or "" for m in happy.messages)

        unhappy_rows = await answers_of(world, (await response_of(world, 4301)).id)
        assert list(unhappy_rows) == ["satisfaction", "what_went_wrong"]
        assert unhappy_rows["what_went_wrong"].value_text == "Payments came late."
        happy_response = await response_of(world, 4302)
        happy_rows = await answers_of(world, happy_response.id)
        assert happy_response.status == "completed"
        assert "what_went_wrong" not in happy_rows
        assert len(happy_rows) == 7


# ------------------------------------------------------------------------------ 4. Back


async def test_back_changes_the_previous_answer_without_duplicates(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phone = await partner(world, clock, 4401)
        await pulse_campaign(world, clock, phone)
        await open_invitation(phone)
        first = question_message(phone)
        assert "◀ Back" not in [label for row in first.buttons for label in row]
        await tap(phone, "c", 4)  # satisfaction
        await tap(phone, "c", 2)  # communication
        response = await response_of(world, 4401)
        assert (await answers_of(world, response.id))["communication"].value_num == 2

        consulted = question_message(phone)
        events = await tap(phone, "b")
        again = only_message(events)
        assert "How good is our communication with you" in again.text
        assert [e.message_id for e in edits(events)] == [consulted.message_id]
        assert consulted.message_id != again.message_id
        assert phone.message(consulted.message_id).reply_markup in (None, {})

        events = await tap(phone, "c", 5)
        assert "✓ 5 · Very good" in shown(edits(events))
        # The partner continues where they were, not at a question already answered.
        assert "How often are you consulted" in only_message(events).text
        rows = await answers_of(world, response.id)
        assert rows["communication"].value_num == 5
        assert list(rows) == ["satisfaction", "communication"]
        assert len(await rows_of(world, response.id)) == 2

        # Back twice reaches the first question; lowering it reveals the follow-up question.
        await tap(phone, "b")
        await tap(phone, "b")
        assert "how satisfied are you" in question_message(phone).text
        follow_up = only_message(await tap(phone, "c", 1))
        assert "What has gone wrong?" in follow_up.text
        rows = await answers_of(world, response.id)
        assert (rows["satisfaction"].value_num, rows["communication"].value_num) == (1, 5)
        assert len(await rows_of(world, response.id)) == 2


# ------------------------------------------------------------------------------ 5. Skip


async def test_skip_on_an_optional_question_is_stored_as_skipped(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phone = await partner(world, clock, 4501)
        await pulse_campaign(world, clock, phone)
        await open_invitation(phone)
        # A required question has no Skip, and a forged Skip is refused without storing.
        assert t("en", "Skip") not in [b for row in question_message(phone).buttons for b in row]
        response = await response_of(world, 4501)
        satisfaction = question_message(phone)
        events = await forge(phone, f"sv:{response.id}:0:s", message_id=satisfaction.message_id)
        assert notices(events) == ["This question needs an answer before we go on."]
        assert await rows_of(world, response.id) == []

        await tap(phone, "c", 1)
        events = await tap(phone, "s")  # what_went_wrong is optional
        assert "✓ (skipped)" in shown(edits(events))
        assert "How good is our communication with you" in only_message(events).text
        rows = await answers_of(world, response.id)
        skipped = rows["what_went_wrong"]
        assert (skipped.status, skipped.value_text, skipped.voice_file_id) == (
            "skipped",
            None,
            None,
        )
        assert satisfaction.message_id != question_message(phone).message_id


# ------------------------------------------------------------------------------ 6. /cancel


async def test_cancel_pauses_and_surveys_resumes_at_the_same_question(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phone = await partner(world, clock, 4601)
        await pulse_campaign(world, clock, phone)
        await open_invitation(phone)
        await tap(phone, "c", 4)
        await tap(phone, "c", 3)
        consulted = question_message(phone)
        response = await response_of(world, 4601)

        events = await command(phone, "cancel")
        reply = only_message(events)
        assert "Survey paused. Your answers so far are saved." in reply.text
        assert "/surveys" in reply.text
        assert phone.message(consulted.message_id).reply_markup in (None, {})  # keyboard gone
        paused = await response_of(world, 4601)
        assert paused.status == "paused"
        rows = await answers_of(world, response.id)
        assert [(k, r.value_num) for k, r in rows.items()] == [
            ("satisfaction", 4),
            ("communication", 3),
        ]

        # While paused, a typed message is not taken as an answer: the bot offers to continue.
        offer = only_message(await say(phone, "Often"))
        assert "Continue: Partnership pulse" in offer.text
        assert len(await rows_of(world, response.id)) == 2

        listing = only_message(await command(phone, "surveys"))
        assert "Surveys waiting for you:" in listing.text
        assert "Continue: Partnership pulse" in listing.text
        events = await press(phone, "Continue: Partnership pulse", expect="edit")
        [resumed] = edits(events)
        assert resumed.message_id == listing.message_id
        assert "How often are you consulted on decisions" in resumed.text
        assert "Question 3 of 7" in resumed.text
        assert (await response_of(world, 4601)).status == "in_progress"

        await tap(phone, "c", 2)  # consulted: sometimes
        await tap(phone, "c", 1)
        await tap(phone, "c", 3)
        await say(phone, "More visits.")
        assert THANKS in shown(await tap(phone, "s"))
        done = await response_of(world, 4601)
        rows = await answers_of(world, response.id)
        assert done.status == "completed"
        assert rows["satisfaction"].value_num == 4 and rows["communication"].value_num == 3
        assert rows["consulted"].choice_codes == ["sometimes"]
        assert len(rows) == 7
