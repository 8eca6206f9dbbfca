"""A partner's first minute: invitation link → language → consent → time zone → quiet hours →
how their answers may be attributed → welcome. Staff invitation links make a staff member.

Nothing is stored about a person until they agree; the step they are on lives in
``chat_flows`` so a restart does not lose it.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import callbacks, timezones
from bot.access import Person, log_staff_action, person_of
from bot.handlers import common, selfservice
from bot.i18n import NATIVE_NAMES, language_choices, normalise_language, translator
from bot.keyboards import button, column, grid
from bot.language_names import match_language
from bot.menus import publish_chat_menu
from bot.replies import send_text
from bot.services import services
from storage import arrivals, contacts, flows, invites, jpat, organisations
from storage.invites import InviteProblem
from storage.models import ChatFlow

FLOW = "onboarding"


def _problem_text(problem: InviteProblem, lang: str) -> str:
    _ = translator(lang)
    if problem == InviteProblem.EXPIRED:
        first = _("This invitation link has expired.")
    elif problem == InviteProblem.USED_UP:
        first = _("This invitation link has already been used as many times as allowed.")
    elif problem == InviteProblem.REVOKED:
        first = _("This invitation link has been withdrawn.")
    else:
        first = _("I don't recognise this invitation link.")
    return _.paragraphs(
        first,
        _("Please ask the person who invited you to send you a new link."),
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start, with or without an invitation token."""
    svc = services(context)
    person = await person_of(update, context)
    chat_id = update.effective_chat.id
    token = context.args[0] if context.args else None
    _ = translator(person.lang)

    if person.role in ("partner", "staff", "admin"):
        await _known_person_start(update, context, person, token)
        return

    if not token and await _resume(update, context, person):
        return

    if not token:
        await send_text(
            context,
            chat_id,
            _.paragraphs(
                _("Hello! I am the partnership feedback assistant of our NGO."),
                _(
                    "To join, you need an invitation link from the NGO team. "
                    "Please ask the person who works with your organisation to send it to you."
                ),
            ),
            person.lang,
        )
        return

    now = svc.clock.now()
    async with svc.db.transaction() as session:
        invite = await invites.find(session, token)
        problem = invites.problem_with(invite, now)
        if problem is None and invite is not None and invite.role == "staff":
            if await invites.use(session, invite.id, now):
                user = update.effective_user
                await contacts.make_staff(
                    session,
                    telegram_user_id=user.id,
                    display_name=user.full_name,
                    language=person.lang,
                    timezone=svc.settings.default_timezone,
                    now=now,
                )
                await arrivals.mark_started(session, user.id, now)
            else:
                problem = InviteProblem.USED_UP
        elif problem is None and invite is not None:
            await flows.put(
                session, person.user_id, FLOW, "language", {"invite_id": invite.id}, now
            )
    if problem is not None:
        await send_text(context, chat_id, _problem_text(problem, person.lang), person.lang)
        return
    if invite is not None and invite.role == "staff":
        staff = await person_of(update, context)
        await log_staff_action(svc, staff, "staff.joined_by_link", subject=str(staff.user_id))
        await publish_chat_menu(context.bot, staff.user_id, "staff", staff.lang)
        await send_text(
            context,
            chat_id,
            _.paragraphs(
                _("Welcome to the team! You are now registered as staff."),
                selfservice.help_text(staff),
            ),
            staff.lang,
        )
        return
    await _ask_language(context, chat_id, update.effective_user.language_code, person.lang)


