"""Issue item 6: logs hold no tokens, answers or names at any verbosity.

A whole session runs with logging set up by ``bot.logs.configure(verbose=True)`` and, worse than
``-v``, every library logger forced down to DEBUG afterwards (as a stray ``setLevel`` would):
an admin creates an organisation and an invitation, a partner with a distinctive name joins
with it, answers a survey with a distinctive free text, and the admin reads the summary. Every
record written through the configured handler is then searched for the secrets.

So that the search is not vacuous, a raw handler ahead of ours counts (without keeping) the
records in which a secret did appear *before* the filter: the session must have produced such
records, from the libraries, and ours must have written DEBUG records too.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot import logs
from bot.clock import ManualClock
from bot.devtools.local import SANDBOX_TOKEN
from bot.devtools.sandbox import Limits, Phone
from bot.devtools.sandbox.events import Event
from bot.dispatch import tick
from storage import campaigns
from tests.e2e import (
    ADMIN_ID,
    command_and_wait,
    press_and_wait,
    say_and_wait,
    settle,
    world_for,
)

START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday, 10:00 in Nairobi
PARTNER_ID = 880001
FIRST_NAME = "Zawadi"
LAST_NAME = "Mwangaza-Q7"
USERNAME = "zawadi_private_q7"
ADMIN_NAME = "Grace Okonkwo-W4"
ORG_NAME = "Ushirika Kilimo ZQ-88"
ANSWER = "my phone is +254 700 123 456 UNIQUE-ANSWER-XYZ"
WRONG = "Grants came late, ask Baraka SECOND-ANSWER-KQ"
LIBRARIES = ("telegram", "httpx", "httpcore", "aiohttp", "sqlalchemy.engine", "aiosqlite")
FORCED = sorted({*LIBRARIES, *logs.LIBRARY_CAPS})  # every logger configure touched, too


class Capture(logging.Handler):
    """Keeps every record that reaches it (after the privacy filter) and its formatted text."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter(logs.FORMAT))
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))


class RawCounter(logging.Handler):
    """Ahead of the filter: counts records by (logger root, level) and those holding a secret."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.secrets: list[str] = []
        self.by_source: Counter[tuple[str, int]] = Counter()
        self.leaky: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.by_source[(record.name.split(".")[0], record.levelno)] += 1
        try:
            text = record.getMessage()
        except Exception:
            return
        if any(secret in text for secret in self.secrets):
            self.leaky[record.name] += 1


@pytest.fixture
def logging_at_its_worst() -> Iterator[tuple[Capture, RawCounter]]:
    root = logging.getLogger()
    old_level = root.level
    raw = RawCounter()
    root.addHandler(raw)  # before ours: it sees records as the libraries made them
    capture = Capture()
    logs.configure(verbose=True, handlers=[capture], secrets=())
    for name in FORCED:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield capture, raw
    finally:
        logs.reset()
        for name in FORCED:
            logging.getLogger(name).setLevel(logging.NOTSET)
        root.removeHandler(raw)
        root.setLevel(old_level)


def _buttons(message: object) -> list[str]:
    markup = getattr(message, "reply_markup", None) or {}
    return [
        b["callback_data"]
        for row in markup.get("inline_keyboard", [])
        for b in row
        if "callback_data" in b
    ]


def _survey_button(phone: Phone, action: str, arg: object = None) -> str:
    """The data of the current question's button ``sv:…:action[:arg]``."""
    for message in reversed(phone.messages):
        datas = [d for d in _buttons(message) if d.startswith("sv:")]
        for data in datas:
            parts = data.split(":")
            if parts[3] == action and (
                (arg is None and len(parts) == 4) or (len(parts) == 5 and parts[4] == str(arg))
            ):
                return data
        if any(not d.endswith(":go") for d in datas):
            break  # the newest question does not have it
    raise AssertionError(f"no button {action}:{arg}:\n{phone.transcript()}")


async def _tap(phone: Phone, action: str, arg: object = None) -> list[Event]:
    return await press_and_wait(phone, data=_survey_button(phone, action, arg))


def _shown(events: list[Event]) -> str:
    return "\n".join(e.content or "" for e in events)


