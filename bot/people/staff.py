"""Admins name and remove staff (/staff add|remove|list, the ``stf`` buttons, a forwarded
message naming the person to add). /staff safeguarding is in ``bot.people.focal_points``."""

from __future__ import annotations

from telegram import MessageOriginUser, Update

from bot import callbacks
from bot.access import Person, log_staff_action, refuse, requires
from bot.context import BotContext
from bot.handlers import common
from bot.handlers.wizard import leave_steps
from bot.i18n import translator
from bot.menus import publish_chat_menu
from bot.people import focal_points, staff_service
from bot.people.staff_view import staff_invite_text, staff_listing
from bot.replies import send_text
from storage.models import ChatFlow

FLOW = staff_service.STAFF_ADD


@requires("admin")
async def staff_command(update: Update, context: BotContext, person: Person) -> None:
    args = context.args or []
    sub = args[0].lower() if args else "list"
    if sub == "add":
        await _add(update, context, person, args[1:])
    elif sub == "remove":
        await _remove(update, context, person, args[1:])
    elif sub == "safeguarding":
        await focal_points.command(update, context, person, args[1:])
    else:
        await _list(update, context, person)


async def _add(update: Update, context: BotContext, person: Person, args: list[str]) -> None:
    svc = context.svc
    _ = translator(person.lang)
    chat_id = update.effective_chat.id
    if args:
        if not callbacks.is_telegram_id(args[0]):
            await context.reply(
                _("A Telegram user id is a number, for example /staff add 123456789.")
            )
            return
        await add_staff_member(context, person, int(args[0]), None, chat_id)
        return
    created = await staff_service.create_staff_invite(svc, person)
    await log_staff_action(svc, person, "staff.invite", subject=f"invite:{created.invite.id}")
    link = f"https://t.me/{context.bot.username}?start={created.token}"
    await context.reply(staff_invite_text(person.lang, link))


async def add_staff_member(
    context: BotContext, person: Person, user_id: int, name: str | None, chat_id: int
) -> None:
    svc = context.svc
    _ = translator(person.lang)
    lang = await staff_service.add_staff(svc, person.user_id, user_id, name)
    await log_staff_action(svc, person, "staff.add", subject=str(user_id))
    await publish_chat_menu(context.bot, user_id, "staff", lang)
    await send_text(context, chat_id, _("Added {who} as staff.", who=name or user_id), person.lang)


async def on_forward(update: Update, context: BotContext, person: Person, flow: ChatFlow) -> None:
    """While adding staff, a forwarded message names the person to add."""
    _ = translator(person.lang)
    message = update.effective_message
    origin = message.forward_origin
    if isinstance(origin, MessageOriginUser):
        await add_staff_member(
            context,
            person,
            origin.sender_user.id,
            origin.sender_user.full_name,
            update.effective_chat.id,
        )
        return
    if origin is not None:
        text = _(
            "I can't see who wrote that message: their privacy settings hide it. Send the staff link instead, or their user id."
        )
    else:
        text = _(
            "Forward me a message written by the person you want to add, or send /staff add followed by their user id."
        )
    await leave_steps(context.svc, person.user_id)
    await context.reply(text)


async def _remove(update: Update, context: BotContext, person: Person, args: list[str]) -> None:
    _ = translator(person.lang)
    if not args or not callbacks.is_telegram_id(args[0]):
        await context.reply(
            _("Send /staff remove followed by the user id, or use the buttons in /staff list.")
        )
        return
    await remove_staff_member(context, person, int(args[0]), update.effective_chat.id)


async def remove_staff_member(
    context: BotContext, person: Person, user_id: int, chat_id: int
) -> None:
    svc = context.svc
    _ = translator(person.lang)
    if await staff_service.remove_staff(svc, user_id):
        await log_staff_action(svc, person, "staff.remove", subject=str(user_id))
        await publish_chat_menu(context.bot, user_id, "stranger", person.lang)
        text = _("Removed {who} from staff.", who=user_id)
    else:
        text = _("{who} is not a staff member.", who=user_id)
    await send_text(context, chat_id, text, person.lang)


async def _list(update: Update, context: BotContext, person: Person) -> None:
    _ = translator(person.lang)
    members = await staff_service.staff_members(context.svc)
    if not members:
        text = _("There are no staff members yet. Add one with /staff add.")
        await context.reply(text)
        return
    text, keyboard = staff_listing(person.lang, members)
    await context.reply(text, keyboard=keyboard)


async def on_button(update: Update, context: BotContext) -> None:
    """``stf:rm:USER_ID`` and ``stf:sgrm:USER_ID``: remove a staff member or a focal point."""
    person = await context.who()
    if not person.is_admin:
        await refuse(update, context, person)
        return
    pieces = callbacks.parts(update.callback_query.data, "stf", minimum=3)
    if pieces is None or pieces[1] not in ("rm", "sgrm") or not callbacks.is_telegram_id(pieces[2]):
        await common.expired_button(update, context, person.lang)
        return
    await update.callback_query.answer()
    if pieces[1] == "sgrm":
        await focal_points.remove(context, person, int(pieces[2]), update.effective_chat.id)
        return
    await remove_staff_member(context, person, int(pieces[2]), update.effective_chat.id)