async def _known_person_start(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, token: str | None
) -> None:
    """/start from a partner, staff member or admin: "Welcome back", or, for staff and admins
    who never talked to the bot (named in the settings, or added by user id), a first welcome.

    A contact row says nothing about that (admins get one at start-up), so "been here before"
    is judged by what they did (``storage.arrivals``): a partner has agreed to the consent
    text; staff have their first /start marked, and their actions and refused attempts are in
    the audit log."""
    svc = services(context)
    first = False
    if person.is_staff:
        async with svc.db.sessions() as session:
            first = not await arrivals.has_been_here(session, person.user_id)
    if person.is_admin and person.contact is None:
        await _ensure_admin_contact(update, context, person)
    elif first and person.contact is not None:
        await _complete_first_contact(update, context, person)
    if first or person.contact is None:
        person = await person_of(update, context)  # their name and language, as now stored
    if first:
        async with svc.db.transaction() as session:
            await arrivals.mark_started(session, person.user_id, svc.clock.now())
    # Staff added by user id before they ever wrote could not get their menu then.
    await publish_chat_menu(context.bot, person.user_id, person.role, person.lang)
    _ = translator(person.lang)
    parts = []
    if first:
        parts.append(
            _("Welcome! You are an admin of this bot.")
            if person.is_admin
            else _("Welcome to the team! You are now registered as staff.")
        )
    if token:
        parts.append(_("You're already set up, so there is nothing more to do with this link."))
    elif not first:
        parts.append(_("Welcome back!"))
    await send_text(
        context,
        update.effective_chat.id,
        _.paragraphs(*parts, selfservice.help_text(person)),
        person.lang,
    )