async def test_a_whole_session_at_debug_logs_no_token_answer_or_name(
    sqlite_url: str, logging_at_its_worst: tuple[Capture, RawCounter]
) -> None:
    capture, raw = logging_at_its_worst
    clock = ManualClock(START)
    async with world_for(
        sqlite_url,
        clock=clock,
        tick_seconds=0,
        limits=Limits(chat_enabled=False),
        chat_burst=1000,
        privacy_threshold=1,  # one answer is enough for the summary to quote it
    ) as world:
        raw.secrets = [SANDBOX_TOKEN, FIRST_NAME, ORG_NAME, "UNIQUE-ANSWER-XYZ"]

        # the admin creates the organisation and an invitation with the wizard
        admin = world.sandbox.user(ADMIN_ID, first_name=ADMIN_NAME, language_code="en")
        await command_and_wait(admin, "start")
        await command_and_wait(admin, "invite")
        await press_and_wait(admin, "+ New organisation")
        await say_and_wait(admin, ORG_NAME)
        await say_and_wait(admin, "Kenya")
        await press_and_wait(admin, "Skip", count=2)
        await press_and_wait(admin, "1")
        events = await press_and_wait(admin, "7 days")
        link = [line for line in _shown(events).split() if "?start=" in line]
        assert len(link) == 1, _shown(events)
        token = link[0].split("?start=", 1)[1].rstrip(".")
        assert len(token) >= 22
        raw.secrets.append(token)

        # the partner joins with it and lets reports name their organisation
        partner = world.sandbox.user(
            PARTNER_ID,
            first_name=FIRST_NAME,
            last_name=LAST_NAME,
            username=USERNAME,
            language_code="en",
        )
        await command_and_wait(partner, "start", token)
        for data in (
            "ob:lang:en",
            "ob:consent:yes",
            "ob:tz:Africa/Nairobi",
            "ob:quiet:21:00-08:00",
            "ob:attr:yes",
        ):
            await press_and_wait(partner, data=data)

        # a survey reaches them; they answer it, typing two distinctive texts
        entry = world.services.surveys.get("partner_feedback")
        assert entry is not None
        survey, version_id = entry
        async with world.db.transaction() as session:
            await campaigns.launch(
                session,
                survey_id=survey.id,
                survey_version_id=version_id,
                audience_kind="all",
                audience_value=None,
                due_at=clock.now() + timedelta(days=14),
                created_by=None,
                now=clock.now(),
            )
        assert world.bot is not None
        assert (await tick(world.bot.application)).sent == 1
        await partner.wait(1, timeout=10)
        await settle(partner)
        await press_and_wait(partner, data=_survey_button(partner, "go"), expect="edit")
        await _tap(partner, "c", 2)  # dissatisfied: asks what went wrong
        await say_and_wait(partner, WRONG)
        await _tap(partner, "c", 3)  # communication
        await _tap(partner, "c", 1)  # consulted
        await _tap(partner, "c", 0)  # payments
        await _tap(partner, "c", 4)  # credit
        done = await say_and_wait(partner, ANSWER)  # improve
        if "All your answers are saved" not in _shown(done):
            done = await _tap(partner, "s")  # confidential: skipped
        assert "All your answers are saved" in _shown(done)
        await command_and_wait(partner, "mydata", expect=("message", "document"))

        # the admin reads the summary, which quotes the typed answer
        await command_and_wait(admin, "summary")
        await press_and_wait(admin, "Partnership pulse")
        await press_and_wait(admin, "This quarter")
        summary = await press_and_wait(admin, "All partners", expect=("message", "photo"), count=2)
        assert "UNIQUE-ANSWER-XYZ" in _shown(summary)  # it did travel through the bot

    secrets = {
        "bot token": SANDBOX_TOKEN,
        "bot token secret part": SANDBOX_TOKEN.split(":", 1)[1],
        "invite token": token,
        "first name": FIRST_NAME,
        "last name": LAST_NAME,
        "username": USERNAME,
        "admin name": ADMIN_NAME,
        "admin name part": "Okonkwo",
        "organisation": ORG_NAME,
        "organisation part": "Ushirika",
        "answer": ANSWER,
        "answer part": "UNIQUE-ANSWER-XYZ",
        "phone number": "700 123 456",
        "other answer": "SECOND-ANSWER-KQ",
        "name in an answer": "Baraka",
    }
    leaks: list[str] = []
    for record, line in zip(capture.records, capture.lines, strict=True):
        texts = [line, record.getMessage(), repr(record.args), record.exc_text or ""]
        texts.append(record.stack_info or "")
        for label, secret in secrets.items():
            if any(secret.lower() in text.lower() for text in texts):
                leaks.append(f"{label} in {record.name} {record.levelname}: {line[:300]}")
    assert not leaks, "\n".join(leaks)

    # not vacuous: the libraries did write these secrets into records, at DEBUG and above ...
    assert raw.leaky, "no raw record held a secret: the session did not exercise the logs"
    assert any(name.startswith("telegram") for name in raw.leaky), raw.leaky
    assert raw.by_source[("telegram", logging.DEBUG)] > 0
    # (The bot's HTTP client is aiohttp, whose client logs no request lines; the webhook
    # server keeps no access log. httpx, which did log URLs with the token, is no longer used.)
    # ... and ours kept writing: our DEBUG records and the libraries' INFO ones came through
    written = Counter((r.name.split(".")[0], r.levelno) for r in capture.records)
    assert written[("bot", logging.DEBUG)] > 0, written
    assert written[("telegram", logging.INFO)] > 0, written
    assert written[("telegram", logging.DEBUG)] == 0, written


