"""The update inbox end to end: what a crashed run received but did not apply is applied at the
next start, once; an update applied already is not applied again; one that keeps failing to
be applied is left alone after a few starts."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from bot.devtools.local import LocalWorld
from storage import inbox
from storage.models import InboxUpdate, ProcessedUpdate
from tests.e2e import settle, world_for

HELP_WORDS = "/start"


def help_update(update_id: int, user_id: int) -> dict[str, Any]:
    """A /help message as Telegram would have sent it to a run that then crashed."""
    person = {"id": user_id, "is_bot": False, "first_name": "Amina", "language_code": "en"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Amina"},
            "from": person,
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }


async def _rows(world: LocalWorld) -> tuple[list[int], list[int]]:
    async with world.db.sessions() as session:
        waiting = list(await session.scalars(select(InboxUpdate.update_id)))
        applied = list(await session.scalars(select(ProcessedUpdate.update_id)))
    return waiting, applied


async def test_an_update_stored_before_a_crash_is_applied_at_the_next_start(
    sqlite_url: str,
) -> None:
    async with world_for(sqlite_url) as world:
        phone = world.sandbox.user(7101, first_name="Amina")
        await phone.send_command("help")  # the chat exists
        assert HELP_WORDS in (await phone.reply()).text
        await world.stop_bot()  # the "crashed" run: it had stored the next update, no more
        update_id = 2_000_000_001
        await inbox.store(world.db, [(update_id, help_update(update_id, 7101))], _now(world))
        await world.start_bot()
        reply = await phone.reply()
        assert HELP_WORDS in reply.text
        await settle(phone)  # a read-only update is claimed when it ends, after its reply
        waiting, applied = await _rows(world)
        assert update_id not in waiting  # left the inbox with the claim, in one transaction
        assert update_id in applied


async def test_an_update_applied_already_is_not_applied_again(sqlite_url: str) -> None:
    """Telegram re-sends what was not acknowledged: a run that applied an update and then
    crashed before its next getUpdates sees it again, stores it again, and drops it."""
    async with world_for(sqlite_url) as world:
        phone = world.sandbox.user(7102, first_name="Amina")
        await phone.send_command("help")
        first = await phone.reply()
        assert HELP_WORDS in first.text
        await settle(phone)
        _, applied = await _rows(world)
        [update_id] = applied
        await world.stop_bot()
        await inbox.store(world.db, [(update_id, help_update(update_id, 7102))], _now(world))
        await world.start_bot()
        await phone.send_command("help")  # a new update: its reply shows the replay is done
        second = await phone.reply()
        assert HELP_WORDS in second.text
        await settle(phone)
        assert len(phone.messages) == 2, phone.transcript()  # the replayed repeat said nothing
        waiting, _ = await _rows(world)
        assert waiting == []


async def test_an_update_replayed_too_often_is_left_alone(sqlite_url: str) -> None:
    async with world_for(sqlite_url) as world:
        await world.stop_bot()
        update_id = 2_000_000_003
        await inbox.store(world.db, [(update_id, help_update(update_id, 7103))], _now(world))
        for _ in range(inbox.MAX_REPLAYS):  # starts that died while applying it
            payloads, given_up = await inbox.take_waiting(world.db)
            assert [p["update_id"] for p in payloads] == [update_id] and given_up == []
        payloads, given_up = await inbox.take_waiting(world.db)
        assert payloads == [] and given_up == [update_id]
        assert await inbox.waiting_count(world.db) == 1  # kept for a look, not handed over


def _now(world: LocalWorld) -> Any:
    from bot.clock import Clock

    return (world.clock or Clock()).now()
