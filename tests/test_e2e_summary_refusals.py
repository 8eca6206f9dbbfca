"""Issue 7 end to end: partners and strangers are refused every staff command (summaries,
pending, exports, report-backs and the rest).
"""

from __future__ import annotations

from sqlalchemy import select

from bot.access import unknown_command_text
from bot.clock import ManualClock
from storage import contacts
from storage.models import AuditEntry, Contact
from tests.e2e import ADMIN_ID, command_and_wait, settle
from tests.summary_world import START, partners, plain, shown, staff_world, t

# ------------------------------------------------------------------------------ refusals


STAFF_COMMANDS = ("summary", "pending", "export", "share", "send", "campaigns", "invite", "audit")


async def test_partners_and_strangers_are_refused_every_staff_command(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        [partner] = await partners(world, clock, [(831, "fr", "Hope RLO")])
        stranger = world.sandbox.user(832, first_name="Visitor", language_code="en")
        for phone, lang in ((partner, "fr"), (stranger, "en")):
            for name in STAFF_COMMANDS:
                events = await command_and_wait(phone, name)
                assert [plain(e.text) for e in events] == [plain(unknown_command_text(lang))], name
            for data in ("sum:sv:partner_feedback", "pnd:nudge:c:1", "exp:fmt:csv", "shr:go"):
                await phone.press_data(data)
                events = await settle(phone)
                assert [plain(e.text) for e in events if e.kind == "callback_answer"] == [
                    plain(unknown_command_text(lang))
                ], data
        async with world.db.sessions() as session:
            refused = list(
                await session.scalars(
                    select(AuditEntry.subject).where(AuditEntry.action == "command.refused")
                )
            )
            partner_contact = await session.scalar(
                select(Contact).where(Contact.telegram_user_id == 831)
            )
        assert partner_contact is not None and partner_contact.role == "partner"
        assert len(refused) == 2 * (len(STAFF_COMMANDS) + 4)
        assert {f"/{name}" for name in STAFF_COMMANDS} <= set(refused)

        # the admin reads who did what, in words, in the admin's own language and time zone
        async with world.db.transaction() as session:
            grace = await contacts.by_telegram_id(session, ADMIN_ID)  # made at start-up
            assert grace is not None and grace.role == "admin"
            grace.display_name, grace.language, grace.timezone = "Grace", "fr", "Africa/Nairobi"
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="fr")
        lines = shown(await command_and_wait(admin, "audit")).splitlines()
        assert lines[0] == t("fr", "Recent staff actions (newest first):")
        refused = t("fr", "tried a staff command without the right to")
        # 07:00 UTC is 10:00 in Nairobi; the stranger has no name, so their Telegram id shows
        assert f"2 mars 2026, 10:00 · 832 · {refused} · /summary" in lines
        assert any(line.endswith(f" · {refused} · /audit") and "832" not in line for line in lines)
        assert not any("command.refused" in line for line in lines)
        async with world.db.sessions() as session:
            [read] = list(
                await session.scalars(select(AuditEntry).where(AuditEntry.action == "audit.read"))
            )
        assert read.actor_telegram_id == ADMIN_ID