# ------------------------------------------------------------------------------ the filter


def _through_filter(logger: str, level: int, msg: str, *args: object, **kw: object) -> str | None:
    """Make a record as ``logging`` would, pass it through the filter, return the output."""
    record = logging.getLogger(logger).makeRecord(
        logger, level, "x.py", 1, msg, args, kw.get("exc_info"), None, None, None
    )  # type: ignore[arg-type]
    if not logs.PrivacyFilter().filter(record):
        return None
    return logging.Formatter("%(message)s").format(record)


def test_bot_tokens_are_redacted_wherever_they_appear() -> None:
    token = "123456789:AAHf3kQ9-zx_Lm0PqRsTuVwXyZaBcDeFgHi"
    for text in (
        f"token {token} rejected",
        f"POST https://api.telegram.org/bot{token}/getUpdates",
        f"GET /file/bot{token}/photos/1.jpg",
        f"http://127.0.0.1:8081/bot{SANDBOX_TOKEN}/sendMessage",
    ):
        out = _through_filter("bot.x", logging.INFO, "%s", text)
        assert out is not None
        assert "AAHf3kQ9" not in out and "sandbox-token" not in out, out
        assert "<redacted>" in out
    assert "<redacted>" in _through_filter("httpx", logging.WARNING, f"url {token}")  # type: ignore[operator]
    # the brief's pattern: digits, a colon, 30+ URL-safe characters
    assert logs.redact("1234567:" + "a" * 35) == "<redacted>"


def test_invite_links_payloads_and_registered_secrets_are_redacted() -> None:
    invite = "Xq3_vR8kLm2NpT5sWz9-aB4cDe"
    out = logs.redact(f"link https://t.me/some_bot?start={invite} and /start {invite}.")
    assert invite not in out and out.count("<redacted>") == 2, out
    assert logs.redact(f"random {invite} here") == "random <redacted> here"
    logs.protect("plainlowercasewebhooksecret")
    assert logs.redact("secret=plainlowercasewebhooksecret") == "secret=<redacted>"
    # identifiers and paths stay readable
    kept = "PerChatUpdateProcessor in /work/main/bot/surveys/answering.py partner_feedback_v2"
    assert logs.redact(kept) == kept


