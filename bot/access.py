"""Who is talking: admin, staff, partner or stranger — and the refusal that reveals nothing.

A stranger or partner who tries a staff command gets exactly the reply an unknown command gets,
so they learn nothing about what exists for others. The attempt goes to the audit log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from telegram import Update, User
from telegram.ext import ContextTypes

from bot.i18n import translator
from bot.replies import send_text
from bot.services import Services, services
from storage import audit
from storage.models import Contact

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[Any]]


@dataclass(frozen=True)
class Person:
    user_id: int
    contact: Contact | None
    is_admin: bool
    lang: str

    @property
    def role(self) -> str:
        if self.is_admin:
            return "admin"
        if self.contact is None:
            return "stranger"
        if self.contact.role == "staff":
            return "staff"
        if self.contact.role == "partner" and self.contact.consent_at is not None:
            return "partner"
        return "stranger"

    @property
    def is_staff(self) -> bool:
        return self.role in ("admin", "staff")

    @property
    def is_partner(self) -> bool:
        return self.role == "partner"

    @property
    def contact_id(self) -> int | None:
        return self.contact.id if self.contact is not None else None

    def zone(self, default: str) -> str:
        """The person's time zone; ``default`` for an admin who never onboarded."""
        return self.contact.timezone if self.contact is not None else default


async def who(svc: Services, user: User) -> Person:
    contact = await svc.contact_for(user)
    lang = contact.language if contact is not None else await svc.stranger_language(user)
    return Person(
        user_id=user.id,
        contact=contact,
        is_admin=user.id in svc.settings.admins,
        lang=lang,
    )


async def person_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Person:
    cached = getattr(context, "who", None)  # the bot's own context keeps it for the update
    if cached is not None:
        return await cached()
    assert update.effective_user is not None
    return await who(services(context), update.effective_user)


def unknown_command_text(lang: str) -> str:
    _ = translator(lang)
    return _("Sorry, I don't know that command. Send /help to see what I can do.")


async def refuse(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    svc = services(context)
    if update.callback_query is not None:  # the button's data, not the text of its message
        command = (update.callback_query.data or "")[:64]
    else:
        text = update.effective_message.text if update.effective_message else None
        command = (text or "").split()[0][:64] if (text or "").split() else ""
    await audit_now(
        svc,
        person.user_id,
        person.contact_id,
        "command.refused",
        subject=command or None,
        details={"role": person.role},
        outcome="refused",
    )
    if update.callback_query is not None:
        await update.callback_query.answer(unknown_command_text(person.lang))
        return
    await send_text(
        context, update.effective_chat.id, unknown_command_text(person.lang), person.lang
    )


def requires(role: str) -> Callable[[Callable[..., Awaitable[Any]]], Handler]:
    """Guard a handler: ``staff`` lets staff and admins in, ``admin`` only admins."""

    def decorate(func: Callable[..., Awaitable[Any]]) -> Handler:
        @wraps(func)
        async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Any:
            person = await person_of(update, context)
            allowed = person.is_admin if role == "admin" else person.is_staff
            if not allowed:
                await refuse(update, context, person)
                return None
            return await func(update, context, person)

        return guarded

    return decorate


async def log_staff_action(
    svc: Services,
    person: Person,
    action: str,
    subject: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """A staff member's read or change of partner data, for the audit log."""
    await audit_now(svc, person.user_id, person.contact_id, action, subject, details)


async def audit_now(
    svc: Services,
    actor_telegram_id: int | None,
    actor_contact_id: int | None,
    action: str,
    subject: str | None = None,
    details: dict[str, Any] | None = None,
    outcome: str = "ok",
) -> None:
    """One audit entry in its own transaction, at the bot's clock: a staff action, a refused
    attempt and a focal point's read of a report are all written this one way."""
    async with svc.db.transaction() as session:
        await audit.record(
            session,
            at=svc.clock.now(),
            actor_telegram_id=actor_telegram_id,
            actor_contact_id=actor_contact_id,
            action=action,
            subject=subject,
            details=details,
            outcome=outcome,
        )
