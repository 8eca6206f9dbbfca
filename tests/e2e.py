"""Helpers for end-to-end tests: the real bot, the sandbox over HTTP, a throwaway database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.devtools.local import LocalWorld, local_world
from bot.devtools.sandbox import MESSAGE_KINDS, Event, Limits, Phone
from storage import invites, organisations
from storage.db import Database

QUIET = 0.15
ADMIN_ID = 500001


@asynccontextmanager
async def world_for(
    database_url: str,
    *,
    clock: Clock | None = None,
    limits: Limits | None = None,
    **settings: Any,
) -> AsyncIterator[LocalWorld]:
    settings.setdefault("admins", [ADMIN_ID])
    async with local_world(database_url, clock=clock, limits=limits, **settings) as world:
        yield world


def texts(events: list[Event]) -> list[str]:
    return [e.content or "" for e in events if e.kind in ("message", "photo", "document")]


def joined(events: list[Event]) -> str:
    return "\n".join(e.content or "" for e in events)


async def settle(phone: Phone, quiet: float = QUIET) -> list[Event]:
    return await phone.settle(quiet=quiet, timeout=10)


async def command(phone: Phone, name: str, args: str = "") -> list[Event]:
    await phone.send_command(name, args)
    return await settle(phone)


async def say(phone: Phone, text: str) -> list[Event]:
    await phone.send_text(text)
    return await settle(phone)


async def press(phone: Phone, text: str | None = None, *, data: str | None = None) -> list[Event]:
    if data is not None:
        await phone.press(data=data)
    else:
        await phone.press(text)
    return await settle(phone)


async def make_invite(
    db: Database,
    *,
    org_name: str = "Hope RLO",
    country: str | None = "KE",
    uses: int = 1,
    days: int = 14,
    role: str = "partner",
    now: Any = None,
    tags: list[str] | None = None,
) -> tuple[str, int | None]:
    """An invitation made directly in storage (the staff wizard has its own test)."""
    from datetime import UTC, datetime

    now = now or datetime.now(UTC)
    async with db.transaction() as session:
        org_id = None
        if role == "partner":
            org = await organisations.create(
                session, name=org_name, country=country, tags=tags or [], now=now
            )
            org_id = org.id
        created = await invites.create(
            session,
            role=role,
            organisation_id=org_id,
            max_uses=uses,
            valid_for=timedelta(days=days),
            created_by=None,
            now=now,
        )
    return created.token, org_id


async def onboard(
    world: LocalWorld,
    user_id: int,
    token: str,
    *,
    language: str = "en",
    name: str = "Partner",
    zone: str = "Africa/Nairobi",
) -> Phone:
    """Take a partner through onboarding with the buttons, as a person would."""
    phone = world.sandbox.user(user_id, first_name=name, language_code=language)
    await phone.start(token)
    await settle(phone)
    await press(phone, data=f"ob:lang:{language}")
    await press(phone, data="ob:consent:yes")
    await press(phone, data=f"ob:tz:{zone}")
    await press(phone, data="ob:quiet:21:00-08:00")
    await press(phone, data="ob:attr:no")
    return phone


# Waiting helpers. ``settle`` alone returns once the bot has been quiet for QUIET seconds, so on
# a busy machine it can return before a slow handler has answered at all; these first wait for
# the reply the test expects (``count`` events of the ``expect`` kinds), then settle.


async def settle_after(
    phone: Phone,
    *,
    expect: str | tuple[str, ...] = MESSAGE_KINDS,
    count: int = 1,
    timeout: float = 10,
) -> list[Event]:
    first = await phone.wait(count, kinds=expect, timeout=timeout)
    rest = await settle(phone)
    return sorted([*first, *rest], key=lambda e: e.index)


async def command_and_wait(
    phone: Phone,
    name: str,
    args: str = "",
    *,
    expect: str | tuple[str, ...] = MESSAGE_KINDS,
    count: int = 1,
) -> list[Event]:
    await phone.send_command(name, args)
    return await settle_after(phone, expect=expect, count=count)


async def say_and_wait(
    phone: Phone, text: str, *, expect: str | tuple[str, ...] = MESSAGE_KINDS, count: int = 1
) -> list[Event]:
    await phone.send_text(text)
    return await settle_after(phone, expect=expect, count=count)


async def press_and_wait(
    phone: Phone,
    text: str | None = None,
    *,
    data: str | None = None,
    expect: str | tuple[str, ...] = MESSAGE_KINDS,
    count: int = 1,
) -> list[Event]:
    if data is not None:
        await phone.press(data=data)
    else:
        await phone.press(text)
    return await settle_after(phone, expect=expect, count=count)


async def onboard_and_wait(
    world: LocalWorld,
    user_id: int,
    token: str,
    *,
    language: str = "en",
    name: str = "Partner",
    zone: str = "Africa/Nairobi",
) -> Phone:
    """``onboard``, waiting for each of the bot's questions before answering it."""
    phone = world.sandbox.user(user_id, first_name=name, language_code=language)
    await command_and_wait(phone, "start", token)
    await press_and_wait(phone, data=f"ob:lang:{language}")
    await press_and_wait(phone, data="ob:consent:yes")
    await press_and_wait(phone, data=f"ob:tz:{zone}")
    await press_and_wait(phone, data="ob:quiet:21:00-08:00")
    await press_and_wait(phone, data="ob:attr:no")
    return phone
