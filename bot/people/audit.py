"""/audit: an admin reads the recent staff actions."""

from __future__ import annotations

from telegram import Update

from bot.access import Person, log_staff_action, requires
from bot.context import BotContext
from bot.i18n import translator
from bot.people import staff_service
from bot.people.audit_view import entry_line


@requires("admin")
async def audit_command(update: Update, context: BotContext, person: Person) -> None:
    svc = context.svc
    _ = translator(person.lang)
    entries = await staff_service.recent_audit(svc)
    await log_staff_action(svc, person, "audit.read")
    if not entries:
        await context.reply(_("The audit log is empty."))
        return
    zone = person.zone(svc.settings.default_timezone)
    lines = [_("Recent staff actions (newest first):")]
    for entry, name in entries:
        who = name or (str(entry.actor_telegram_id) if entry.actor_telegram_id else "—")
        lines.append(
            entry_line(
                entry.at,
                who,
                entry.action,
                entry.subject,
                entry.outcome == "refused",
                person.lang,
                zone,
            )
        )
    await context.reply("\n".join(lines))
