"""A partner's control over their own settings and data: /help, /language, /timezone, /quiet,
/privacy, /mydata, /forget, /stop, /resume — each also reachable from /help's buttons."""

from __future__ import annotations

import io

from babel.dates import format_datetime
from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.ext import ContextTypes

from bot import callbacks, countries, timezones
from bot.access import Person, person_of
from bot.handlers import common
from bot.i18n import NATIVE_NAMES, Translator, bidi, language_choices, translator
from bot.keyboards import button, column, grid
from bot.menus import publish_chat_menu
from bot.quiet import PRESETS, parse_range
from bot.replies import send_text
from bot.services import services
from bot.survey_view import button_data as survey_button
from storage import contacts, flows, organisations
from storage import surveys as surveys_store
from storage.models import ChatFlow

FLOW = "settings"


# ---------------------------------------------------------------- help


def help_text(person: Person) -> str:
    _ = translator(person.lang)
    lines = [_("/help - what I can do")]
    if person.role == "stranger":
        lines.append(_("/start - begin, or open an invitation link"))
        return _.paragraphs(_("You can use these commands:"), "\n".join(lines))
    lines += [
        _("/surveys - surveys waiting for your answers"),
        _("/jpat - your J-PAT partnership check-ins"),
        _("/meetings - your upcoming meetings, and your answer to each"),
        _("/cancel - stop what you are doing now (answers are kept)"),
        _("/language - change the language"),
        _("/timezone - change your time zone"),
        _("/quiet - hours when I should not message you"),
        _("/privacy - how your answers may be shown to funders"),
        _("/mydata - get a copy of everything stored about you"),
        _("/forget - delete your personal data"),
        _("/stop - stop reminders and surveys · /resume - start them again"),
    ]
    parts = [_("You can use these commands:"), "\n".join(lines)]
    if person.is_staff:
        staff_lines = [
            _("/invite - invite a partner organisation"),
            _("/invites - invitations still open, and revoking them"),
            _("/send - send a survey to partners"),
            _("/campaigns - surveys sent and their response rates"),
            _("/partnership - create or edit a partnership"),
            _("/jpat - open, view, consolidate and follow J-PAT rounds"),
            _("/meeting - schedule a review meeting · /meetings - upcoming meetings"),
            _("/summary - what partners said, with a chart"),
            _("/pending - who has not answered yet, and a reminder"),
            _("/export - answers as a CSV or Excel file"),
            _("/share - report back to partners what was heard"),
            _("/reports - confidential reports (safeguarding focal points only)"),
        ]
        if person.is_admin:
            staff_lines += [
                _("/staff add|remove|list - manage staff"),
                _("/staff safeguarding add|remove - name safeguarding focal points"),
                _("/audit - recent staff actions"),
            ]
        parts += [_("Staff commands:"), "\n".join(staff_lines)]
    return _.paragraphs(*parts)


def help_keyboard(person: Person) -> InlineKeyboardMarkup | None:
    if person.role == "stranger":
        return None
    _ = translator(person.lang)
    stopped = person.contact is not None and person.contact.stopped_at is not None
    return grid(
        [
            button(_("Language"), callbacks.data("help", "language")),
            button(_("Time zone"), callbacks.data("help", "timezone")),
            button(_("Quiet hours"), callbacks.data("help", "quiet")),
            button(_("Privacy"), callbacks.data("help", "privacy")),
            button(_("My data"), callbacks.data("help", "mydata")),
            button(_("Delete my data"), callbacks.data("help", "forget")),
            button(
                _("Resume reminders") if stopped else _("Stop reminders"),
                callbacks.data("help", "resume" if stopped else "stop"),
            ),
        ],
        2,
    )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    person = await person_of(update, context)
    _ = translator(person.lang)
    intro = _("I help our partners tell us how the partnership is going.")
    await send_text(
        context,
        update.effective_chat.id,
        _.paragraphs(intro, help_text(person)),
        person.lang,
        keyboard=help_keyboard(person),
    )


