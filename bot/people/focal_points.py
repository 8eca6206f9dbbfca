"""Admins name the safeguarding focal points who alone read confidential reports
(/staff safeguarding add|remove|list).

A focal point is a row of its own (storage.safeguarding), not a role: they are usually staff
or an admin too, and naming one must not change anything else they may do."""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.access import Person, log_staff_action
from bot.context import BotContext
from bot.handlers import common
from bot.i18n import translator
from bot.menus import publish_chat_menu
from bot.people import staff_service
from bot.people.staff_view import focal_points_listing
from bot.replies import send_text
from bot.safeguarding import service as safeguarding


async def command(update: Update, context: BotContext, person: Person, args: list[str]) -> None:
    """/staff safeguarding …, ``args`` after "safeguarding"."""
    _ = translator(person.lang)
    chat_id = update.effective_chat.id
    sub = args[0].lower() if args else "list"
    if sub in ("add", "remove") and (len(args) < 2 or not callbacks.is_telegram_id(args[1])):
        text = _(
            "Send /staff safeguarding {action} followed by the Telegram user id, for example "
            "/staff safeguarding {action} 123456789 Amina Yusuf.",
            action=sub,
        )
        await context.reply(text)
        return
    if sub == "add":
        name = " ".join(args[2:]).strip() or None
        await add(context, person, int(args[1]), name, chat_id)
    elif sub == "remove":
        await remove(context, person, int(args[1]), chat_id)
    else:
        await _list(context, person, chat_id)


async def add(
    context: BotContext,
    person: Person,
    user_id: int,
    name: str | None,
    chat_id: int,
) -> None:
    """Only staff or an admin can be one: the person must already be known to the bot."""
    svc = context.svc
    _ = translator(person.lang)
    allowed, shown, lang = await staff_service.name_focal_point(svc, person, user_id, name)
    if not allowed:
        text = _(
            "Only a staff member or an admin can be a safeguarding focal point. Add them as "
            "staff first with /staff add."
        )
    elif not shown:
        text = _(
            "Partners are told the focal point's name, and I don't know it: send "
            "/staff safeguarding add {id} followed by the name partners should see.",
            id=user_id,
        )
    else:
        await log_staff_action(svc, person, "safeguarding.focal_add", subject=str(user_id))
        await publish_chat_menu(
            context.bot,
            user_id,
            "admin" if user_id in svc.settings.admins else "staff",
            lang,
            focal_point=True,
        )
        text = _(
            "{who} is now a safeguarding focal point. Partners are told that {who} reads "
            "their confidential reports. They can list open reports with /reports.",
            who=shown,
        )
    await send_text(context, chat_id, text, person.lang)


async def remove(context: BotContext, person: Person, user_id: int, chat_id: int) -> None:
    svc = context.svc
    _ = translator(person.lang)
    removed, role, lang = await staff_service.unname_focal_point(svc, user_id, person.lang)
    if removed:
        await log_staff_action(svc, person, "safeguarding.focal_remove", subject=str(user_id))
        menu_role = "admin" if user_id in svc.settings.admins else role
        if menu_role in ("staff", "admin"):
            await publish_chat_menu(context.bot, user_id, menu_role, lang)
        text = _("{who} is no longer a safeguarding focal point.", who=user_id)
    else:
        text = _("{who} is not a safeguarding focal point.", who=user_id)
    await send_text(context, chat_id, text, person.lang)


async def _list(context: BotContext, person: Person, chat_id: int) -> None:
    svc = context.svc
    _ = translator(person.lang)
    points = await staff_service.focal_points(svc)
    await log_staff_action(svc, person, "safeguarding.focal_list")
    empty = _(
        "No safeguarding focal point is named, so partners cannot send confidential "
        "reports. Name one with /staff safeguarding add followed by their Telegram user id."
    )
    await common.send_listing(
        context,
        chat_id,
        person.lang,
        points,
        empty,
        lambda shown: focal_points_listing(
            person.lang,
            [(p.name, p.telegram_user_id, safeguarding.may_read(svc, p)) for p in shown],
        ),
    )
