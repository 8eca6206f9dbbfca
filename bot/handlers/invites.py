"""Staff invite partners: /invite (organisation → uses → validity → link) and /invites
(open invitations, each with a Revoke button)."""

from __future__ import annotations

from datetime import timedelta

from babel.dates import format_date
from telegram import Update
from telegram.ext import ContextTypes

from bot import callbacks, countries
from bot.access import Person, log_staff_action, person_of, refuse, requires
from bot.handlers import common
from bot.i18n import translator
from bot.keyboards import button, column, grid
from bot.periods import day_in
from bot.replies import send_text
from bot.services import services
from storage import flows, invites, organisations
from storage.models import ChatFlow

FLOW = "invite"
USES = (1, 3, 5, 10)
DAYS = (7, 14, 30)


@requires("staff")
async def invite_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.transaction() as session:
        orgs = await organisations.listing(session, limit=8)
        await flows.put(session, person.user_id, FLOW, "organisation", {}, svc.clock.now())
    buttons = [button(org.name, callbacks.data("inv", "org", org.id)) for org, _n in orgs]
    buttons.append(button(_("+ New organisation"), callbacks.data("inv", "new")))
    buttons.append(button(_("Cancel"), callbacks.data("inv", "cancel")))
    await send_text(
        context,
        update.effective_chat.id,
        _("Which organisation is this invitation for?"),
        person.lang,
        keyboard=column(buttons),
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``inv:org:ID``, ``inv:new``, ``inv:skip``, ``inv:uses:N``, ``inv:days:N``,
    ``inv:cancel``, ``inv:revoke:ID``."""
    svc = services(context)
    person = await person_of(update, context)
    if not person.is_staff:
        await refuse(update, context, person)
        return
    query = update.callback_query
    pieces = callbacks.parts(query.data, "inv")
    _ = translator(person.lang)
    if pieces is None:
        await common.expired_button(update, context, person.lang)
        return
    action = pieces[1]
    if action == "revoke" and len(pieces) == 3 and callbacks.is_number(pieces[2]):
        await _revoke(update, context, person, int(pieces[2]))
        return
    async with svc.db.sessions() as session:
        flow = await flows.get(session, person.user_id)
    if flow is None or flow.flow != FLOW:
        await common.expired_button(update, context, person.lang)
        return
    chat_id = update.effective_chat.id
    now = svc.clock.now()
    if action == "cancel":
        await common.close_keyboard(query, _("Cancelled."), person.lang)
        async with svc.db.transaction() as session:
            await flows.clear(session, person.user_id)
        return
    if (
        action == "org"
        and flow.step == "organisation"
        and len(pieces) == 3
        and callbacks.is_number(pieces[2])
    ):
        async with svc.db.transaction() as session:
            org = await organisations.get(session, int(pieces[2]))
            if org is None:
                await common.expired_button(update, context, person.lang)
                return
            await flows.put(session, person.user_id, FLOW, "uses", {"organisation_id": org.id}, now)
        await common.close_keyboard(query, _("Organisation: {name}", name=org.name), person.lang)
        await _ask_uses(context, chat_id, person.lang)
        return
    if action == "new" and flow.step == "organisation":
        await common.close_keyboard(query, _("+ New organisation"), person.lang)
        async with svc.db.transaction() as session:
            await flows.put(session, person.user_id, FLOW, "org_name", {}, now)
        await send_text(context, chat_id, _("What is the organisation's name?"), person.lang)
        return
    if action == "skip" and flow.step == "org_tags":
        await common.close_keyboard(query, _("No tags"), person.lang)
        await _create_organisation(context, person, flow, [], chat_id)
        return
    if (
        action == "uses"
        and flow.step == "uses"
        and len(pieces) == 3
        and callbacks.is_number(pieces[2])
        and int(pieces[2]) in USES
    ):
        async with svc.db.transaction() as session:
            await flows.put(
                session, person.user_id, FLOW, "days", {**flow.data, "uses": int(pieces[2])}, now
            )
        await common.close_keyboard(
            query, _.ngettext("{n} use", "{n} uses", int(pieces[2])), person.lang
        )
        await _ask_days(context, chat_id, person.lang)
        return
    if (
        action == "days"
        and flow.step == "days"
        and len(pieces) == 3
        and callbacks.is_number(pieces[2])
        and int(pieces[2]) in DAYS
    ):
        await common.close_keyboard(
            query,
            _.ngettext("Valid for {n} day", "Valid for {n} days", int(pieces[2])),
            person.lang,
        )
        await _create_invite(context, person, flow, int(pieces[2]), chat_id)
        return
    await common.expired_button(update, context, person.lang)


async def _ask_uses(context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str) -> None:
    _ = translator(lang)
    buttons = [button(str(n), callbacks.data("inv", "uses", n)) for n in USES]
    buttons.append(button(_("Cancel"), callbacks.data("inv", "cancel")))
    await send_text(
        context,
        chat_id,
        _("How many people may use this link? (Usually one: the focal person.)"),
        lang,
        keyboard=grid(buttons, 4),
    )


async def _ask_days(context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str) -> None:
    _ = translator(lang)
    buttons = [
        button(_.ngettext("{n} day", "{n} days", n), callbacks.data("inv", "days", n)) for n in DAYS
    ]
    await send_text(
        context,
        chat_id,
        _("How long should the link stay valid?"),
        lang,
        keyboard=grid([*buttons, button(_("Cancel"), callbacks.data("inv", "cancel"))], 3),
    )


async def on_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    text = (update.effective_message.text or "").strip()
    chat_id = update.effective_chat.id
    now = svc.clock.now()
    if flow.step == "org_name":
        if not 2 <= len(text) <= 200:
            await send_text(
                context, chat_id, _("Please send a name between 2 and 200 characters."), person.lang
            )
            return
        async with svc.db.transaction() as session:
            await flows.put(session, person.user_id, FLOW, "org_country", {"name": text}, now)
        await send_text(
            context,
            chat_id,
            _(
                "Which country does it work in? Send the country's name or its two-letter code (for example KE)."
            ),
            person.lang,
        )
        return
    if flow.step == "org_country":
        code, suggestions = countries.find(text)
        if code is None:
            hint = ", ".join(f"{countries.name(c, person.lang)} ({c})" for c in suggestions)
            message = _("I don't know that country. Please try again.")
            if hint:
                message = _.paragraphs(message, _("Did you mean: {names}?", names=hint))
            await send_text(context, chat_id, message, person.lang)
            return
        async with svc.db.transaction() as session:
            await flows.put(
                session, person.user_id, FLOW, "org_tags", {**flow.data, "country": code}, now
            )
        keyboard = column([button(_("Skip"), callbacks.data("inv", "skip"))])
        await send_text(
            context,
            chat_id,
            _.paragraphs(
                _("Country: {country}", country=countries.name(code, person.lang)),
                _(
                    "Send tags for this organisation, separated by commas (for example: refugee-led, women, health), or press Skip."
                ),
            ),
            person.lang,
            keyboard=keyboard,
        )
        return
    if flow.step == "org_tags":
        await _create_organisation(
            context, person, flow, organisations.normalise_tags(text), chat_id
        )
        return
    await send_text(
        context, chat_id, _("Please choose one of the buttons above, or send /help."), person.lang
    )


async def _create_organisation(
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    flow: ChatFlow,
    tags: list[str],
    chat_id: int,
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        org = await organisations.create(
            session, name=flow.data["name"], country=flow.data.get("country"), tags=tags, now=now
        )
        await flows.put(session, person.user_id, FLOW, "uses", {"organisation_id": org.id}, now)
    await log_staff_action(
        svc, person, "organisation.create", subject=f"organisation:{org.id}", details={"tags": tags}
    )
    await send_text(
        context, chat_id, _("Created the organisation {name}.", name=org.name), person.lang
    )
    await _ask_uses(context, chat_id, person.lang)


async def _create_invite(
    context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow, days: int, chat_id: int
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    now = svc.clock.now()
    uses = int(flow.data.get("uses", 1))
    async with svc.db.transaction() as session:
        org = await organisations.get(session, int(flow.data["organisation_id"]))
        created = await invites.create(
            session,
            role="partner",
            organisation_id=org.id if org else None,
            max_uses=uses,
            valid_for=timedelta(days=days),
            created_by=person.contact_id,
            now=now,
        )
        await flows.clear(session, person.user_id)
    await log_staff_action(
        svc,
        person,
        "invite.create",
        subject=f"invite:{created.invite.id}",
        details={"organisation_id": org.id if org else None, "uses": uses, "days": days},
    )
    link = f"https://t.me/{context.bot.username}?start={created.token}"
    zone = person.zone(svc.settings.default_timezone)
    until = format_date(day_in(created.invite.expires_at, zone), "long", locale=_.locale)
    text = _.paragraphs(
        _("Here is the invitation for {name}:", name=org.name if org else "-"),
        link,
        _.ngettext(
            "It can be used once, until {date}. Forward it to the partner's focal person.",
            "It can be used {n} times, until {date}. Forward it to the partner's focal person.",
            uses,
            date=until,
        ),
    )
    await send_text(context, chat_id, text, person.lang)


@requires("staff")
async def invites_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.sessions() as session:
        rows = await invites.open_invites(session, svc.clock.now(), roles=_roles_for(person))
    await log_staff_action(svc, person, "invite.list")
    if not rows:
        await send_text(
            context,
            update.effective_chat.id,
            _("There are no open invitations. Create one with /invite."),
            person.lang,
        )
        return
    lines = [_("Invitations that can still be used:")]
    buttons = []
    for invite, org_name in rows[:20]:
        who = org_name or _("staff")
        until = format_date(
            day_in(invite.expires_at, person.zone(svc.settings.default_timezone)),
            "medium",
            locale=_.locale,
        )
        lines.append(
            _(
                "#{id} {who}: {used} of {max} uses, valid until {date}",
                id=invite.id,
                who=who,
                used=invite.uses,
                max=invite.max_uses,
                date=until,
            )
        )
        buttons.append(
            button(_("Revoke #{id}", id=invite.id), callbacks.data("inv", "revoke", invite.id))
        )
    await send_text(
        context, update.effective_chat.id, "\n".join(lines), person.lang, keyboard=grid(buttons, 2)
    )


def _roles_for(person: Person) -> tuple[str, ...] | None:
    """Which invitations this person may see and withdraw: admins all; other staff only the
    partner invitations (staff links are an admin's, made with /staff add)."""
    return None if person.is_admin else ("partner",)


async def _revoke(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, invite_id: int
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.transaction() as session:
        done = await invites.revoke(session, invite_id, svc.clock.now(), roles=_roles_for(person))
    await update.callback_query.answer()
    if done:
        await log_staff_action(svc, person, "invite.revoke", subject=f"invite:{invite_id}")
        text = _("Invitation #{id} is revoked: the link no longer works.", id=invite_id)
    else:
        text = _("Invitation #{id} was already revoked or is no longer open.", id=invite_id)
    await send_text(context, update.effective_chat.id, text, person.lang)
