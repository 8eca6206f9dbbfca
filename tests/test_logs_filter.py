"""Issue item 6: the log privacy filter on single records: bot tokens, invite links, payloads
and registered secrets are redacted; library records are capped and lose their payloads;
``configure`` caps library loggers and opens ours; updates are described by ids and kinds,
never content. (Exceptions and their tracebacks: ``test_logs_private.py``.)
"""

from __future__ import annotations

import logging

from bot import log_formats, log_setup, logs
from bot.devtools.local import SANDBOX_TOKEN
from tests.log_secrets import (
    ANSWER,
    FIRST_NAME,
    LAST_NAME,
    PARTNER_ID,
    START,
    USERNAME,
    Capture,
    _through_filter,
)

# ------------------------------------------------------------------------------ the filter


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


def test_configure_caps_library_loggers_and_opens_ours() -> None:
    capture = Capture()
    try:
        log_setup.configure(verbose=True, handlers=[capture], secrets=())
        assert logging.getLogger().level == logging.DEBUG
        assert logging.getLogger("bot.surveys.answering").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("telegram.ext.Application").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("telegram._bot").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
        assert not logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.INFO)
        assert any(isinstance(f, logs.PrivacyFilter) for f in capture.filters)
        log_setup.configure(verbose=False, handlers=[capture], secrets=())  # again: replaces
        assert logging.getLogger().handlers.count(capture) == 1
        assert not logging.getLogger("bot").isEnabledFor(logging.DEBUG)
    finally:
        log_setup.reset()


def test_describe_update_gives_ids_and_kinds_never_content() -> None:
    from telegram import CallbackQuery, Chat, Message, Update, User

    user = User(PARTNER_ID, FIRST_NAME, False, last_name=LAST_NAME, username=USERNAME)
    chat = Chat(PARTNER_ID, "private", first_name=FIRST_NAME)

    def message(text: str | None) -> Update:
        return Update(7, message=Message(3, START, chat, from_user=user, text=text))

    token = "Xq3_vR8kLm2NpT5sWz9-aB4cDe"
    assert log_formats.describe_update(message(f"/start {token}"), commands={"start"}) == (
        f"update 7 from user {PARTNER_ID} /start with an argument"
    )
    assert log_formats.describe_update(message("/zawadi"), commands={"start"}) == (
        f"update 7 from user {PARTNER_ID} a command"
    )
    assert log_formats.describe_update(message(ANSWER)) == (
        f"update 7 from user {PARTNER_ID} text of {len(ANSWER)} characters"
    )
    assert log_formats.describe_update(message(None)).endswith(" other message")
    query = CallbackQuery("q1", user, "inst", data="ob:tz:Africa/Nairobi")
    assert log_formats.describe_update(Update(8, callback_query=query)) == (
        f"update 8 from user {PARTNER_ID} button ob:tz"
    )
