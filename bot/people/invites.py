"""Staff invite partners: /invite (organisation → uses → validity → link) and /invites
(open invitations, each with a Revoke button)."""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardMarkup, Update

from bot import callbacks, countries
from bot.access import Person, log_staff_action, requires
from bot.context import BotContext
from bot.handlers import common
from bot.handlers.wizard import leave_steps, put_step, staff_button, step_of
from bot.i18n import translator
from bot.people import staff_service
from bot.people.staff_view import (
    DAYS,
    USES,
    country_question,
    days_question,
    invitation_text,
    open_invites_listing,
    organisation_question,
    tags_question,
    unknown_country_text,
    uses_question,
)
from bot.people.view import buttons_expected_text
from bot.periods import day_in
from bot.replies import send_text
from storage import organisations
from storage.models import ChatFlow

FLOW = staff_service.INVITE
Question = Callable[[str], tuple[str, InlineKeyboardMarkup]]


@requires("staff")
async def invite_command(update: Update, context: BotContext, person: Person) -> None:
    orgs = await staff_service.start_invite(context.svc, person.user_id)
    text, keyboard = organisation_question(person.lang, orgs)
    await context.reply(text, keyboard=keyboard)


def _number(args: list[str], allowed: tuple[int, ...] | None = None) -> int | None:
    """The number after ``inv:ACTION:``, when there is one (and it is ``allowed``)."""
    if len(args) != 1 or not callbacks.is_number(args[0]):
        return None
    value = int(args[0])
    return value if allowed is None or value in allowed else None


async def on_button(update: Update, context: BotContext) -> None:
    """``inv:org:ID``, ``inv:new``, ``inv:skip``, ``inv:uses:N``, ``inv:days:N``,
    ``inv:cancel``, ``inv:revoke:ID``."""
    svc = context.svc
    pressed = await staff_button(update, context, "inv")
    if pressed is None:
        return
    person, args, action = pressed.person, pressed.args, pressed.action
    query = pressed.query
    _ = pressed._
    if action == "revoke" and _number(args) is not None:
        await _revoke(update, context, person, int(args[0]))
        return
    flow = await step_of(svc, person.user_id, FLOW)
    if flow is None:
        await common.expired_button(update, context, person.lang)
        return
    chat_id = update.effective_chat.id
    if action == "cancel":
        await common.close_keyboard(query, _("Cancelled."), person.lang)
        await leave_steps(svc, person.user_id)
        return
    if action == "org" and flow.step == "organisation" and _number(args) is not None:
        org = await staff_service.choose_organisation(svc, person.user_id, int(args[0]))
        if org is None:
            await common.expired_button(update, context, person.lang)
            return
        await common.close_keyboard(query, _("Organisation: {name}", name=org.name), person.lang)
        await _ask(context, chat_id, person.lang, uses_question)
        return
    if action == "new" and flow.step == "organisation":
        await common.close_keyboard(query, _("+ New organisation"), person.lang)
        await put_step(svc, person.user_id, FLOW, "org_name", {})
        await send_text(context, chat_id, _("What is the organisation's name?"), person.lang)
        return
    if action == "skip" and flow.step == "org_tags":
        await common.close_keyboard(query, _("No tags"), person.lang)
        await _create_organisation(context, person, flow, [], chat_id)
        return
    if action == "uses" and flow.step == "uses" and (uses := _number(args, USES)) is not None:
        data = {**flow.data, "uses": uses}
        await put_step(svc, person.user_id, FLOW, "days", data)
        await common.close_keyboard(query, _.ngettext("{n} use", "{n} uses", uses), person.lang)
        await _ask(context, chat_id, person.lang, days_question)
        return
    if action == "days" and flow.step == "days" and (days := _number(args, DAYS)) is not None:
        await common.close_keyboard(
            query, _.ngettext("Valid for {n} day", "Valid for {n} days", days), person.lang
        )
        await _create_invite(context, person, flow, days, chat_id)
        return
    await common.expired_button(update, context, person.lang)


