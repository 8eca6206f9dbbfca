"""Issue 4 end to end: partners answer surveys in chat and staff run campaigns, through the
sandbox over real HTTP, with time under the test's control (``ManualClock`` and explicit
``tick`` calls: ``tick_seconds=0`` turns the periodic job off)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from babel.dates import format_date
from sqlalchemy import select

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import MESSAGE_KINDS, Event, Limits, Phone
from bot.devtools.sandbox.events import ChatMessage
from bot.dispatch import TickReport, tick
from bot.i18n import FSI, PDI, RLM, translator
from storage import campaigns
from storage.models import AnswerRow, Campaign, Contact, Delivery, Response
from tests.e2e import ADMIN_ID, QUIET, make_invite, settle, world_for

START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday, 10:00 in Nairobi (UTC+3)
DATA = Path(__file__).resolve().parent / "data"
ALL_TYPES = "e2e_all_types"
PULSE = "partner_feedback"
STALE = "This question was already answered. Your answers are safe."
CLOSED = "This survey is closed. Thank you!"
THANKS = "Thank you! All your answers are saved."
VOICE_THANKS = "Thank you, I received your voice message."
HELP_OFFER = (
    "If you are not sure, you can skip this question where that is allowed, "
    "or send /cancel to stop for now: your answers so far are kept. Send /help for more."
)
ANSWER_ROW_FIELDS = (
    "question_key",
    "status",
    "value_num",
    "value_text",
    "choice_codes",
    "raw_text",
    "voice_file_id",
    "voice_duration",
    "language",
    "answered_at",
    "seq",
)


# ------------------------------------------------------------------------------ helpers


@asynccontextmanager
async def survey_world(database_url: str, clock: ManualClock) -> AsyncIterator[LocalWorld]:
    """The bot with the test survey folder, no periodic tick and no per-chat pacing (these
    chats are long, and ``settle`` must not return while a paced message is on its way)."""
    async with world_for(
        database_url,
        clock=clock,
        tick_seconds=0,
        limits=Limits(chat_enabled=False),
        chat_burst=1000,
        surveys_dir=DATA,
    ) as world:
        yield world


async def reaction(phone: Phone, expect: str = "message", quiet: float = QUIET) -> list[Event]:
    """Everything the bot does in answer to one action: wait for the event that ends it
    (``expect``: a new message, an edit or a callback answer), however slow the machine, then
    until the bot has been quiet for a moment; in the order the bot did them."""
    last = await phone.wait(1, kinds=expect, timeout=10)
    return sorted(last + await settle(phone, quiet), key=lambda e: e.index)


async def command(phone: Phone, name: str, args: str = "") -> list[Event]:
    await phone.send_command(name, args)
    return await reaction(phone)


async def say(phone: Phone, text: str) -> list[Event]:
    await phone.send_text(text)
    return await reaction(phone)


async def press(
    phone: Phone,
    text: str | None = None,
    *,
    data: str | None = None,
    message_id: int | None = None,
    expect: str = "message",
) -> list[Event]:
    await phone.press(text, data=data, message_id=message_id)
    return await reaction(phone, expect)


async def forge(phone: Phone, data: str, *, message_id: int | None = None) -> list[Event]:
    """A press with made-up data (an old client, a tampered button); answered with a notice."""
    await phone.press_data(data, message_id=message_id)
    return await reaction(phone, "callback_answer")


def plain(text: str | None) -> str:
    """Text without the right-to-left mark and isolates the bot adds for Arabic."""
    return (text or "").replace(RLM, "").replace(FSI, "").replace(PDI, "")


def t(lang: str, message: str, **values: object) -> str:
    return plain(translator(lang)(message, **values))


def messages(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind in MESSAGE_KINDS]


def only_message(events: list[Event]) -> Event:
    found = messages(events)
    assert len(found) == 1, [e.content for e in found]
    return found[0]


def edits(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind == "edit"]


def notices(events: list[Event]) -> list[str]:
    """Texts of callback answers that showed a notice (empty acknowledgements left out)."""
    return [plain(e.text) for e in events if e.kind == "callback_answer" and e.text]


def shown(events: list[Event]) -> str:
    """Everything the partner saw in these events (new messages and edits), bidi marks off."""
    return "\n".join(plain(e.content) for e in events if e.kind in (*MESSAGE_KINDS, "edit"))


async def partner(
    world: LocalWorld,
    clock: ManualClock,
    user_id: int,
    *,
    language: str = "en",
    name: str = "Partner",
    org_name: str | None = None,
) -> Phone:
    """A partner who joined with an invitation (Nairobi, quiet hours 21:00-08:00)."""
    token, _ = await make_invite(world.db, org_name=org_name or f"RLO {user_id}", now=clock.now())
    phone = world.sandbox.user(user_id, first_name=name, language_code=language)
    await phone.start(token)
    # Onboarding has its own tests: here each step only waits for the bot's next question.
    await phone.wait(1, timeout=10)
    for data in (
        f"ob:lang:{language}",
        "ob:consent:yes",
        "ob:tz:Africa/Nairobi",
        "ob:quiet:21:00-08:00",
        "ob:attr:no",
    ):
        await phone.press(data=data)
        await phone.wait(1, timeout=10)
    await settle(phone)
    return phone


async def launch(
    world: LocalWorld, clock: ManualClock, survey_id: str, *, days: int = 14
) -> campaigns.Launched:
    entry = world.services.surveys.get(survey_id)
    assert entry is not None, survey_id
    survey, version_id = entry
    async with world.db.transaction() as session:
        return await campaigns.launch(
            session,
            survey_id=survey.id,
            survey_version_id=version_id,
            audience_kind="all",
            audience_value=None,
            due_at=clock.now() + timedelta(days=days),
            created_by=None,
            now=clock.now(),
        )


async def run_tick(world: LocalWorld) -> TickReport:
    assert world.bot is not None
    return await tick(world.bot.application)


async def response_of(world: LocalWorld, user_id: int) -> Response:
    """The newest response of the partner with this Telegram id."""
    async with world.db.sessions() as session:
        response = await session.scalar(
            select(Response)
            .join(Contact, Contact.id == Response.contact_id)
            .where(Contact.telegram_user_id == user_id)
            .order_by(Response.id.desc())
        )
        assert response is not None, f"no response for {user_id}"
        return response


async def response_of_id(world: LocalWorld, response_id: int) -> Response:
    async with world.db.sessions() as session:
        response = await session.get(Response, response_id)
        assert response is not None
        return response


async def rows_of(world: LocalWorld, response_id: int) -> list[AnswerRow]:
    async with world.db.sessions() as session:
        result = await session.scalars(
            select(AnswerRow).where(AnswerRow.response_id == response_id).order_by(AnswerRow.id)
        )
        return list(result)


async def answers_of(world: LocalWorld, response_id: int) -> dict[str, AnswerRow]:
    rows = await rows_of(world, response_id)
    keys = [row.question_key for row in rows]
    assert len(keys) == len(set(keys)), f"duplicate answer rows: {keys}"
    return {row.question_key: row for row in rows}


async def snapshot(world: LocalWorld, response_id: int) -> tuple[Any, ...]:
    """Everything stored about a response and its answers, to prove that nothing changed."""
    response = await response_of_id(world, response_id)
    state = (
        response.status,
        response.cursor,
        response.message_id,
        response.asked_key,
        tuple(response.pending_toggles or []),
        response.refusals,
        response.updated_at,
        response.completed_at,
    )
    rows = await rows_of(world, response_id)
    return state, tuple(tuple(getattr(row, f) for f in ANSWER_ROW_FIELDS) for row in rows)


def question_message(phone: Phone) -> ChatMessage:
    """The newest bot message that carries survey buttons (the question being asked)."""
    for message in reversed(phone.messages):
        datas = [d for row in _rows(message) for d in row]
        if any(d.startswith("sv:") and not d.endswith(":go") for d in datas):
            return message
    raise AssertionError(f"no survey question with buttons in the chat:\n{phone.transcript()}")


def _rows(message: Event | ChatMessage) -> list[list[str]]:
    markup = message.reply_markup or {}
    return [
        [b["callback_data"] for b in row if "callback_data" in b]
        for row in markup.get("inline_keyboard", [])
    ]


def sv_data(phone: Phone, action: str, arg: object = None) -> str:
    """The callback data of the current question's button for ``action`` (and ``arg``)."""
    message = question_message(phone)
    for row in _rows(message):
        for data in row:
            parts = data.split(":")
            if parts[0] != "sv" or parts[3] != action:
                continue
            if (arg is None and len(parts) == 4) or (len(parts) == 5 and parts[4] == str(arg)):
                return data
    raise AssertionError(f"no button {action}:{arg} on {message.text!r}: {_rows(message)}")