async def on_help_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    person = await person_of(update, context)
    pieces = callbacks.parts(update.callback_query.data, "help")
    actions = {
        "language": language_command,
        "timezone": timezone_command,
        "quiet": quiet_command,
        "privacy": privacy_command,
        "mydata": mydata_command,
        "forget": forget_command,
        "stop": stop_command,
        "resume": resume_command,
    }
    if pieces is None or pieces[1] not in actions or person.role == "stranger":
        await common.expired_button(update, context, person.lang)
        return
    await update.callback_query.answer()
    await actions[pieces[1]](update, context)


def partner_only(person: Person) -> bool:
    return person.role != "stranger"


async def _not_joined(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    _ = translator(person.lang)
    await send_text(
        context,
        update.effective_chat.id,
        _(
            "I don't have you registered yet. To join, please ask the NGO team for an "
            "invitation link."
        ),
        person.lang,
    )


# ---------------------------------------------------------------- language


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    person = await person_of(update, context)
    if not partner_only(person):
        await _not_joined(update, context, person)
        return
    _ = translator(person.lang)
    buttons = [
        button(name, callbacks.data("set", "lang", code))
        for code, name in language_choices(person.lang)
    ]
    await send_text(
        context,
        update.effective_chat.id,
        _("Which language would you like me to use?"),
        person.lang,
        keyboard=grid(buttons, 2),
    )


# ---------------------------------------------------------------- time zone


async def ask_timezone(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str, country: str | None, area: str
) -> None:
    svc = services(context)
    _ = translator(lang)
    now = svc.clock.now()
    zones = timezones.zones_for_country(country) or [svc.settings.default_timezone]
    buttons = [button(timezones.label(z, lang, now), callbacks.data(area, "tz", z)) for z in zones]
    buttons.append(button(_.pgettext("time zone", "Other"), callbacks.data(area, "tz", "other")))
    text = _("Which time zone are you in? I use it so that reminders reach you at a sensible hour.")
    if country:
        text = _.paragraphs(
            text, _("Time zones for {country}:", country=countries.name(country, lang))
        )
    text = _.paragraphs(text, _("Or type the name of your city."))  # taken at once, anywhere
    await send_text(context, chat_id, text, lang, keyboard=column(buttons))


async def ask_typed_zone(context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str) -> None:
    _ = translator(lang)
    await send_text(
        context,
        chat_id,
        _("Please type the name of your city, for example Nairobi, Kampala or Amman."),
        lang,
    )


async def match_typed_zone(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str, text: str, area: str
) -> str | None:
    """The zone for typed text, or None after offering suggestions / asking again."""
    svc = services(context)
    _ = translator(lang)
    found = timezones.resolve(text)
    if found.zone is not None:
        return found.zone
    now = svc.clock.now()
    suggestions = found.suggestions
    if found.choices:  # "عمان": Amman in Jordan, or Oman? Ask, naming each country.
        buttons = [
            button(timezones.place_label(z, lang, now), callbacks.data(area, "tz", z))
            for z in found.choices
        ]
        question = (
            _("Time zones for {country}:", country=countries.name(found.country, lang))
            if found.country
            else _('"{text}" can mean more than one place. Which one do you mean?', text=text[:60])
        )
        await send_text(context, chat_id, question, lang, keyboard=column(buttons))
    elif suggestions:
        buttons = [
            button(timezones.label(z, lang, now), callbacks.data(area, "tz", z))
            for z in suggestions
        ]
        await send_text(
            context,
            chat_id,
            _(
                'I couldn\'t find "{text}". Did you mean one of these? Or type the name again.',
                text=text[:60],
            ),
            lang,
            keyboard=column(buttons),
        )
    else:
        await send_text(
            context,
            chat_id,
            _(
                'I couldn\'t find "{text}". Please type a big city near you, for example Kampala, Beirut or Bogota.',
                text=text[:60],
            ),
            lang,
        )
    return None


async def timezone_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    person = await person_of(update, context)
    if not partner_only(person):
        await _not_joined(update, context, person)
        return
    _ = translator(person.lang)
    country = None
    async with svc.db.transaction() as session:
        if person.contact and person.contact.organisation_id:
            org = await organisations.get(session, person.contact.organisation_id)
            country = org.country if org else None
        await flows.put(session, person.user_id, FLOW, "timezone", {}, svc.clock.now())
    current = (
        timezones.label(person.contact.timezone, person.lang, svc.clock.now())
        if person.contact
        else ""
    )
    await send_text(
        context,
        update.effective_chat.id,
        _("Your time zone now: {zone}", zone=current),
        person.lang,
    )
    await ask_timezone(context, update.effective_chat.id, person.lang, country, "set")


# ---------------------------------------------------------------- quiet hours


def quiet_from_button(value: str) -> tuple[str, str] | None:
    hours = parse_range(value)
    return hours if hours in PRESETS else None


async def ask_quiet(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str, start: str, end: str, area: str
) -> None:
    _ = translator(lang)
    text = _(
        "I will not send you reminders between {start} and {end} your time. Is that right?",
        start=start,
        end=end,
    )
    buttons = [
        button(
            _("Yes, keep {start}–{end}", start=start, end=end),
            callbacks.data(area, "quiet", f"{start}-{end}"),
        )
    ]
    buttons += [
        button(f"{a}–{b}", callbacks.data(area, "quiet", f"{a}-{b}"))
        for a, b in PRESETS
        if (a, b) != (start, end)
    ]
    buttons.append(button(_("Choose other hours"), callbacks.data(area, "quiet", "other")))
    await send_text(context, chat_id, text, lang, keyboard=column(buttons))


async def ask_typed_quiet(context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str) -> None:
    _ = translator(lang)
    await send_text(
        context,
        chat_id,
        _("Please type when your quiet hours start and end, for example 22:00-07:00."),
        lang,
    )


async def match_typed_quiet(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str, text: str
) -> tuple[str, str] | None:
    _ = translator(lang)
    hours = parse_range(text)
    if hours is None:
        await send_text(
            context,
            chat_id,
            _(
                "I couldn't read that. Please type a start time and an end time, for example 22:00-07:00."
            ),
            lang,
        )
    return hours


async def quiet_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    person = await person_of(update, context)
    if not partner_only(person) or person.contact is None:
        await _not_joined(update, context, person)
        return
    async with svc.db.transaction() as session:
        await flows.put(session, person.user_id, FLOW, "quiet", {}, svc.clock.now())
    await ask_quiet(
        context,
        update.effective_chat.id,
        person.lang,
        person.contact.quiet_start,
        person.contact.quiet_end,
        "set",
    )


# ---------------------------------------------------------------- privacy (attribution)


async def privacy_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    person = await person_of(update, context)
    if not partner_only(person) or person.contact is None:
        await _not_joined(update, context, person)
        return
    _ = translator(person.lang)
    named = person.contact.attribution == "attributed"
    now_text = (
        _("Now: the NGO may name your organisation next to your answers in reports to funders.")
        if named
        else _("Now: your answers are only used in totals together with other partners.")
    )
    keyboard = column(
        [
            button(_("Yes, you may name us"), callbacks.data("set", "attr", "yes")),
            button(_("No, only in totals"), callbacks.data("set", "attr", "no")),
        ]
    )
    await send_text(
        context,
        update.effective_chat.id,
        _.paragraphs(now_text, _("What would you like?")),
        person.lang,
        keyboard=keyboard,
    )


# ---------------------------------------------------------------- my data, forget


async def mydata_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    person = await person_of(update, context)
    _ = translator(person.lang)
    chat_id = update.effective_chat.id
    if person.contact is None or person.contact.telegram_user_id is None:
        text = _.paragraphs(
            _("I have no personal data about you."),
            after_forgetting_text(_, svc.settings.privacy_threshold),
        )
        await send_text(context, chat_id, text, person.lang)
        return
    contact = person.contact
    async with svc.db.sessions() as session:
        org = (
            await organisations.get(session, contact.organisation_id)
            if contact.organisation_id
            else None
        )
        extra_sections = [
            await section(svc, session, contact, person.lang)
            for section in svc.registry.mydata_sections
        ]
    locale = translator(person.lang).locale
    shown_zone = (
        timezones.label(contact.timezone, person.lang, svc.clock.now())
        if timezones.is_zone(contact.timezone)
        else timezones.zone_label(contact.timezone, person.lang)
    )

    def when(moment: object) -> str:
        if moment is None:
            return "-"
        return format_datetime(
            moment, "medium", tzinfo=timezones_zone(contact.timezone), locale=locale
        )

    status_names = {
        "active": _("receiving reminders and surveys"),
        "stopped": _("stopped (no reminders or surveys)"),
        "blocked": _("bot blocked in Telegram"),
    }
    lines = [
        _("Everything stored about you"),
        "",
        _("Name: {name}", name=contact.display_name or "-"),
        _("Telegram user id: {id}", id=contact.telegram_user_id),
        _("Organisation: {org}", org=org.name if org else "-"),
        _("Role: {role}", role=_("staff") if contact.role in ("staff", "admin") else _("partner")),
        _("Language: {lang}", lang=NATIVE_NAMES.get(contact.language, contact.language)),
        _("Time zone: {zone}", zone=shown_zone),
        _("Quiet hours: {start}–{end}", start=contact.quiet_start, end=contact.quiet_end),
        _("Reminders: {status}", status=status_names.get(contact.status, contact.status)),
        _(
            "Reports to funders: {choice}",
            choice=_("may name your organisation")
            if contact.attribution == "attributed"
            else _("totals only"),
        ),
        _("Agreed to data use on: {when}", when=when(contact.consent_at)),
        _("Registered on: {when}", when=when(contact.created_at)),
    ]
    for part in extra_sections:
        if part:
            lines += ["", part]
    lines += ["", _("To delete your personal data, send /forget.")]
    # A text file has no Telegram to set its direction: each Arabic line starts right to left.
    body = bidi("\n".join(lines), person.lang).encode("utf-8")
    document = InputFile(io.BytesIO(body), filename="my-data.txt")
    await context.bot.send_document(
        chat_id, document, caption=_("Here is a copy of everything I store about you.")
    )


def timezones_zone(name: str):
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name)
    except Exception:
        return ZoneInfo("UTC")


