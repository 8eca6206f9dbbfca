"""Admins name and remove staff (/staff add|remove|list), name the safeguarding focal points
who alone read confidential reports (/staff safeguarding add|remove), and read the audit log
(/audit)."""

from __future__ import annotations

from datetime import timedelta

from telegram import MessageOriginUser, Update
from telegram.ext import ContextTypes

from bot import callbacks
from bot.access import Person, log_staff_action, person_of, refuse, requires
from bot.audit_view import entry_line
from bot.handlers import common, safeguarding
from bot.i18n import translator
from bot.keyboards import button, column
from bot.menus import publish_chat_menu
from bot.replies import send_text
from bot.services import services
from storage import audit, contacts, flows, invites
from storage import safeguarding as safeguarding_store
from storage.models import ChatFlow

FLOW = "staff_add"


@requires("admin")
async def staff_command(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    args = context.args or []
    sub = args[0].lower() if args else "list"
    if sub == "add":
        await _add(update, context, person, args[1:])
    elif sub == "remove":
        await _remove(update, context, person, args[1:])
    elif sub == "safeguarding":
        await _safeguarding(update, context, person, args[1:])
    else:
        await _list(update, context, person)


async def _add(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, args: list[str]
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    chat_id = update.effective_chat.id
    if args:
        if not callbacks.is_telegram_id(args[0]):
            await send_text(
                context,
                chat_id,
                _("A Telegram user id is a number, for example /staff add 123456789."),
                person.lang,
            )
            return
        await add_staff_member(context, person, int(args[0]), None, chat_id)
        return
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        created = await invites.create(
            session,
            role="staff",
            organisation_id=None,
            max_uses=1,
            valid_for=timedelta(days=7),
            created_by=person.contact_id,
            now=now,
        )
        await flows.put(session, person.user_id, FLOW, "forward", {}, now)
    await log_staff_action(svc, person, "staff.invite", subject=f"invite:{created.invite.id}")
    link = f"https://t.me/{context.bot.username}?start={created.token}"
    text = _.paragraphs(
        _("To add a staff member, send them this link (valid for 7 days, one person):"),
        link,
        _(
            "Or forward me any message they wrote, or send /staff add followed by their Telegram user id."
        ),
    )
    await send_text(context, chat_id, text, person.lang)


async def add_staff_member(
    context: ContextTypes.DEFAULT_TYPE, person: Person, user_id: int, name: str | None, chat_id: int
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.transaction() as session:
        contact = await contacts.make_staff(
            session,
            telegram_user_id=user_id,
            display_name=name,
            # Their own language is unknown until they write; not the admin's language.
            language=svc.settings.default_language,
            timezone=svc.settings.default_timezone,
            now=svc.clock.now(),
        )
        await flows.clear(session, person.user_id)
        lang = contact.language
    await log_staff_action(svc, person, "staff.add", subject=str(user_id))
    await publish_chat_menu(context.bot, user_id, "staff", lang)
    await send_text(context, chat_id, _("Added {who} as staff.", who=name or user_id), person.lang)


async def on_forward(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> None:
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
    svc = services(context)
    async with svc.db.transaction() as session:
        await flows.clear(session, person.user_id)
    await send_text(context, update.effective_chat.id, text, person.lang)


async def _remove(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, args: list[str]
) -> None:
    _ = translator(person.lang)
    if not args or not callbacks.is_telegram_id(args[0]):
        await send_text(
            context,
            update.effective_chat.id,
            _("Send /staff remove followed by the user id, or use the buttons in /staff list."),
            person.lang,
        )
        return
    await remove_staff_member(context, person, int(args[0]), update.effective_chat.id)


async def remove_staff_member(
    context: ContextTypes.DEFAULT_TYPE, person: Person, user_id: int, chat_id: int
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.transaction() as session:
        removed = await contacts.remove_staff(session, user_id, svc.clock.now())
    if removed:
        await log_staff_action(svc, person, "staff.remove", subject=str(user_id))
        await publish_chat_menu(context.bot, user_id, "stranger", person.lang)
        text = _("Removed {who} from staff.", who=user_id)
    else:
        text = _("{who} is not a staff member.", who=user_id)
    await send_text(context, chat_id, text, person.lang)


async def _list(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.sessions() as session:
        members = await contacts.staff(session)
    if not members:
        text = _("There are no staff members yet. Add one with /staff add.")
        await send_text(context, update.effective_chat.id, text, person.lang)
        return
    lines = [_("Staff members:")]
    buttons = []
    for member in members:
        lines.append(f"• {member.display_name or '-'} ({member.telegram_user_id})")
        buttons.append(
            button(
                _("Remove {who}", who=member.display_name or member.telegram_user_id),
                callbacks.data("stf", "rm", member.telegram_user_id),
            )
        )
    await send_text(
        context, update.effective_chat.id, "\n".join(lines), person.lang, keyboard=column(buttons)
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    person = await person_of(update, context)
    if not person.is_admin:
        await refuse(update, context, person)
        return
    pieces = callbacks.parts(update.callback_query.data, "stf", minimum=3)
    if pieces is None or pieces[1] not in ("rm", "sgrm") or not callbacks.is_telegram_id(pieces[2]):
        await common.expired_button(update, context, person.lang)
        return
    await update.callback_query.answer()
    if pieces[1] == "sgrm":
        await remove_focal_point(context, person, int(pieces[2]), update.effective_chat.id)
        return
    await remove_staff_member(context, person, int(pieces[2]), update.effective_chat.id)


# ---------------------------------------------------------------- safeguarding focal points
#
# A focal point is a row of its own (storage.safeguarding), not a role: they are usually
# staff or an admin too, and naming one must not change anything else they may do.


async def _safeguarding(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, args: list[str]
) -> None:
    _ = translator(person.lang)
    chat_id = update.effective_chat.id
    sub = args[0].lower() if args else "list"
    if sub in ("add", "remove") and (len(args) < 2 or not callbacks.is_telegram_id(args[1])):
        text = _(
            "Send /staff safeguarding {action} followed by the Telegram user id, for example "
            "/staff safeguarding {action} 123456789 Amina Yusuf.",
            action=sub,
        )
        await send_text(context, chat_id, text, person.lang)
        return
    if sub == "add":
        name = " ".join(args[2:]).strip() or None
        await add_focal_point(context, person, int(args[1]), name, chat_id)
    elif sub == "remove":
        await remove_focal_point(context, person, int(args[1]), chat_id)
    else:
        await _list_focal_points(context, person, chat_id)


async def add_focal_point(
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    user_id: int,
    name: str | None,
    chat_id: int,
) -> None:
    """Only staff or an admin can be one: the person must already be known to the bot."""
    svc = services(context)
    _ = translator(person.lang)
    now = svc.clock.now()
    lang = svc.settings.default_language
    async with svc.db.transaction() as session:
        contact = await safeguarding_store.contact_to_name(
            session,
            user_id,
            is_admin=user_id in svc.settings.admins,
            language=svc.settings.default_language,
            timezone=svc.settings.default_timezone,
            now=now,
        )
        allowed = contact is not None and (
            contact.role == "staff" or user_id in svc.settings.admins
        )
        shown = (name or (contact.display_name if contact is not None else None) or "").strip()
        if allowed and shown and contact is not None:
            await safeguarding_store.add_focal_point(
                session,
                contact_id=contact.id,
                shown_name=shown,
                added_by=person.contact_id,
                now=now,
            )
            lang = contact.language
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


async def remove_focal_point(
    context: ContextTypes.DEFAULT_TYPE, person: Person, user_id: int, chat_id: int
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.transaction() as session:
        contact = await contacts.by_telegram_id(session, user_id)
        removed = contact is not None and await safeguarding_store.remove_focal_point(
            session, contact.id
        )
        role = contact.role if contact is not None else "stranger"
        lang = contact.language if contact is not None else person.lang
    if removed:
        await log_staff_action(svc, person, "safeguarding.focal_remove", subject=str(user_id))
        menu_role = "admin" if user_id in svc.settings.admins else role
        if menu_role in ("staff", "admin"):
            await publish_chat_menu(context.bot, user_id, menu_role, lang)
        text = _("{who} is no longer a safeguarding focal point.", who=user_id)
    else:
        text = _("{who} is not a safeguarding focal point.", who=user_id)
    await send_text(context, chat_id, text, person.lang)


async def _list_focal_points(
    context: ContextTypes.DEFAULT_TYPE, person: Person, chat_id: int
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.sessions() as session:
        points = await safeguarding_store.focal_points(session)
    await log_staff_action(svc, person, "safeguarding.focal_list")
    if not points:
        text = _(
            "No safeguarding focal point is named, so partners cannot send confidential "
            "reports. Name one with /staff safeguarding add followed by their Telegram user id."
        )
        await send_text(context, chat_id, text, person.lang)
        return
    lines = [_("Safeguarding focal points (only they read confidential reports):")]
    buttons = []
    for point in points:
        line = f"• {point.name} ({point.telegram_user_id})"
        if not safeguarding.may_read(svc, point):
            line += " " + _("(no longer staff: receives nothing)")
        lines.append(line)
        buttons.append(
            button(
                _("Remove {who}", who=point.name),
                callbacks.data("stf", "sgrm", point.telegram_user_id),
            )
        )
    await send_text(context, chat_id, "\n".join(lines), person.lang, keyboard=column(buttons))


@requires("admin")
async def audit_command(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.sessions() as session:
        entries = await audit.recent(session, limit=30)
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
