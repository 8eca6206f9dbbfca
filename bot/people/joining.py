"""A partner's first minute: invitation link → language → consent → time zone → quiet hours →
how their answers may be attributed → welcome. Staff invitation links make a staff member.

This module is /start; the steps after it (the ``ob`` buttons and typed answers) are in
``bot.people.joining_steps``. Nothing is stored about a person until they agree; the step
they are on lives in ``chat_flows`` so a restart does not lose it.
"""

from __future__ import annotations

from telegram import Update

from bot.access import Person, log_staff_action
from bot.context import BotContext
from bot.handlers.wizard import step_of
from bot.i18n import translator
from bot.menus import publish_chat_menu
from bot.people import service
from bot.people.joining_view import (
    consent_question,
    known_person_text,
    no_link_text,
    problem_text,
    staff_welcome_text,
)
from bot.people.view import language_keyboard
from bot.replies import send_text

FLOW = service.JOINING


async def start(update: Update, context: BotContext) -> None:
    """/start, with or without an invitation token."""
    svc = context.svc
    person = await context.who()
    chat_id = update.effective_chat.id
    token = context.args[0] if context.args else None

    if person.role in ("partner", "staff", "admin"):
        await _known_person_start(update, context, person, token)
        return

    if not token and await _resume(update, context, person):
        return

    if not token:
        await context.reply(no_link_text(person.lang))
        return

    user = update.effective_user
    problem, joined_staff = await service.open_invitation(
        svc, token, user.id, user.full_name, person.lang
    )
    if problem is not None:
        await context.reply(problem_text(problem, person.lang))
        return
    if joined_staff:
        staff = await context.who()
        await log_staff_action(svc, staff, "staff.joined_by_link", subject=str(staff.user_id))
        await publish_chat_menu(context.bot, staff.user_id, "staff", staff.lang)
        await send_text(context, chat_id, staff_welcome_text(person.lang, staff), staff.lang)
        return
    await ask_language(context, chat_id, user.language_code, person.lang)


async def _known_person_start(
    update: Update, context: BotContext, person: Person, token: str | None
) -> None:
    """/start from a partner, staff member or admin: "Welcome back", or, for staff and admins
    who never talked to the bot (named in the settings, or added by user id), a first welcome.

    A contact row says nothing about that (admins get one at start-up), so "been here before"
    is judged by what they did (``storage.arrivals``): a partner has agreed to the consent
    text; staff have their first /start marked, and their actions and refused attempts are in
    the audit log."""
    svc = context.svc
    user = update.effective_user
    first = False
    if person.is_staff:
        first = not await service.has_been_here(svc, person.user_id)
    if person.is_admin and person.contact is None:
        await service.make_admin_contact(svc, user.id, user.full_name, person.lang)
    elif first and person.contact is not None and not person.contact.display_name:
        await service.complete_first_contact(svc, user.id, user.full_name, user.language_code)
    if first or person.contact is None:
        person = await context.who()  # their name and language, as now stored
    if first:
        await service.mark_started(svc, person.user_id)
    # Staff added by user id before they ever wrote could not get their menu then.
    await publish_chat_menu(context.bot, person.user_id, person.role, person.lang)
    text = known_person_text(person, first=first, token=token)
    await context.reply(text)


async def _resume(update: Update, context: BotContext, person: Person) -> bool:
    """/start without a link from someone who opened one: back to the language picker, or to
    the consent screen for someone who chose a language (also after "Not now")."""
    flow = await step_of(context.svc, update.effective_user.id, FLOW)
    if flow is None or flow.step not in ("language", "consent", "declined"):
        return False
    chat_id = update.effective_chat.id
    lang = flow.data.get("language", person.lang)
    problem = await service.reopen_invitation(context.svc, flow)
    if problem is not None:
        await send_text(context, chat_id, problem_text(problem, lang), lang)
    elif flow.step == "language":
        await ask_language(context, chat_id, update.effective_user.language_code, lang)
    else:
        await ask_consent(context, chat_id, lang)
    return True


async def ask_language(
    context: BotContext, chat_id: int, telegram_language: str | None, lang: str
) -> None:
    _ = translator(lang)
    await send_text(
        context,
        chat_id,
        _("Welcome! Which language would you like me to use?"),
        lang,
        keyboard=language_keyboard("ob", telegram_language),
    )


async def ask_consent(context: BotContext, chat_id: int, code: str) -> None:
    text, keyboard = consent_question(code)
    await send_text(context, chat_id, text, code, keyboard=keyboard)