async def tap(phone: Phone, action: str, arg: object = None) -> list[Event]:
    """Press a button of the question on screen: c=choice/point, t=toggle, d=done,
    k=don't know, n=continue after a note, s=skip, b=back."""
    expect = "edit" if action == "t" else "message"  # a toggle only redraws the ticks
    return await press(phone, data=sv_data(phone, action, arg), expect=expect)


def start_button_message(phone: Phone) -> ChatMessage:
    """The newest message with a Start/Continue button (an invitation or a nudge)."""
    for message in reversed(phone.messages):
        if any(d.startswith("sv:") and d.endswith(":go") for row in _rows(message) for d in row):
            return message
    raise AssertionError(f"no Start button in the chat:\n{phone.transcript()}")


def go_button(message: Event | ChatMessage) -> str:
    """The data of the Start/Continue button of an invitation, a nudge or the /surveys list."""
    datas = [d for row in _rows(message) for d in row]
    [data] = [d for d in datas if d.startswith("sv:") and d.endswith(":go")]
    return data


async def open_invitation(phone: Phone) -> tuple[Event, list[Event]]:
    """Read the invitation that ``tick`` sent and press its Start button."""
    invitation = only_message(await settle(phone))
    events = await press(phone, data=go_button(invitation), expect="edit")
    return invitation, events


