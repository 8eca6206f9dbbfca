"""Shared helpers of the onboarding end-to-end tests (``test_e2e_onboarding*.py``,
``test_e2e_self_service.py``, ``test_e2e_roles.py``): a quick sandbox world, the command menus
expected per role, and look-ups of what was stored.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import MESSAGE_KINDS, Event, Limits, Phone
from bot.i18n import FSI, PDI, RLM, translator
from storage import invites
from storage.db import Database
from storage.models import AuditEntry, ChatFlow, Contact, Invite
from tests.e2e import ADMIN_ID, world_for
from tests.e2e import command_and_wait as command

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
LINK = re.compile(r"https://t\.me/partner_sandbox_bot\?start=([A-Za-z0-9_-]+)")
PICKER = ["English", "Français", "Español", "العربية", "Kiswahili"]
UNKNOWN = "Sorry, I don't know that command. Send /help to see what I can do."
EXPIRED_BUTTON = "This button is no longer active. Send /help to see what you can do."
STAFF_AND_ADMIN_COMMANDS = [
    ("invite", ""),
    ("invites", ""),
    ("staff", ""),
    ("staff", "add 1"),
    ("staff", "list"),
    ("audit", ""),
]
STRANGER_MENU = ["start", "help"]
PARTNER_MENU = [
    "surveys",
    "jpat",
    "meetings",
    "help",
    "cancel",
    "language",
    "timezone",
    "quiet",
    "privacy",
    "mydata",
    "forget",
    "stop",
    "resume",
]
STAFF_MENU = [
    *PARTNER_MENU,
    "send",
    "campaigns",
    "partnership",
    "meeting",
    "summary",
    "pending",
    "export",
    "share",
    "invite",
    "invites",
]
ADMIN_MENU = [*STAFF_MENU, "staff", "audit"]


# ------------------------------------------------------------------------------ helpers


def quick_world(database_url: str, clock: ManualClock | None = None) -> Any:
    """A world without the per-chat pacing: these tests hold long chats, and ``settle`` must
    not return while a paced message is still on its way."""
    return world_for(database_url, clock=clock, limits=Limits(chat_enabled=False), chat_burst=1000)


def plain(text: str | None) -> str:
    """Text without the right-to-left mark and isolates the bot adds for Arabic."""
    return (text or "").replace(RLM, "").replace(FSI, "").replace(PDI, "")


def messages(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind in MESSAGE_KINDS]


def edits(events: list[Event]) -> list[str]:
    return [plain(e.text) for e in events if e.kind == "edit"]


def answers(events: list[Event]) -> list[str]:
    """Texts of callback answers that showed a notice (empty acknowledgements left out)."""
    return [plain(e.text) for e in events if e.kind == "callback_answer" and e.text]


def only_message(events: list[Event]) -> Event:
    found = messages(events)
    assert len(found) == 1, [e.content for e in found]
    return found[0]


def flat(buttons: list[list[str]]) -> list[str]:
    return [plain(label) for row in buttons for label in row]


def t(lang: str, message: str, **values: object) -> str:
    """The catalog's text, without bidi marks (compare with ``plain``)."""
    return plain(translator(lang)(message, **values))


async def contact_of(db: Database, user_id: int) -> Contact | None:
    async with db.sessions() as session:
        return await session.scalar(select(Contact).where(Contact.telegram_user_id == user_id))


async def flow_of(db: Database, user_id: int) -> ChatFlow | None:
    async with db.sessions() as session:
        return await session.get(ChatFlow, user_id)


async def invite_row(db: Database, invite_id: int) -> Invite:
    async with db.sessions() as session:
        invite = await session.get(Invite, invite_id)
        assert invite is not None
        return invite


async def invite_for(db: Database, token: str) -> Invite:
    async with db.sessions() as session:
        invite = await invites.find(session, token)
        assert invite is not None
        return invite


async def audit_of(db: Database, actor: int) -> list[AuditEntry]:
    async with db.sessions() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.actor_telegram_id == actor).order_by(AuditEntry.id)
        )
        return list(rows)


async def count(db: Database, model: type) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def contacts_besides_admin(db: Database) -> int:
    """Contacts other than the configured admins (who are staff from start-up)."""
    async with db.sessions() as session:
        query = (
            select(func.count())
            .select_from(Contact)
            .where(Contact.telegram_user_id.is_distinct_from(ADMIN_ID))
        )
        return int(await session.scalar(query) or 0)


async def assert_nothing_stored(db: Database, user_id: int) -> None:
    assert await contact_of(db, user_id) is None, f"a contacts row for {user_id}"
    assert await flow_of(db, user_id) is None, f"a chat_flows row for {user_id}"


def menu(phone: Phone) -> list[str]:
    return [c["command"] for c in phone.commands]


def menu_text(phone: Phone) -> dict[str, str]:
    return {c["command"]: plain(c["description"]) for c in phone.commands}


async def admin_phone(world: LocalWorld, lang: str = "en") -> Phone:
    admin = world.sandbox.user(ADMIN_ID, first_name="Ada", language_code=lang)
    await command(admin, "start")
    return admin


def mydata_text(events: list[Event]) -> str:
    [document] = [e for e in events if e.kind == "document"]
    assert document.file is not None and document.file.data is not None
    assert document.file.filename == "my-data.txt"
    return document.file.data.decode("utf-8")
