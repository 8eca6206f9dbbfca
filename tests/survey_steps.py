"""Shared helpers of the survey end-to-end tests (``test_e2e_survey_*.py`` and others): a
sandbox world with time under the test's control (``ManualClock`` and explicit ``tick`` calls:
``tick_seconds=0`` turns the periodic job off), partners, campaigns, and the steps of answering
a survey in chat (tap, press, say, open the invitation, answer the pulse).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import MESSAGE_KINDS, Event, Limits, Phone
from bot.devtools.sandbox.events import ChatMessage
from bot.dispatch import TickReport, tick
from bot.i18n import FSI, PDI, RLM, translator
from storage import campaigns
from storage.models import AnswerRow, Contact, Response
from tests.e2e import QUIET, make_invite, settle, world_for

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