async def _complete_first_contact(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    """A contact made before the person wrote (no name yet) takes their name and their app's
    language from this first /start."""
    svc = services(context)
    user = update.effective_user
    if person.contact is None or person.contact.display_name:
        return
    async with svc.db.transaction() as session:
        contact = await contacts.by_telegram_id(session, user.id)
        if contact is not None and not contact.display_name:
            contact.display_name = (user.full_name or "")[:200] or None
            if user.language_code:
                contact.language = normalise_language(user.language_code)
            contact.updated_at = svc.clock.now()


async def _resume(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> bool:
    """/start without a link from someone who opened one: back to the language picker, or to
    the consent screen for someone who chose a language (also after "Not now")."""
    flow = await _flow(update, context)
    if flow is None or flow.step not in ("language", "consent", "declined"):
        return False
    svc = services(context)
    chat_id = update.effective_chat.id
    lang = flow.data.get("language", person.lang)
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        invite = await session.get(invites.Invite, int(flow.data["invite_id"]))
        problem = invites.problem_with(invite, now)
        if problem is not None:
            await flows.clear(session, flow.telegram_user_id)
        elif flow.step == "declined":
            await flows.put(session, flow.telegram_user_id, FLOW, "consent", flow.data, now)
    if problem is not None:
        await send_text(context, chat_id, _problem_text(problem, lang), lang)
    elif flow.step == "language":
        await _ask_language(context, chat_id, update.effective_user.language_code, lang)
    else:
        await _ask_consent(context, chat_id, lang)
    return True


async def _ensure_admin_contact(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    svc = services(context)
    user = update.effective_user
    async with svc.db.transaction() as session:
        contact = await contacts.make_staff(
            session,
            telegram_user_id=user.id,
            display_name=user.full_name,
            language=person.lang,
            timezone=svc.settings.default_timezone,
            now=svc.clock.now(),
        )
        contact.role = "admin"


async def _ask_language(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, telegram_language: str | None, lang: str
) -> None:
    _ = translator(lang)
    await send_text(
        context,
        chat_id,
        _("Welcome! Which language would you like me to use?"),
        lang,
        keyboard=_language_keyboard(telegram_language),
    )


def _language_keyboard(telegram_language: str | None) -> InlineKeyboardMarkup:
    buttons = [
        button(name, callbacks.data("ob", "lang", code))
        for code, name in language_choices(telegram_language)
    ]
    return grid(buttons, 2)


async def _flow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> ChatFlow | None:
    svc = services(context)
    async with svc.db.sessions() as session:
        flow = await flows.get(session, update.effective_user.id)
    return flow if flow is not None and flow.flow == FLOW else None


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every onboarding button: ``ob:lang:xx``, ``ob:consent:yes|no``, ``ob:tz:Zone|other``,
    ``ob:quiet:keep|HH:MM-HH:MM|other``, ``ob:attr:yes|no``."""
    query = update.callback_query
    person = await person_of(update, context)
    pieces = callbacks.parts(query.data, "ob", minimum=3)
    flow = await _flow(update, context)
    if pieces is None or flow is None:
        await common.expired_button(update, context, person.lang)
        return
    action, value = pieces[1], ":".join(pieces[2:])
    expected = {
        "lang": "language",
        "consent": "consent",
        "tz": "timezone",
        "quiet": "quiet",
        "attr": "attribution",
    }
    step = "timezone" if flow.step == "timezone_typed" else flow.step  # suggestions are tz buttons
    if expected.get(action) != step:
        await common.expired_button(update, context, flow.data.get("language", person.lang))
        return
    if action == "lang":
        await _chose_language(update, context, flow, value)
    elif action == "consent":
        await _consent(update, context, flow, value == "yes")
    elif action == "tz":
        await _chose_zone(update, context, flow, value)
    elif action == "quiet":
        await _chose_quiet(update, context, flow, value)
    elif action == "attr":
        await _chose_attribution(update, context, flow, value == "yes")


async def _chose_language(
    update: Update, context: ContextTypes.DEFAULT_TYPE, flow: ChatFlow, code: str
) -> None:
    svc = services(context)
    if code not in NATIVE_NAMES:
        await common.expired_button(update, context, await svc.language_for(update.effective_user))
        return
    _ = translator(code)
    if update.callback_query is not None:
        await common.close_keyboard(
            update.callback_query, _("Language: {name}", name=NATIVE_NAMES[code]), code
        )
    else:  # typed: say what was understood, as the button would have
        await send_text(
            context,
            update.effective_chat.id,
            _("Language: {name}", name=NATIVE_NAMES[code]),
            code,
        )
    async with svc.db.transaction() as session:
        await flows.put(
            session,
            flow.telegram_user_id,
            FLOW,
            "consent",
            {**flow.data, "language": code},
            svc.clock.now(),
        )
    await _ask_consent(context, update.effective_chat.id, code)


async def _ask_consent(context: ContextTypes.DEFAULT_TYPE, chat_id: int, code: str) -> None:
    _ = translator(code)
    text = _.paragraphs(
        _("Before we start, here is how we look after your information."),
        _(
            "What we store: your answers, your name as shown in Telegram, your language and your time zone."
        ),
        _(
            "Who sees it: the NGO staff who work with your organisation. Funders only see "
            "your answers in the way you choose in the next steps."
        ),
        _(
            "Your control: send /mydata at any time to get a copy of everything we store "
            "about you, /forget to delete it, and /stop to stop reminders."
        ),
        _("Do you agree?"),
    )
    keyboard = grid(
        [
            button(_("I agree"), callbacks.data("ob", "consent", "yes")),
            button(_("Not now"), callbacks.data("ob", "consent", "no")),
        ]
    )
    await send_text(context, chat_id, text, code, keyboard=keyboard)


async def _consent(
    update: Update, context: ContextTypes.DEFAULT_TYPE, flow: ChatFlow, agreed: bool
) -> None:
    svc = services(context)
    lang = flow.data.get("language", "en")
    _ = translator(lang)
    chat_id = update.effective_chat.id
    user = update.effective_user
    now = svc.clock.now()
    if not agreed:
        await common.close_keyboard(update.callback_query, _("Not now"), lang)
        async with svc.db.transaction() as session:
            # Only the step and the language chosen, so replies and /start stay in it; the
            # step expires like any other.
            await flows.put(session, user.id, FLOW, "declined", flow.data, now)
        await send_text(
            context,
            chat_id,
            _(
                "No problem. I keep only the language you chose, for a week, so that I can "
                "answer you in it; nothing else about you is stored. When you are ready, open "
                "the invitation link again, or send /start."
            ),
            lang,
        )
        return
    await common.close_keyboard(update.callback_query, _("I agree"), lang)
    async with svc.db.transaction() as session:
        invite_id = int(flow.data["invite_id"])
        problem: InviteProblem | None = None
        if not await invites.use(session, invite_id, now):
            await flows.clear(session, user.id)
            # Say why: withdrawn or expired since they opened it, or its last use was taken.
            problem = (
                invites.problem_with(await session.get(invites.Invite, invite_id), now)
                or InviteProblem.USED_UP
            )
        else:
            invite = await session.get(invites.Invite, invite_id)
            org = (
                await organisations.get(session, invite.organisation_id)
                if invite and invite.organisation_id
                else None
            )
            zones = timezones.zones_for_country(org.country if org else None)
            contact = await contacts.create_partner(
                session,
                telegram_user_id=user.id,
                display_name=user.full_name,
                organisation_id=org.id if org else None,
                language=lang,
                timezone=zones[0] if len(zones) == 1 else svc.settings.default_timezone,
                now=now,
            )
            # Their organisation's partnerships count them in from now, open rounds included.
            await jpat.welcome_partner(session, contact, now)
            await flows.put(
                session,
                user.id,
                FLOW,
                "timezone",
                {**flow.data, "country": org.country if org else None},
                now,
            )
    if problem is not None:
        await send_text(context, chat_id, _problem_text(problem, lang), lang)
        return
    await selfservice.ask_timezone(
        context, chat_id, lang, flow.data.get("country") or await _country(context, flow), "ob"
    )


async def _country(context: ContextTypes.DEFAULT_TYPE, flow: ChatFlow) -> str | None:
    svc = services(context)
    async with svc.db.sessions() as session:
        invite = await session.get(invites.Invite, int(flow.data["invite_id"]))
        org = (
            await organisations.get(session, invite.organisation_id)
            if invite and invite.organisation_id
            else None
        )
    return org.country if org else None


async def _chose_zone(
    update: Update, context: ContextTypes.DEFAULT_TYPE, flow: ChatFlow, value: str
) -> None:
    svc = services(context)
    lang = flow.data.get("language", "en")
    _ = translator(lang)
    if value == "other":
        await common.close_keyboard(update.callback_query, _("Time zone: another one"), lang)
        async with svc.db.transaction() as session:
            await flows.put(
                session, flow.telegram_user_id, FLOW, "timezone_typed", flow.data, svc.clock.now()
            )
        await selfservice.ask_typed_zone(context, update.effective_chat.id, lang)
        return
    if not timezones.is_zone(value):
        await common.expired_button(update, context, lang)
        return
    await common.close_keyboard(
        update.callback_query,
        _("Time zone: {zone}", zone=timezones.label(value, lang, svc.clock.now())),
        lang,
    )
    await _save_zone_then_quiet(update, context, flow, value)


async def _save_zone_then_quiet(
    update: Update, context: ContextTypes.DEFAULT_TYPE, flow: ChatFlow, zone: str
) -> None:
    svc = services(context)
    lang = flow.data.get("language", "en")
    async with svc.db.transaction() as session:
        contact = await contacts.by_telegram_id(session, flow.telegram_user_id)
        if contact is not None:
            contact.timezone = zone
        await flows.put(session, flow.telegram_user_id, FLOW, "quiet", flow.data, svc.clock.now())
    await selfservice.ask_quiet(context, update.effective_chat.id, lang, "21:00", "08:00", "ob")


async def on_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> None:
    """Typed answers during onboarding: a city or zone name, or quiet hours."""
    svc = services(context)
    lang = flow.data.get("language", person.lang)
    _ = translator(lang)
    text = update.effective_message.text or ""
    chat_id = update.effective_chat.id
    if flow.step in ("timezone", "timezone_typed"):  # a typed city works with or without "Other"
        zone = await selfservice.match_typed_zone(context, chat_id, lang, text, "ob")
        if zone is not None:
            await send_text(
                context,
                chat_id,
                _("Time zone: {zone}", zone=timezones.label(zone, lang, svc.clock.now())),
                lang,
            )
            await _save_zone_then_quiet(update, context, flow, zone)
        return
    if flow.step == "quiet_typed":
        hours = await selfservice.match_typed_quiet(context, chat_id, lang, text)
        if hours is not None:
            await _save_quiet_then_attribution(update, context, flow, hours)
        return
    if flow.step == "language":
        code = match_language(text)
        if code is not None:
            await _chose_language(update, context, flow, code)
            return
        phone = update.effective_user.language_code
        _ = translator(normalise_language(phone))
        await send_text(
            context,
            chat_id,
            _("Sorry, I don't know that language. Please choose one of these, or type its name."),
            _.lang,
            keyboard=_language_keyboard(phone),
        )
        return
    if flow.step == "declined":
        await send_text(
            context,
            chat_id,
            _(
                "You have not agreed to how we look after your information, so I have "
                "nothing to show you yet. When you are ready, send /start."
            ),
            lang,
        )
        return
    # A message while a button is expected: say what we are waiting for.
    await send_text(
        context, chat_id, _("Please choose one of the buttons above, or send /help."), lang
    )


async def _chose_quiet(
    update: Update, context: ContextTypes.DEFAULT_TYPE, flow: ChatFlow, value: str
) -> None:
    svc = services(context)
    lang = flow.data.get("language", "en")
    _ = translator(lang)
    if value == "other":
        await common.close_keyboard(update.callback_query, _("Choose other hours"), lang)
        async with svc.db.transaction() as session:
            await flows.put(
                session, flow.telegram_user_id, FLOW, "quiet_typed", flow.data, svc.clock.now()
            )
        await selfservice.ask_typed_quiet(context, update.effective_chat.id, lang)
        return
    hours = selfservice.quiet_from_button(value)
    if hours is None:
        await common.expired_button(update, context, lang)
        return
    await common.close_keyboard(
        update.callback_query, _("Quiet hours: {start}–{end}", start=hours[0], end=hours[1]), lang
    )
    await _save_quiet_then_attribution(update, context, flow, hours)


async def _save_quiet_then_attribution(
    update: Update, context: ContextTypes.DEFAULT_TYPE, flow: ChatFlow, hours: tuple[str, str]
) -> None:
    svc = services(context)
    lang = flow.data.get("language", "en")
    _ = translator(lang)
    async with svc.db.transaction() as session:
        contact = await contacts.by_telegram_id(session, flow.telegram_user_id)
        if contact is not None:
            contact.quiet_start, contact.quiet_end = hours
        await flows.put(
            session, flow.telegram_user_id, FLOW, "attribution", flow.data, svc.clock.now()
        )
    text = _.paragraphs(
        _(
            "One last question. When the NGO reports to its funders, may it name your organisation next to your answers?"
        ),
        _(
            "If you say no, your answers are only used in totals together with other partners. You can change this later with /privacy."
        ),
    )
    keyboard = column(
        [
            button(_("Yes, you may name us"), callbacks.data("ob", "attr", "yes")),
            button(_("No, only in totals"), callbacks.data("ob", "attr", "no")),
        ]
    )
    await send_text(context, update.effective_chat.id, text, lang, keyboard=keyboard)


async def _chose_attribution(
    update: Update, context: ContextTypes.DEFAULT_TYPE, flow: ChatFlow, named: bool
) -> None:
    svc = services(context)
    lang = flow.data.get("language", "en")
    _ = translator(lang)
    shown = _("Yes, you may name us") if named else _("No, only in totals")
    await common.close_keyboard(update.callback_query, shown, lang)
    async with svc.db.transaction() as session:
        contact = await contacts.by_telegram_id(session, flow.telegram_user_id)
        if contact is not None:
            contact.attribution = "attributed" if named else "aggregate"
        await flows.clear(session, flow.telegram_user_id)
    person = await person_of(update, context)
    await publish_chat_menu(context.bot, person.user_id, "partner", lang)
    name = update.effective_user.first_name
    text = _.paragraphs(
        _("You're all set, {name}! Thank you.", name=name),
        _("What to expect from me:"),
        "\n".join(
            [
                _("• short surveys about our partnership, a few times a year;"),
                _("• J-PAT check-ins, where each side rates the partnership on its own;"),
                _("• reminders before review meetings."),
            ]
        ),
        selfservice.help_text(person),
    )
    await send_text(
        context, update.effective_chat.id, text, lang, keyboard=selfservice.help_keyboard(person)
    )