# Later features (surveys, J-PAT) append coroutines that return a readable section or "".


def after_forgetting_text(_: Translator, threshold: int) -> str:
    """What /mydata tells someone the bot no longer knows. Nothing links a Telegram account to
    a forgotten person's answers any more (that is the point), so it cannot say how many were
    kept: it says what forgetting keeps, for anyone who used /forget."""
    return _(
        "If you deleted your data with /forget: we removed your name, your words and your "
        "place in every list. Answers you gave were kept only as numbers and choices, counted "
        "only in totals of at least {k} people, so nobody can trace them to you. Nothing links "
        "them to your Telegram account any more, so I cannot show them to you.",
        k=threshold,
    )


def kept_text(_: Translator, kept: contacts.Kept, threshold: int, *, done: bool) -> str:
    """How many answers stay as numbers and choices, and why nobody can trace them: said
    before the person confirms (``done=False``) and again once it is done."""
    if done:
        if not kept.answers:
            return _("We kept none of your answers.")
        return _.ngettext(
            "We kept {n} answer as a number or a choice, counted only in totals of at least "
            "{k} people, so nobody can trace it to you.",
            "We kept {n} answers as numbers and choices, counted only in totals of at least "
            "{k} people, so nobody can trace them to you.",
            kept.answers,
            k=threshold,
        )
    if not kept.answers:
        return _("None of your answers will be kept.")
    return _.ngettext(
        "We keep {n} answer as a number or a choice, counted only in totals of at least {k} "
        "people, so nobody can trace it to you.",
        "We keep {n} answers as numbers and choices, counted only in totals of at least {k} "
        "people, so nobody can trace them to you.",
        kept.answers,
        k=threshold,
    )