async def _ask(context: BotContext, chat_id: int, lang: str, question: Question) -> None:
    text, keyboard = question(lang)
    await send_text(context, chat_id, text, lang, keyboard=keyboard)


async def on_text(update: Update, context: BotContext, person: Person, flow: ChatFlow) -> None:
    svc = context.svc
    _ = translator(person.lang)
    text = (update.effective_message.text or "").strip()
    chat_id = update.effective_chat.id
    if flow.step == "org_name":
        if not 2 <= len(text) <= 200:
            await context.reply(_("Please send a name between 2 and 200 characters."))
            return
        await put_step(svc, person.user_id, FLOW, "org_country", {"name": text})
        await context.reply(country_question(person.lang))
        return
    if flow.step == "org_country":
        code, suggestions = countries.find(text)
        if code is None:
            await context.reply(unknown_country_text(person.lang, suggestions))
            return
        data = {**flow.data, "country": code}
        await put_step(svc, person.user_id, FLOW, "org_tags", data)
        reply, keyboard = tags_question(person.lang, code)
        await context.reply(reply, keyboard=keyboard)
        return
    if flow.step == "org_tags":
        tags = organisations.normalise_tags(text)
        await _create_organisation(context, person, flow, tags, chat_id)
        return
    await context.reply(buttons_expected_text(person.lang))


async def _create_organisation(
    context: BotContext,
    person: Person,
    flow: ChatFlow,
    tags: list[str],
    chat_id: int,
) -> None:
    svc = context.svc
    _ = translator(person.lang)
    org = await staff_service.create_organisation(
        svc, person.user_id, flow.data["name"], flow.data.get("country"), tags
    )
    await log_staff_action(
        svc, person, "organisation.create", subject=f"organisation:{org.id}", details={"tags": tags}
    )
    await send_text(
        context, chat_id, _("Created the organisation {name}.", name=org.name), person.lang
    )
    await _ask(context, chat_id, person.lang, uses_question)


async def _create_invite(
    context: BotContext, person: Person, flow: ChatFlow, days: int, chat_id: int
) -> None:
    svc = context.svc
    uses = int(flow.data.get("uses", 1))
    org, created = await staff_service.create_partner_invite(
        svc, person, int(flow.data["organisation_id"]), uses, days
    )
    await log_staff_action(
        svc,
        person,
        "invite.create",
        subject=f"invite:{created.invite.id}",
        details={"organisation_id": org.id if org else None, "uses": uses, "days": days},
    )
    link = f"https://t.me/{context.bot.username}?start={created.token}"
    until = day_in(created.invite.expires_at, person.zone(svc.settings.default_timezone))
    text = invitation_text(person.lang, org.name if org else "-", link, uses, until)
    await send_text(context, chat_id, text, person.lang)


@requires("staff")
async def invites_command(update: Update, context: BotContext, person: Person) -> None:
    svc = context.svc
    _ = translator(person.lang)
    rows = await staff_service.open_invites(svc, person)
    await log_staff_action(svc, person, "invite.list")
    zone = person.zone(svc.settings.default_timezone)
    await common.send_listing(
        context,
        update.effective_chat.id,
        person.lang,
        rows,
        _("There are no open invitations. Create one with /invite."),
        lambda found: open_invites_listing(
            person.lang, [(i, name, day_in(i.expires_at, zone)) for i, name in found[:20]]
        ),
    )


async def _revoke(update: Update, context: BotContext, person: Person, invite_id: int) -> None:
    svc = context.svc
    _ = translator(person.lang)
    done = await staff_service.revoke_invite(svc, person, invite_id)
    await update.callback_query.answer()
    if done:
        await log_staff_action(svc, person, "invite.revoke", subject=f"invite:{invite_id}")
        text = _("Invitation #{id} is revoked: the link no longer works.", id=invite_id)
    else:
        text = _("Invitation #{id} was already revoked or is no longer open.", id=invite_id)
    await context.reply(text)
