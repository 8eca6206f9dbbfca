"""/audit: an admin reads the recent staff actions."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.access import Person, log_staff_action, requires
from bot.i18n import translator
from bot.people import staff_service
from bot.people.audit_view import entry_line
from bot.replies import send_text
from bot.services import services


@requires("admin")
async def audit_command(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    svc = services(context)
    _ = translator(person.lang)
    entries = await staff_service.recent_audit(svc)
    await log_staff_action(svc, person, "audit.read")
    if not entries:
        await send_text(
            context, update.effective_chat.id, _("The audit log is empty."), person.lang
        )
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
    await send_text(context, update.effective_chat.id, "\n".join(lines), person.lang)