async def forget_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    person = await person_of(update, context)
    _ = translator(person.lang)
    if person.contact is None or person.contact.telegram_user_id is None:
        await send_text(
            context, update.effective_chat.id, _("I have no personal data about you."), person.lang
        )
        return
    async with svc.db.sessions() as session:
        kept = await contacts.what_forgetting_keeps(session, person.contact.id)
    keyboard = column(
        [
            button(_("Yes, delete my data"), callbacks.data("set", "forget", "yes")),
            button(_("No, keep it"), callbacks.data("set", "forget", "no")),
        ]
    )
    words = (
        _.ngettext(
            "Your words are erased: {n} answer you typed or recorded, and any comments you wrote.",
            "Your words are erased: {n} answers you typed or recorded, and any comments you wrote.",
            kept.words,
        )
        if kept.words
        else _("Your words are erased: any comments you wrote.")
    )
    text = _.paragraphs(
        _(
            "This deletes your name, the connection to your Telegram account and your "
            "settings, and takes you off every list that names people (partnerships, "
            "meetings, who has answered)."
        ),
        words,
        kept_text(_, kept, svc.settings.privacy_threshold, done=False),
        _("I will not message you again unless you join with a new invitation."),
        _("Do you want to delete your data?"),
    )
    await send_text(context, update.effective_chat.id, text, person.lang, keyboard=keyboard)