async def pulse_campaign(world: LocalWorld, clock: ManualClock, *phones: Phone) -> None:
    """Send partner_feedback to everyone now (outside quiet hours) and check it arrived."""
    launched = await launch(world, clock, PULSE)
    assert launched.invited == len(phones)
    report = await run_tick(world)
    assert report.sent == len(phones), report


async def answer_pulse(phone: Phone, *, satisfaction: int = 4) -> None:
    """Answer every partner_feedback question shown, from the one on screen to the end."""
    await tap(phone, "c", satisfaction)
    if satisfaction <= 2:
        await say(phone, "Payments came two months late.")
    await tap(phone, "c", 3)  # communication
    await tap(phone, "c", 1)  # consulted: often
    await tap(phone, "c", 0)  # payments: on time
    await tap(phone, "c", 4)  # credit
    await say(phone, "Share the budget with us earlier.")  # improve
    events = await tap(phone, "s")  # confidential: skipped
    assert THANKS in shown(events)


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


# ------------------------------------------------------------------------------ 10. campaign


async def test_campaign_with_quiet_hours_nudges_stop_and_closing(database_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(database_url, clock) as world:
        silent = await partner(world, clock, 5001, name="Silent")
        finisher = await partner(world, clock, 5002, name="Finisher")
        stopped = await partner(world, clock, 5003, name="Stopped")
        halfway = await partner(world, clock, 5004, name="Halfway")
        late_stop = await partner(world, clock, 5005, name="LateStop")
        paused = await partner(world, clock, 5006, name="Paused")
        phones = [silent, finisher, stopped, halfway, late_stop, paused]
        await command(stopped, "stop")
        admin = world.sandbox.user(ADMIN_ID, first_name="Ada")
        await command(admin, "start")

        def counts() -> list[int]:
            return [sum(1 for e in p.events if e.kind == "message") for p in phones]

        # 22:00 in Nairobi: staff send the pulse through the /send wizard.
        clock.set(datetime(2026, 3, 2, 19, 0, tzinfo=UTC))
        await command(admin, "send")
        await press(admin, "Partnership pulse")
        await press(admin, "All partners")
        confirm = only_message(await press(admin, "In 14 days"))
        assert "Recipients: 5 partners" in confirm.text
        assert "Skipped: 1 who stopped reminders, 0 who blocked the bot." in confirm.text
        sent = only_message(await press(admin, "Send now"))
        assert "invitations are going out to 5 partners now" in sent.text
        await asyncio.gather(*world.bot.application.bot_data.get("tasks", set()))
        async with world.db.sessions() as session:
            campaign = await session.scalar(select(Campaign))
            invites = list(await session.scalars(select(Delivery).order_by(Delivery.id)))
        assert campaign is not None and campaign.due_at == datetime(2026, 3, 16, 19, 0, tzinfo=UTC)
        assert len(invites) == 5  # the partner who used /stop gets no invitation
        morning = datetime(2026, 3, 3, 5, 0, tzinfo=UTC)  # 08:00 in Nairobi
        assert {(d.state, d.due_at) for d in invites} == {("pending", morning)}

        # Still quiet an hour later: nothing due, nothing sent. Late-stop uses /stop meanwhile.
        clock.set(datetime(2026, 3, 2, 20, 0, tzinfo=UTC))
        assert await run_tick(world) == TickReport()
        await command(late_stop, "stop")
        before = counts()

        clock.set(datetime(2026, 3, 3, 5, 30, tzinfo=UTC))  # 08:30 in Nairobi
        report = await run_tick(world)
        assert (report.sent, report.skipped, report.postponed) == (4, 1, 0)
        assert [n - b for n, b in zip(counts(), before, strict=True)] == [1, 1, 0, 1, 0, 1]
        for phone in (silent, finisher, halfway, paused):
            invitation = only_message(await settle(phone))
            assert "Partnership pulse" in invitation.text
            assert "Please answer by March 16, 2026." in invitation.text
        after = counts()
        assert await run_tick(world) == TickReport()  # a second tick sends nothing again
        assert counts() == after

        await press(finisher, data=go_button(start_button_message(finisher)), expect="edit")
        await answer_pulse(finisher)
        await press(halfway, data=go_button(start_button_message(halfway)), expect="edit")
        await tap(halfway, "c", 4)
        await press(paused, data=go_button(start_button_message(paused)), expect="edit")
        await tap(paused, "c", 3)
        assert "Survey paused." in only_message(await command(paused, "cancel")).text
        for phone in phones:
            await settle(phone)
        before = counts()

        # Three days on: the first nudge to those who have not finished (not to the finisher).
        clock.set(datetime(2026, 3, 6, 5, 30, tzinfo=UTC))
        report = await run_tick(world)
        # The partner who stopped reminders after launch is not even scheduled a nudge.
        assert (report.nudges_scheduled, report.sent, report.skipped) == (3, 3, 0)
        assert [n - b for n, b in zip(counts(), before, strict=True)] == [1, 0, 0, 1, 0, 1]
        nudge = only_message(await settle(silent))
        assert 'A friendly reminder: the survey "Partnership pulse" is waiting' in nudge.text
        assert nudge.buttons == [["Start the survey"]]
        assert only_message(await settle(halfway)).buttons == [["Continue the survey"]]
        assert only_message(await settle(paused)).buttons == [["Continue the survey"]]
        assert (await run_tick(world)).sent == 0
        assert (await response_of(world, 5001)).nudges_sent == 1

        # The second nudge falls due in quiet hours (21:30 in Nairobi): postponed to 08:00.
        before = counts()
        clock.set(datetime(2026, 3, 9, 18, 30, tzinfo=UTC))
        report = await run_tick(world)
        assert (report.nudges_scheduled, report.sent, report.postponed) == (3, 0, 3)
        assert counts() == before
        clock.set(datetime(2026, 3, 10, 5, 0, tzinfo=UTC))
        report = await run_tick(world)
        assert report.sent == 3
        assert [n - b for n, b in zip(counts(), before, strict=True)] == [1, 0, 0, 1, 0, 1]
        assert (await run_tick(world)).sent == 0

        # Never a third nudge.
        before = counts()
        for moment in (
            datetime(2026, 3, 13, 6, 0, tzinfo=UTC),
            datetime(2026, 3, 16, 6, 0, tzinfo=UTC),
        ):
            clock.set(moment)
            report = await run_tick(world)
            assert (report.nudges_scheduled, report.sent) == (0, 0)
        assert counts() == before
        assert (await response_of(world, 5001)).nudges_sent == 2
        assert (await response_of(world, 5002)).nudges_sent == 0

        # Past the due date the campaign closes: started → partial, never started → expired.
        clock.set(datetime(2026, 3, 16, 19, 0, tzinfo=UTC))
        report = await run_tick(world)
        assert report.closed == [campaign.id]
        assert report.sent == 0
        statuses = [
            (await response_of(world, p.user_id)).status for p in phones if p is not stopped
        ]
        assert statuses == ["expired", "completed", "partial", "expired", "partial"]
        assert await run_tick(world) == TickReport()
        assert counts() == before
        async with world.db.sessions() as session:
            closed = await session.get(Campaign, campaign.id)
            assert closed is not None and closed.status == "closed"
            nudges = list(await session.scalars(select(Delivery).where(Delivery.kind == "nudge")))
        assert sorted(d.state for d in nudges) == ["sent"] * 6  # none for the stopped partner

        # The halfway partner's old nudge now says the survey is closed, and changes nothing.
        halfway_response = await response_of(world, 5004)
        before_press = await snapshot(world, halfway_response.id)
        events = await press(halfway, "Continue the survey", expect="callback_answer")
        assert notices(events) == [CLOSED]
        assert await snapshot(world, halfway_response.id) == before_press
        assert (
            "There is no survey waiting for you right now."
            in only_message(await command(halfway, "surveys")).text
        )


# ------------------------------------------------------------------------------ 11. figures


async def test_campaigns_shows_response_rate_figures(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phones = [await partner(world, clock, 5101 + i) for i in range(4)]
        await pulse_campaign(world, clock, *phones)
        done, started = phones[0], phones[1]
        await open_invitation(done)
        await answer_pulse(done)
        await open_invitation(started)
        await tap(started, "c", 3)

        admin = world.sandbox.user(ADMIN_ID, first_name="Ada")
        await command(admin, "start")
        listing = only_message(await command(admin, "campaigns"))
        async with world.db.sessions() as session:
            [figures] = await campaigns.figures(session)
        # "started" counts everyone who began, finished or not: here one of each.
        assert (figures.recipients, figures.sent, figures.started, figures.completed) == (
            4,
            4,
            2,
            1,
        )
        assert figures.response_rate == 0.25
        assert listing.text == (
            "Campaigns (newest first):\n\n"
            f"#{figures.campaign.id} Partnership pulse (open, due Mar 16, 2026): "
            "sent 4 of 4, started 2, completed 1, response rate 25%"
        )
        # A partner cannot see the figures.
        await settle(phones[2])
        refused = only_message(await command(phones[2], "campaigns"))
        assert "Partnership pulse" not in refused.text and "25%" not in refused.text


# ------------------------------------------------------------------------------ 12. messages


async def test_a_pulse_survey_costs_at_most_nine_messages(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phone = await partner(world, clock, 5201)
        first = len(phone.events)
        await pulse_campaign(world, clock, phone)
        await open_invitation(phone)
        await answer_pulse(phone, satisfaction=2)  # the longest path: 8 questions
        events = phone.events[first:]
        new = [e for e in events if e.kind == "message"]
        assert len(new) <= 9, [e.text for e in new]
        assert go_button(new[0])  # the invitation (its edit becomes the first question)
        assert new[-1].text.startswith(THANKS)
        # Each of the 8 questions was put on screen once (an edit for the first, then a new
        # message each); no refusal, repeat or extra notice on the way.
        headers = [
            line
            for e in events
            if e.kind in ("message", "edit")
            for line in (e.text or "").split("\n")
            if line.startswith("Question ")
        ]
        # (the total grows from 7 to 8 when the low score reveals the follow-up question)
        assert headers == ["Question 1 of 7"] + [f"Question {n} of 8" for n in range(2, 9)]
        assert len(new) == 1 + 7 + 1
        rows = await answers_of(world, (await response_of(world, 5201)).id)
        assert len(rows) == 8
        assert world.sandbox.stats.http_429 == 0
