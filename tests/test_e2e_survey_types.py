"""Issue 4 end to end: partners answer every question type in chat, in French and in Arabic,
and a voice answer is stored with its file and duration, through the sandbox over real HTTP.
"""

from __future__ import annotations

from bot.clock import ManualClock
from bot.i18n import RLM
from tests.survey_steps import (
    ALL_TYPES,
    START,
    THANKS,
    VOICE_THANKS,
    answers_of,
    edits,
    launch,
    messages,
    only_message,
    open_invitation,
    partner,
    plain,
    press,
    pulse_campaign,
    question_message,
    reaction,
    response_of,
    rows_of,
    run_tick,
    say,
    shown,
    survey_world,
    t,
    tap,
)

# ------------------------------------------------------------------------------ 1. every type


async def test_all_question_types_in_french(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phone = await partner(world, clock, 4101, language="fr", name="Jeanne")
        survey, _v = world.services.surveys.get(ALL_TYPES)
        await launch(world, clock, ALL_TYPES)
        assert (await run_tick(world)).sent == 1
        invitation, events = await open_invitation(phone)
        assert "Tous les types de questions" in invitation.text
        assert "Un questionnaire de test avec une question de chaque sorte." in invitation.text
        seen = [invitation, *events]
        [first] = edits(events)  # the invitation becomes the first question (a note)
        assert first.message_id == invitation.message_id
        assert "Bienvenue ! Ce questionnaire prend environ deux minutes." in first.text
        assert first.buttons == [[t("fr", "Continue")]]  # a note has no Skip and no Back

        events = await tap(phone, "n")  # note: continue
        seen += events
        [read] = [plain(e.text) for e in edits(events)]
        assert read == "Bienvenue ! Ce questionnaire prend environ deux minutes."
        events = await press(phone, "Membre du personnel")
        seen += events
        assert "✓ Membre du personnel" in shown(edits(events))
        topics = only_message(events)
        assert "Quels thèmes comptent le plus pour votre communauté (deux au plus) ?" in topics.text

        # Multiple choice: ticks toggle on the same message, nothing new is sent until Done.
        for index in (0, 1, 0, 3):  # Santé on, Éducation on, Santé off, Protection on
            events = await tap(phone, "t", index)
            seen += events
            assert messages(events) == []
            assert [e.message_id for e in edits(events)] == [topics.message_id]
        ticks = [label for row in edits(events)[-1].buttons for label in row if "☑" in label]
        assert ticks == ["☑ Éducation", "☑ Protection"]
        events = await tap(phone, "d")
        seen += events
        assert "✓ Éducation, Protection" in shown(edits(events))
        scale = only_message(events)
        assert "4 · Bon" in [label for row in scale.buttons for label in row]

        seen += await tap(phone, "c", 4)  # scale
        seen += await tap(phone, "c", "no")  # yes/no
        seen += await say(phone, "120")  # integer
        seen += await say(phone, "1250,5")  # decimal with a French decimal comma
        seen += await say(phone, "15/06/2019")  # date
        voice = await phone.send_voice(duration=12)  # text question that accepts voice
        events = await reaction(phone)
        seen += events
        assert "✓ 🎤" in shown(edits(events))
        assert t("fr", VOICE_THANKS) in shown(messages(events))
        events = await say(phone, "Merci pour votre écoute.")  # optional text
        seen += events
        assert t("fr", THANKS) in shown(events)

        response = await response_of(world, 4101)
        assert (response.status, response.language) == ("completed", "fr")
        assert response.completed_at == START
        rows = await answers_of(world, response.id)
        assert list(rows) == [q.key for q in survey.questions]
        assert all(row.language == "fr" for row in rows.values())
        assert all(row.status == "answered" for row in rows.values())
        assert rows["welcome"].value_text is None and rows["welcome"].value_num is None
        assert rows["role"].choice_codes == ["staff"] and rows["role"].value_text == "staff"
        assert rows["topics"].choice_codes == ["education", "protection"]
        assert rows["rating"].value_num == 4
        assert rows["has_office"].value_text == "no"
        assert (rows["people_reached"].value_num, rows["people_reached"].raw_text) == (120, "120")
        assert (rows["budget"].value_num, rows["budget"].raw_text) == (1250.5, "1250,5")
        assert (rows["started_on"].value_text, rows["started_on"].raw_text) == (
            "2019-06-15",
            "15/06/2019",
        )
        story = rows["story"]
        assert story.voice_file_id == voice["message"]["voice"]["file_id"]
        assert (story.voice_duration, story.value_text) == (12, None)
        assert rows["comment"].value_text == "Merci pour votre écoute."

        # Every question reached the phone in French, none in English.
        everything = shown(seen)
        for question in survey.questions:
            assert question.text["fr"] in everything, question.key
            assert question.text["en"] not in everything, question.key


async def test_all_question_types_in_arabic(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phone = await partner(world, clock, 4102, language="ar", name="أمينة")
        survey, _v = world.services.surveys.get(ALL_TYPES)
        await launch(world, clock, ALL_TYPES)
        assert (await run_tick(world)).sent == 1
        invitation, events = await open_invitation(phone)
        assert "جميع أنواع الأسئلة" in plain(invitation.text)
        assert invitation.text.startswith(RLM)  # laid out right to left
        seen = [invitation, *events]

        seen += await tap(phone, "n")
        seen += await press(phone, "قائد مجتمعي")  # a button with an Arabic label
        for index in (0, 1):
            seen += await tap(phone, "t", index)
        events = await tap(phone, "d")
        seen += events
        assert "✓ الصحة، التعليم" in shown(edits(events))
        rating = only_message(events)
        assert all(line.startswith(RLM) for line in rating.text.split("\n") if line)
        labels = [label for row in rating.buttons for label in row]
        assert "1 · ضعيف جدًا" in labels and "5 · جيد جدًا" in labels
        seen += await tap(phone, "k")  # scale: don't know
        seen += await say(phone, "نعم")  # yes/no typed in Arabic
        seen += await say(phone, "١٢٠")  # integer in Arabic-Indic digits
        events = await tap(phone, "s")  # decimal is optional: skip
        seen += events
        assert f"✓ {t('ar', '(skipped)')}" in shown(edits(events))
        seen += await say(phone, "١٥/٠٦/٢٠١٩")  # date in Arabic-Indic digits
        seen += await say(phone, "تحسّن التواصل مع المجتمع.")  # text (voice allowed, typed)
        events = await say(phone, "شكرًا لكم")
        seen += events
        assert t("ar", THANKS) in shown(events)

        response = await response_of(world, 4102)
        assert (response.status, response.language) == ("completed", "ar")
        rows = await answers_of(world, response.id)
        assert list(rows) == [q.key for q in survey.questions]
        assert all(row.language == "ar" for row in rows.values())
        assert rows["role"].choice_codes == ["leader"]
        assert rows["topics"].choice_codes == ["health", "education"]
        assert (rows["rating"].status, rows["rating"].value_num) == ("dont_know", None)
        assert (rows["has_office"].value_text, rows["has_office"].raw_text) == ("yes", "نعم")
        assert (rows["people_reached"].value_num, rows["people_reached"].raw_text) == (120, "١٢٠")
        assert (rows["budget"].status, rows["budget"].value_num) == ("skipped", None)
        assert rows["started_on"].value_text == "2019-06-15"
        assert rows["story"].value_text == "تحسّن التواصل مع المجتمع."
        assert rows["story"].voice_file_id is None
        assert rows["comment"].value_text == "شكرًا لكم"

        everything = shown(seen)
        for question in survey.questions:
            assert question.text["ar"] in everything, question.key
            assert question.text["en"] not in everything, question.key


# ------------------------------------------------------------------------------ 9. voice


async def test_a_voice_answer_stores_file_and_duration_and_thanks(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phone = await partner(world, clock, 4901)
        await pulse_campaign(world, clock, phone)
        await open_invitation(phone)
        response = await response_of(world, 4901)

        # A scale does not take a voice message: refused, nothing stored.
        await phone.send_voice(duration=3)
        refusal = only_message(await reaction(phone))
        assert refusal.text == "This question needs a typed answer, not a voice message."
        assert await rows_of(world, response.id) == []

        await tap(phone, "c", 4)
        await tap(phone, "c", 4)
        await tap(phone, "c", 1)
        await tap(phone, "c", 1)
        await tap(phone, "c", 3)
        assert "What is one thing we should improve?" in question_message(phone).text
        voice = await phone.send_voice(duration=7)
        events = await reaction(phone)
        assert "✓ 🎤 voice message" in shown(edits(events))
        next_question = only_message(events)
        assert next_question.text.startswith(VOICE_THANKS)
        assert "Is there anything you would like to raise confidentially?" in next_question.text

        row = (await answers_of(world, response.id))["improve"]
        assert row.voice_file_id == voice["message"]["voice"]["file_id"]
        assert (row.voice_duration, row.status, row.value_text) == (7, "answered", None)
        assert (await response_of(world, 4901)).status == "in_progress"