# ---------------------------------------------------------------- stop / resume


async def stop_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _set_stopped(update, context, stopped=True)


async def resume_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _set_stopped(update, context, stopped=False)


async def _set_stopped(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, stopped: bool
) -> None:
    svc = services(context)
    person = await person_of(update, context)
    if not partner_only(person) or person.contact is None:
        await _not_joined(update, context, person)
        return
    _ = translator(person.lang)
    async with svc.db.transaction() as session:
        contact = await contacts.by_telegram_id(session, person.user_id)
        if contact is not None:
            await contacts.set_status(session, contact, stopped=stopped, now=svc.clock.now())
    text = (
        _(
            "Done: I will not send you reminders or surveys. Send /resume whenever you want them again."
        )
        if stopped
        else _(
            "Welcome back: reminders and surveys will reach you again. Send /stop to pause them."
        )
    )
    await send_text(context, update.effective_chat.id, text, person.lang)


# ---------------------------------------------------------------- buttons and typed text


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``set:lang:xx``, ``set:tz:Zone|other``, ``set:quiet:…``, ``set:attr:yes|no``,
    ``set:forget:yes|no``."""
    svc = services(context)
    person = await person_of(update, context)
    query = update.callback_query
    pieces = callbacks.parts(query.data, "set", minimum=3)
    if pieces is None or person.contact is None or person.role == "stranger":
        await common.expired_button(update, context, person.lang)
        return
    action, value = pieces[1], ":".join(pieces[2:])
    now = svc.clock.now()
    chat_id = update.effective_chat.id
    if action == "lang" and value in NATIVE_NAMES:
        async with svc.db.transaction() as session:
            contact = await contacts.by_telegram_id(session, person.user_id)
            contact.language = value
            waiting = await surveys_store.open_responses(session, contact.id)
            current = next((r for r in waiting if r.status == "in_progress"), None)
            response_id = current.id if current is not None else None
            if current is not None:  # what follows in the survey comes in the new language
                current.language = value
        _ = translator(value)
        await common.close_keyboard(query, _("Language: {name}", name=NATIVE_NAMES[value]), value)
        await publish_chat_menu(context.bot, person.user_id, person.role, value)
        text = _("From now on I will write to you in this language.")
        keyboard = None
        if response_id is not None:
            # Mid-survey: offer the question again in the new language (the survey's own
            # "go" button: it turns this message into the current question).
            text = _.paragraphs(
                text,
                _("You were answering a survey. Your answers so far are saved."),
            )
            keyboard = column(
                [button(_("Continue the survey"), survey_button(response_id, "-", "go"))]
            )
        await send_text(context, chat_id, text, value, keyboard=keyboard)
        return
    _ = translator(person.lang)
    if action == "tz":
        if value == "other":
            await common.close_keyboard(query, _("Time zone: another one"), person.lang)
            async with svc.db.transaction() as session:
                await flows.put(session, person.user_id, FLOW, "timezone_typed", {}, now)
            await ask_typed_zone(context, chat_id, person.lang)
            return
        if not timezones.is_zone(value):
            await common.expired_button(update, context, person.lang)
            return
        await common.close_keyboard(
            query,
            _("Time zone: {zone}", zone=timezones.label(value, person.lang, now)),
            person.lang,
        )
        await _save_zone(context, person, value, chat_id)
        return
    if action == "quiet":
        if value == "other":
            await common.close_keyboard(query, _("Choose other hours"), person.lang)
            async with svc.db.transaction() as session:
                await flows.put(session, person.user_id, FLOW, "quiet_typed", {}, now)
            await ask_typed_quiet(context, chat_id, person.lang)
            return
        hours = parse_range(value)
        if hours is None:
            await common.expired_button(update, context, person.lang)
            return
        await common.close_keyboard(
            query, _("Quiet hours: {start}–{end}", start=hours[0], end=hours[1]), person.lang
        )
        await _save_quiet(context, person, hours, chat_id)
        return
    if action == "attr" and value in ("yes", "no"):
        async with svc.db.transaction() as session:
            contact = await contacts.by_telegram_id(session, person.user_id)
            contact.attribution = "attributed" if value == "yes" else "aggregate"
        shown = _("Yes, you may name us") if value == "yes" else _("No, only in totals")
        await common.close_keyboard(query, shown, person.lang)
        await send_text(
            context, chat_id, _("Saved. You can change this again with /privacy."), person.lang
        )
        return
    if action == "forget" and value in ("yes", "no"):
        if value == "no":
            await common.close_keyboard(query, _("No, keep it"), person.lang)
            await send_text(context, chat_id, _("Nothing was deleted."), person.lang)
            return
        await common.close_keyboard(query, _("Yes, delete my data"), person.lang)
        kept = contacts.Kept(answers=0, words=0)
        async with svc.db.transaction() as session:
            contact = await contacts.by_telegram_id(session, person.user_id)
            if contact is not None:
                kept = await contacts.forget(session, contact, now)
            await flows.clear(session, person.user_id)
        await publish_chat_menu(context.bot, person.user_id, "stranger", person.lang)
        text = _.paragraphs(
            _(
                "Your personal data has been deleted. We removed your name, your words and "
                "your place in every list."
            ),
            kept_text(_, kept, svc.settings.privacy_threshold, done=True),
            _("Thank you for the time you gave us."),
        )
        await send_text(context, chat_id, text, person.lang)
        return
    await common.expired_button(update, context, person.lang)


async def _save_zone(
    context: ContextTypes.DEFAULT_TYPE, person: Person, zone: str, chat_id: int
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.transaction() as session:
        contact = await contacts.by_telegram_id(session, person.user_id)
        contact.timezone = zone
        await flows.clear(session, person.user_id)
    await send_text(
        context,
        chat_id,
        _(
            "Saved. Your time zone is now {zone}.",
            zone=timezones.label(zone, person.lang, svc.clock.now()),
        ),
        person.lang,
    )


async def _save_quiet(
    context: ContextTypes.DEFAULT_TYPE, person: Person, hours: tuple[str, str], chat_id: int
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.transaction() as session:
        contact = await contacts.by_telegram_id(session, person.user_id)
        contact.quiet_start, contact.quiet_end = hours
        await flows.clear(session, person.user_id)
    await send_text(
        context,
        chat_id,
        _(
            "Saved. I will not message you between {start} and {end} your time.",
            start=hours[0],
            end=hours[1],
        ),
        person.lang,
    )


async def on_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> None:
    text = update.effective_message.text or ""
    chat_id = update.effective_chat.id
    if flow.step in ("timezone", "timezone_typed"):  # a city typed instead of a button
        zone = await match_typed_zone(context, chat_id, person.lang, text, "set")
        if zone is not None:
            await _save_zone(context, person, zone, chat_id)
        return
    if flow.step == "quiet_typed":
        hours = await match_typed_quiet(context, chat_id, person.lang, text)
        if hours is not None:
            await _save_quiet(context, person, hours, chat_id)
        return
    _ = translator(person.lang)
    await send_text(
        context, chat_id, _("Please choose one of the buttons above, or send /help."), person.lang
    )
