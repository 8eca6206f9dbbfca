"""Issue 16 part 6: an error no handler caught becomes a notice to the admins, through the
sandbox over real HTTP: an error id that is also in the error's log record, the type and where,
no personal data; one notice per kind of error an hour, the next one counting those held back;
the partner still gets the polite reply; a notice that cannot be sent is logged, never looped.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest

from bot import error_reports, log_setup
from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import MESSAGE_KINDS, Phone
from bot.people import help as help_module
from tests.e2e import ADMIN_ID, command_and_wait, make_invite, onboard_and_wait, world_for
from tests.log_secrets import START

PARTNER_ID = 880101
PARTNER_NAME = "Zawadi-Q9"
TYPED = "PRIVATE-TYPED-TEXT-77"
SORRY = "Sorry, something went wrong on our side."
NOTICE_ID = re.compile(r"Error id: ([0-9a-f]{8})\.")


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Everything logged during the test, as the json format writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(log_setup.formatter("json"))
    log_setup.configure(handlers=[handler], secrets=())
    try:
        yield stream
    finally:
        log_setup.reset()


def records(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def notices_sent(world: LocalWorld) -> None:
    """Wait for the notices on their way (they go from a task of their own)."""
    assert world.bot is not None
    await asyncio.gather(*world.bot.application.bot_data.get("tasks", set()))


def no_messages(phone: Phone) -> bool:
    return not [e for e in phone.pending if e.kind in MESSAGE_KINDS]


async def fail_once(world: LocalWorld, partner: Phone) -> None:
    """The partner sends /help with words; they get the polite reply the bot gives today."""
    events = await command_and_wait(partner, "help", TYPED)
    assert any(SORRY in (e.content or "") for e in events), partner.transcript()
    await notices_sent(world)


def error_record(stream: io.StringIO, error_id: str) -> dict[str, Any]:
    [found] = [r for r in records(stream) if r.get("error_id") == error_id and "exc_type" in r]
    return found


async def _people(world: LocalWorld) -> tuple[Phone, Phone]:
    admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
    await command_and_wait(admin, "help")  # the admin has a chat with the bot
    token, _ = await make_invite(world.db, now=START)
    partner = await onboard_and_wait(world, PARTNER_ID, token, name=PARTNER_NAME)
    return admin, partner


async def test_admin_gets_one_notice_an_hour_per_kind_with_the_count_held_back(
    sqlite_url: str, json_log: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock(START)
    async with world_for(sqlite_url, clock=clock) as world:
        admin, partner = await _people(world)
        monkeypatch.setattr(help_module, "translator", _explode)

        await fail_once(world, partner)
        [notice] = await admin.wait(1, timeout=10)
        text = notice.content or ""
        first_id = NOTICE_ID.search(text).group(1)  # type: ignore[union-attr]
        assert "ValueError in bot.people.help.help_command:" in text
        for private in (PARTNER_NAME, TYPED, str(PARTNER_ID), "cannot help"):
            assert private not in text
        logged = error_record(json_log, first_id)  # the admin can find it in the log
        assert logged["exc_type"] == "ValueError" and first_id in logged["msg"]
        assert "help_command" in logged["traceback"]

        await fail_once(world, partner)  # the same error twice more within the hour
        await fail_once(world, partner)
        assert no_messages(admin), admin.transcript()
        counted = [r for r in records(json_log) if "counted for the next notice" in r["msg"]]
        assert len(counted) == 2

        clock.advance(minutes=61)
        await fail_once(world, partner)
        [later] = await admin.wait(1, timeout=10)
        later_text = later.content or ""
        later_id = NOTICE_ID.search(later_text).group(1)  # type: ignore[union-attr]
        assert later_id != first_id and error_record(json_log, later_id)
        assert "It also happened 2 more times since the last notice of this error." in later_text
        assert no_messages(admin)

        everything = json_log.getvalue() + admin.transcript()
        assert PARTNER_NAME not in everything and TYPED not in everything


def _explode(lang: str | None) -> Any:
    raise ValueError(f"cannot help {PARTNER_NAME}, who typed {TYPED}")


async def test_a_notice_that_cannot_be_sent_is_logged_and_not_reported(
    sqlite_url: str, json_log: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second admin never wrote to the bot: Telegram refuses the notice to them; the first
    admin still gets theirs, and the failure is a log line, not another error notice."""
    silent_admin = 500777
    clock = ManualClock(START)
    async with world_for(sqlite_url, clock=clock, admins=[silent_admin, ADMIN_ID]) as world:
        admin, partner = await _people(world)
        monkeypatch.setattr(help_module, "translator", _explode)

        await fail_once(world, partner)
        [notice] = await admin.wait(1, timeout=10)
        error_id = NOTICE_ID.search(notice.content or "").group(1)  # type: ignore[union-attr]
        failed = [
            r
            for r in records(json_log)
            if r["msg"] == f"could not send the notice of error {error_id} to admin {silent_admin}"
        ]
        assert len(failed) == 1 and failed[0]["level"] == "WARNING"
        assert failed[0]["exc_type"].startswith("telegram.error.")
        errors = [r for r in records(json_log) if r["level"] == "ERROR" and "exc_type" in r]
        assert [r["error_id"] for r in errors] == [error_id]  # no error about the notice
        assert no_messages(admin)


async def test_an_error_while_notifying_is_never_reported(sqlite_url: str) -> None:
    async with world_for(sqlite_url) as world:
        assert world.bot is not None
        application = world.bot.application
        token = error_reports._notifying.set(True)
        try:
            assert not error_reports.report(application, ValueError("x"), error_id="00000000")
        finally:
            error_reports._notifying.reset(token)
        assert error_reports.report(application, ValueError("x"), error_id="00000001")
        await asyncio.gather(*application.bot_data.get("tasks", set()))
