"""Issue item 6: logs hold no tokens, answers or names at any verbosity.

A whole session runs with logging set up by ``bot.log_setup.configure(verbose=True)`` and, worse than
``-v``, every library logger forced down to DEBUG afterwards (as a stray ``setLevel`` would):
an admin creates an organisation and an invitation, a partner with a distinctive name joins
with it, answers a survey with a distinctive free text, and the admin reads the summary. Every
record written through the configured handler is then searched for the secrets.

So that the search is not vacuous, a raw handler ahead of ours counts (without keeping) the
records in which a secret did appear *before* the filter: the session must have produced such
records, from the libraries, and ours must have written DEBUG records too.

Exceptions keep their traceback (where) but not messages built from data (what): checked
here, as the traceback names this file. The rest of the privacy filter on single records is
tested in ``test_logs_filter.py``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot import log_setup
from bot.clock import ManualClock
from bot.devtools.local import SANDBOX_TOKEN
from bot.devtools.sandbox import Limits, Phone
from bot.devtools.sandbox.events import Event
from bot.dispatch import tick
from storage import campaigns
from tests.e2e import ADMIN_ID, command_and_wait, press_and_wait, say_and_wait, settle, world_for
from tests.log_secrets import (
    ADMIN_NAME,
    ANSWER,
    FIRST_NAME,
    FORCED,
    LAST_NAME,
    ORG_NAME,
    PARTNER_ID,
    START,
    USERNAME,
    WRONG,
    Capture,
    RawCounter,
    _through_filter,
)


@pytest.fixture
def logging_at_its_worst() -> Iterator[tuple[Capture, RawCounter]]:
    root = logging.getLogger()
    old_level = root.level
    raw = RawCounter()
    root.addHandler(raw)  # before ours: it sees records as the libraries made them
    capture = Capture()
    log_setup.configure(verbose=True, handlers=[capture], secrets=())
    for name in FORCED:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield capture, raw
    finally:
        log_setup.reset()
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