def test_library_records_are_capped_and_lose_their_payloads() -> None:
    update = {"message": {"text": "/start SECRET", "from": {"first_name": "Zawadi"}}}
    assert _through_filter("telegram.ext.Application", logging.DEBUG, "Processing %s", 1) is None
    assert _through_filter("httpx", logging.INFO, "HTTP Request: %s", "x") is None
    assert _through_filter("sqlalchemy.engine.Engine", logging.INFO, "[params] %s", 1) is None
    assert _through_filter("aiohttp.access", logging.INFO, "GET / 200") is None
    assert _through_filter("some.library", logging.DEBUG, "hello") is None
    assert _through_filter("some.library", logging.INFO, "hello") == "hello"
    out = _through_filter(
        "telegram.ext.Application",
        logging.CRITICAL,
        "Error while building CallbackContext for update %s. Update will not be processed.",
        update,
    )
    assert out is not None and "Zawadi" not in out and "<withheld>" in out
    out = _through_filter("telegram.ext._utils", logging.CRITICAL, "Received data was %r", update)
    assert out is not None and "Zawadi" not in out
    out = _through_filter("telegram.request", logging.ERROR, 'Can not load "%s"', "Zawadi")
    assert out == 'Can not load "Zawadi"'  # a plain string in an unknown template stays
    out = _through_filter("telegram.request", logging.ERROR, 'Can not load invalid JSON "%s"', "Zw")
    assert out == 'Can not load invalid JSON "<withheld>"'
    out = _through_filter("asyncio", logging.ERROR, "Task exception\nfuture: <Task exc=Zawadi>")
    assert out == "Task exception"
    # our own loggers go down to DEBUG and keep their (plain) arguments
    assert _through_filter("bot.handlers.x", logging.DEBUG, "user %s in %s", 42, "sv") == (
        "user 42 in sv"
    )


def test_exceptions_keep_their_traceback_but_not_messages_built_from_data() -> None:
    from telegram.error import BadRequest

    try:
        try:
            int(ANSWER)
        except ValueError as err:
            raise RuntimeError(f"could not store {FIRST_NAME}'s answer") from err
    except RuntimeError as err:
        caught = err
    out = _through_filter(
        "bot.handlers.errors",
        logging.ERROR,
        "failed",
        exc_info=(type(caught), caught, caught.__traceback__),
    )
    assert out is not None
    assert "UNIQUE" not in out and FIRST_NAME not in out
    assert "ValueError: <withheld>" in out and "RuntimeError: <withheld>" in out
    assert "direct cause" in out and "test_logs_private.py" in out  # where, not what
    # a Telegram error's message comes from the server: kept (tokens still redacted)
    out = _through_filter(
        "bot.sending", logging.INFO, "dropped: %s", BadRequest("Query is too old")
    )
    assert out == "dropped: telegram.error.BadRequest: Query is too old"
    out = _through_filter("bot.x", logging.INFO, "failed: %s", ValueError(ANSWER))
    assert out == "failed: ValueError: <withheld>"


def test_configure_caps_library_loggers_and_opens_ours() -> None:
    capture = Capture()
    try:
        logs.configure(verbose=True, handlers=[capture], secrets=())
        assert logging.getLogger().level == logging.DEBUG
        assert logging.getLogger("bot.surveys.answering").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("telegram.ext.Application").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("telegram._bot").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
        assert not logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.INFO)
        assert any(isinstance(f, logs.PrivacyFilter) for f in capture.filters)
        logs.configure(verbose=False, handlers=[capture], secrets=())  # again: replaces
        assert logging.getLogger().handlers.count(capture) == 1
        assert not logging.getLogger("bot").isEnabledFor(logging.DEBUG)
    finally:
        logs.reset()


def test_describe_update_gives_ids_and_kinds_never_content() -> None:
    from telegram import CallbackQuery, Chat, Message, Update, User

    user = User(PARTNER_ID, FIRST_NAME, False, last_name=LAST_NAME, username=USERNAME)
    chat = Chat(PARTNER_ID, "private", first_name=FIRST_NAME)

    def message(text: str | None) -> Update:
        return Update(7, message=Message(3, START, chat, from_user=user, text=text))

    token = "Xq3_vR8kLm2NpT5sWz9-aB4cDe"
    assert logs.describe_update(message(f"/start {token}"), commands={"start"}) == (
        f"update 7 from user {PARTNER_ID} /start with an argument"
    )
    assert logs.describe_update(message("/zawadi"), commands={"start"}) == (
        f"update 7 from user {PARTNER_ID} a command"
    )
    assert logs.describe_update(message(ANSWER)) == (
        f"update 7 from user {PARTNER_ID} text of {len(ANSWER)} characters"
    )
    assert logs.describe_update(message(None)).endswith(" other message")
    query = CallbackQuery("q1", user, "inst", data="ob:tz:Africa/Nairobi")
    assert logs.describe_update(Update(8, callback_query=query)) == (
        f"update 8 from user {PARTNER_ID} button ob:tz"
    )
