"""Staff set up partnerships (/partnership): organisation → start date → stage → J-PAT interval,
then change the start date, the stage, the interval or who is on the NGO side.

A start date in the future is asked about once ("keep it?") before it is used, in the wizard
and on the card alike.

Buttons carry ``pt:<action>[:<partnership>][:<value>]``. The creation wizard keeps its step in
the database (flow ``partnership``), so a press on an old wizard keyboard is recognised; edit
buttons name the partnership and the change, and apply only if the change still makes sense.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ContextTypes

from bot import callbacks
from bot.access import Person, log_staff_action, person_of, refuse, requires
from bot.handlers import common
from bot.i18n import Translator, translator
from bot.jpat_view import day
from bot.keyboards import button, column, grid
from bot.replies import send_text
from bot.services import services
from conversations import dates
from storage import contacts, flows, organisations, partnerships
from storage.models import ChatFlow, Contact, Partnership

FLOW = "partnership"
AREA = "pt"
#: Flow steps that wait for a typed date: the wizard's start date, a new one from the card,
#: and each of them after a date in the future, while "keep it?" is asked (typing another
#: date instead of pressing is fine).
DATE_STEPS = ("start", "start_future", "edit_start", "edit_future")
WIZARD_ACTIONS = ("new", "x", "org", "sd", "st", "cad", "fk", "fn")


def stage_name(stage: str, _: Translator) -> str:
    return {
        "inception": _("inception"),
        "ongoing": _("ongoing"),
        "closing": _("closing"),
    }.get(stage, stage)


def cadence_name(cadence: str, _: Translator) -> str:
    return {
        "monthly": _("every month"),
        "quarterly": _("every 3 months"),
        "biannual": _("every 6 months"),
        "annual": _("every year"),
        "none": _("no regular check-ins"),
    }.get(cadence, cadence)


def person_name(contact: Contact, _: Translator) -> str:
    if contact.display_name:
        return contact.display_name
    if contacts.not_started(contact) and contact.telegram_user_id is not None:
        # An admin (or staff added by id) who has not written to the bot yet.
        return _("Telegram user {id}", id=contact.telegram_user_id)
    return _("(no name)")


def typed_date(text: str, lang: str, today: date) -> date | None:
    """The date a staff member typed, or None: the one reader of dates (conversations.dates), so
    the forms and the order of day and month are the same as at every other date prompt."""
    return dates.parse_date(text, lang, today)


def date_example(context: ContextTypes.DEFAULT_TYPE, lang: str) -> str:
    """One start date typed the reader's way (a past day: start dates rarely lie ahead)."""
    return dates.example(lang, services(context).clock.now().date(), allow_future=False)


def zone_name(person: Person) -> str:
    return person.contact.timezone if person.contact else "UTC"


def today_of(now: datetime, person: Person) -> date:
    """Today in the staff member's time zone."""
    return now.astimezone(_zone(zone_name(person))).date()


# ------------------------------------------------------------------------------ /partnership


@requires("staff")
async def partnership_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
) -> None:
    args = context.args or []
    sub = args[0].lower() if args else "list"
    chat_id = update.effective_chat.id
    if sub == "new":
        await _start_wizard(context, chat_id, person)
    elif callbacks.is_number(sub.lstrip("#")):
        await show_card(context, chat_id, person, int(sub.lstrip("#")))
    else:
        await _list(context, chat_id, person)


async def _list(context: ContextTypes.DEFAULT_TYPE, chat_id: int, person: Person) -> None:
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.sessions() as session:
        rows = await partnerships.listing(session)
    await log_staff_action(svc, person, "partnership.list")
    zone = person.contact.timezone if person.contact else "UTC"
    if not rows:
        text = _("No partnership yet. Create one with the button below.")
    else:
        lines = [_("Partnerships:")]
        for row in rows:
            p = row.partnership
            lines.append(
                _(
                    "#{id} {name}: {stage}, J-PAT {cadence}, next check-in {date}; NGO side {ngo}, partner side {partner}",
                    id=p.id,
                    name=row.organisation,
                    stage=stage_name(p.stage, _),
                    cadence=cadence_name(p.cadence, _),
                    date=day(p.next_round_at, _, zone),
                    ngo=row.ngo_members,
                    partner=row.partner_members,
                )
            )
        text = "\n\n".join(lines)
    buttons = [
        button(
            _("Edit #{id} {name}", id=row.partnership.id, name=row.organisation),
            callbacks.data(AREA, "e", row.partnership.id),
        )
        for row in rows[:12]
    ]
    buttons.append(button(_("New partnership"), callbacks.data(AREA, "new")))
    await send_text(context, chat_id, text, person.lang, keyboard=column(buttons))


async def show_card(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, person: Person, partnership_id: int
) -> bool:
    """The partnership, its sides and the buttons to change it; False if it does not exist."""
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.sessions() as session:
        partnership = await partnerships.get(session, partnership_id)
        if partnership is None:
            await send_text(
                context,
                chat_id,
                _("There is no partnership #{id}.", id=partnership_id),
                person.lang,
            )
            return False
        members = await partnerships.members(session, partnership_id)
        active = await partnerships.has_active_round(session, partnership_id)
    await log_staff_action(svc, person, "partnership.view", subject=f"partnership:{partnership_id}")
    zone = person.contact.timezone if person.contact else "UTC"
    if partnership.next_round_at is not None:
        next_line = _("Next J-PAT check-in: {date}", date=day(partnership.next_round_at, _, zone))
    elif active:
        next_line = _("Next J-PAT check-in: planned once the current round is final")
    else:
        next_line = _("Next J-PAT check-in: none planned")

    def names(side: str) -> str:
        found = [person_name(c, _) for c, s in members if s == side]
        return ", ".join(found) if found else _("nobody yet")

    text = "\n".join(
        [
            _("Partnership #{id}: {name}", id=partnership.id, name=partnership.name or ""),
            _("Started: {date}", date=day(partnership.start_date, _)),
            _("Stage: {stage}", stage=stage_name(partnership.stage, _)),
            _("J-PAT check-ins: {cadence}", cadence=cadence_name(partnership.cadence, _)),
            next_line,
            _("NGO side: {names}", names=names("ngo")),
            _("Partner side: {names}", names=names("partner")),
        ]
    )
    pid = partnership.id
    keyboard = column(
        [
            button(_("Change the start date"), callbacks.data(AREA, "ed", pid)),
            button(_("Change the stage"), callbacks.data(AREA, "es", pid)),
            button(_("Change the J-PAT interval"), callbacks.data(AREA, "ec", pid)),
            button(_("Add an NGO colleague"), callbacks.data(AREA, "ea", pid)),
            button(_("Remove an NGO colleague"), callbacks.data(AREA, "er", pid)),
        ]
    )
    await send_text(context, chat_id, text, person.lang, keyboard=keyboard)
    return True


# ------------------------------------------------------------------------------ the wizard


async def _start_wizard(context: ContextTypes.DEFAULT_TYPE, chat_id: int, person: Person) -> None:
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.transaction() as session:
        orgs = await organisations.listing(session, limit=20)
        if orgs:
            await flows.put(session, person.user_id, FLOW, "org", {}, svc.clock.now())
    if not orgs:
        await send_text(
            context,
            chat_id,
            _("There is no partner organisation yet. Invite one with /invite first."),
            person.lang,
        )
        return
    buttons = [button(org.name, callbacks.data(AREA, "org", org.id)) for org, _n in orgs]
    buttons.append(button(_("Cancel"), callbacks.data(AREA, "x")))
    await send_text(
        context,
        chat_id,
        _("New partnership. Which partner organisation is it with?"),
        person.lang,
        keyboard=column(buttons),
    )


async def _ask_start(context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str) -> None:
    _ = translator(lang)
    keyboard = grid(
        [
            button(_("Today"), callbacks.data(AREA, "sd", "today")),
            button(_("Cancel"), callbacks.data(AREA, "x")),
        ]
    )
    await send_text(
        context,
        chat_id,
        _(
            "When did the partnership start? Type the date, for example {example}, or press Today.",
            example=date_example(context, lang),
        ),
        lang,
        keyboard=keyboard,
    )


async def _ask_stage(context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str) -> None:
    _ = translator(lang)
    buttons = [button(stage_name(s, _), callbacks.data(AREA, "st", s)) for s in partnerships.STAGES]
    await send_text(
        context, chat_id, _("Which stage is the partnership in?"), lang, keyboard=column(buttons)
    )


def _cadence_buttons(_: Translator, *prefix: object) -> list:
    return [
        button(cadence_name(c, _), callbacks.data(AREA, *prefix, c)) for c in partnerships.CADENCES
    ]


async def _ask_cadence(context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str) -> None:
    _ = translator(lang)
    await send_text(
        context,
        chat_id,
        _("How often will both sides do the J-PAT check-in? (Usually every 3 months.)"),
        lang,
        keyboard=column(_cadence_buttons(_, "cad")),
    )


async def on_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> None:
    """The start date, typed."""
    svc = services(context)
    _ = translator(person.lang)
    chat_id = update.effective_chat.id
    if not person.is_staff:
        async with svc.db.transaction() as session:
            await flows.clear(session, person.user_id)
        await refuse(update, context, person)
        return
    if flow.step not in DATE_STEPS:
        await send_text(context, chat_id, _("Please use the buttons above."), person.lang)
        return
    today = today_of(svc.clock.now(), person)
    started = typed_date(update.effective_message.text or "", person.lang, today)
    if started is None:
        await send_text(
            context,
            chat_id,
            _(
                "Please type a date, for example {example}.",
                example=date_example(context, person.lang),
            ),
            person.lang,
        )
        return
    if started > today:
        await _ask_keep_future(context, chat_id, person, flow, started)
        return
    if flow.step in ("edit_start", "edit_future"):
        await _save_start(context, chat_id, person, flow, started)
        return
    await _chose_start(context, chat_id, person, flow, started)


async def _ask_keep_future(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, person: Person, flow: ChatFlow, when: date
) -> None:
    """A typed start date after today: probably a slip, so ask before using it."""
    svc = services(context)
    _ = translator(person.lang)
    editing = flow.step in ("edit_start", "edit_future")
    step = "edit_future" if editing else "start_future"
    async with svc.db.transaction() as session:
        await flows.put(
            session,
            person.user_id,
            FLOW,
            step,
            {**flow.data, "future": when.isoformat()},
            svc.clock.now(),
        )
    keyboard = column(
        [
            button(_("Yes, keep it"), callbacks.data(AREA, "fk")),
            button(_("No, type another date"), callbacks.data(AREA, "fn")),
            button(_("Cancel"), callbacks.data(AREA, "x")),
        ]
    )
    await send_text(
        context,
        chat_id,
        _("{date} is in the future. Keep it as the start date?", date=day(when, _)),
        person.lang,
        keyboard=keyboard,
    )


async def _ask_new_start(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, person: Person, pid: int
) -> None:
    """The card's "Change the start date": wait for the date, typed (or Today)."""
    svc = services(context)
    async with svc.db.transaction() as session:
        await flows.put(session, person.user_id, FLOW, "edit_start", {"pid": pid}, svc.clock.now())
    await _ask_start(context, chat_id, person.lang)


async def _save_start(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, person: Person, flow: ChatFlow, when: date
) -> None:
    """The new start date from the card: saved, audited, and the card shown again."""
    svc = services(context)
    _ = translator(person.lang)
    pid = int(flow.data.get("pid", 0))
    async with svc.db.transaction() as session:
        row = await partnerships.get(session, pid)
        before = (
            await partnerships.set_start_date(session, row, when, svc.clock.now())
            if row is not None
            else None
        )
        await flows.clear(session, person.user_id)
    if row is None:
        await send_text(context, chat_id, _("There is no partnership #{id}.", id=pid), person.lang)
        return
    await log_staff_action(
        svc,
        person,
        "partnership.start_date",
        f"partnership:{pid}",
        {"start": when.isoformat(), "was": before.isoformat() if before else None},
    )
    await send_text(context, chat_id, _("Start date: {date}", date=day(when, _)), person.lang)
    await show_card(context, chat_id, person, pid)


async def _chose_start(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    person: Person,
    flow: ChatFlow,
    started: date,
    *,
    said: bool = False,
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    data = {k: v for k, v in flow.data.items() if k != "future"}
    async with svc.db.transaction() as session:
        await flows.put(
            session,
            person.user_id,
            FLOW,
            "stage",
            {**data, "start": started.isoformat()},
            svc.clock.now(),
        )
    if not said:  # "keep it?" already shows the date on the pressed message
        await send_text(
            context, chat_id, _("Start date: {date}", date=day(started, _)), person.lang
        )
    await _ask_stage(context, chat_id, person.lang)


async def _create(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, person: Person, data: dict, cadence: str
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        partnership = await partnerships.create(
            session,
            organisation_id=int(data["org"]),
            start_date=date.fromisoformat(data["start"]),
            stage=data["stage"],
            cadence=cadence,
            created_by=person.contact_id,
            now=now,
        )
        partner_side = await partnerships.members(session, partnership.id, "partner")
        await flows.clear(session, person.user_id)
    await log_staff_action(
        svc,
        person,
        "partnership.create",
        subject=f"partnership:{partnership.id}",
        details={"organisation": int(data["org"]), "stage": data["stage"], "cadence": cadence},
    )
    lines = [_("Partnership #{id} with {name} created.", id=partnership.id, name=partnership.name)]
    if not partner_side:
        lines.append(
            _(
                "Nobody from this organisation has joined the bot yet: they join the partner side when they do."
            )
        )
    await send_text(context, chat_id, "\n".join(lines), person.lang)
    await show_card(context, chat_id, person, partnership.id)


# ------------------------------------------------------------------------------ buttons


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    person = await person_of(update, context)
    if not person.is_staff:
        await refuse(update, context, person)
        return
    query = update.callback_query
    pieces = callbacks.parts(query.data, AREA)
    if pieces is None:
        await common.expired_button(update, context, person.lang)
        return
    action, args = pieces[1], pieces[2:]
    if action in WIZARD_ACTIONS:
        await _wizard_button(update, context, person, action, args)
        return
    if not args or not callbacks.is_number(args[0]):
        await common.expired_button(update, context, person.lang)
        return
    async with svc.db.sessions() as session:
        partnership = await partnerships.get(session, int(args[0]))
    if partnership is None:
        await common.expired_button(update, context, person.lang)
        return
    await _edit_button(update, context, person, partnership, action, args[1:])


async def _wizard_button(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    action: str,
    args: list[str],
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    query = update.callback_query
    chat_id = update.effective_chat.id
    if action == "new":
        await common.close_keyboard(query, _("New partnership"), person.lang)
        await _start_wizard(context, chat_id, person)
        return
    async with svc.db.sessions() as session:
        flow = await flows.get(session, person.user_id)
    if flow is None or flow.flow != FLOW:
        await common.expired_button(update, context, person.lang)
        return
    arg = args[0] if args else None
    now = svc.clock.now()
    if action == "x":
        async with svc.db.transaction() as session:
            await flows.clear(session, person.user_id)
        await common.close_keyboard(query, _("Cancelled."), person.lang)
        return
    if action == "org" and flow.step == "org" and arg and callbacks.is_number(arg):
        async with svc.db.transaction() as session:
            org = await organisations.get(session, int(arg))
            if org is not None:
                await flows.put(session, person.user_id, FLOW, "start", {"org": org.id}, now)
        if org is None:
            await common.expired_button(update, context, person.lang)
            return
        await common.close_keyboard(query, _("Organisation: {name}", name=org.name), person.lang)
        await _ask_start(context, chat_id, person.lang)
        return
    if action == "sd" and flow.step in ("start", "edit_start") and arg == "today":
        await common.close_keyboard(query, _("Today"), person.lang)
        today = today_of(now, person)
        if flow.step == "edit_start":
            await _save_start(context, chat_id, person, flow, today)
        else:
            await _chose_start(context, chat_id, person, flow, today)
        return
    future = flow.data.get("future")
    if action in ("fk", "fn") and flow.step in ("start_future", "edit_future") and future:
        when = date.fromisoformat(str(future))
        if action == "fn":
            back = "edit_start" if flow.step == "edit_future" else "start"
            data = {k: v for k, v in flow.data.items() if k != "future"}
            async with svc.db.transaction() as session:
                await flows.put(session, person.user_id, FLOW, back, data, now)
            await common.close_keyboard(
                query,
                _(
                    "Please type a date, for example {example}.",
                    example=date_example(context, person.lang),
                ),
                person.lang,
            )
            return
        await common.close_keyboard(query, _("Start date: {date}", date=day(when, _)), person.lang)
        if flow.step == "edit_future":
            await _save_start(context, chat_id, person, flow, when)
        else:
            await _chose_start(context, chat_id, person, flow, when, said=True)
        return
    if action == "st" and flow.step == "stage" and arg in partnerships.STAGES:
        async with svc.db.transaction() as session:
            await flows.put(
                session, person.user_id, FLOW, "cadence", {**flow.data, "stage": arg}, now
            )
        await common.close_keyboard(
            query, _("Stage: {stage}", stage=stage_name(arg, _)), person.lang
        )
        await _ask_cadence(context, chat_id, person.lang)
        return
    if action == "cad" and flow.step == "cadence" and arg in partnerships.CADENCES:
        await common.close_keyboard(
            query, _("J-PAT check-ins: {cadence}", cadence=cadence_name(arg, _)), person.lang
        )
        await _create(context, chat_id, person, flow.data, arg)
        return
    await common.expired_button(update, context, person.lang)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


async def _edit_button(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    partnership: Partnership,
    action: str,
    args: list[str],
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    query = update.callback_query
    chat_id = update.effective_chat.id
    pid = partnership.id
    arg = args[0] if args else None
    now = svc.clock.now()
    subject = f"partnership:{pid}"

    if action == "e":
        await query.answer()
        await show_card(context, chat_id, person, pid)
        return
    if action == "ed":
        await query.answer()
        await _ask_new_start(context, chat_id, person, pid)
        return
    if action == "es":
        await query.answer()
        buttons = [
            button(stage_name(s, _), callbacks.data(AREA, "ss", pid, s))
            for s in partnerships.STAGES
        ]
        await send_text(
            context,
            chat_id,
            _("Which stage is the partnership in now?"),
            person.lang,
            keyboard=column(buttons),
        )
        return
    if action == "ec":
        await query.answer()
        await send_text(
            context,
            chat_id,
            _("How often should both sides do the J-PAT check-in?"),
            person.lang,
            keyboard=column(_cadence_buttons(_, "sc", pid)),
        )
        return
    if action == "ss" and arg in partnerships.STAGES:
        async with svc.db.transaction() as session:
            row = await partnerships.get(session, pid)
            await partnerships.set_stage(session, row, arg, now)
        await log_staff_action(svc, person, "partnership.stage", subject, {"stage": arg})
        await common.close_keyboard(
            query, _("Stage: {stage}", stage=stage_name(arg, _)), person.lang
        )
        await show_card(context, chat_id, person, pid)
        return
    if action == "sc" and arg in partnerships.CADENCES:
        async with svc.db.transaction() as session:
            row = await partnerships.get(session, pid)
            await partnerships.set_cadence(session, row, arg, now)
        await log_staff_action(svc, person, "partnership.cadence", subject, {"cadence": arg})
        await common.close_keyboard(
            query, _("J-PAT check-ins: {cadence}", cadence=cadence_name(arg, _)), person.lang
        )
        await show_card(context, chat_id, person, pid)
        return
    if action == "ea":
        async with svc.db.sessions() as session:
            candidates = await partnerships.staff_not_on_ngo_side(session, pid)
        await query.answer()
        if not candidates:
            await send_text(
                context,
                chat_id,
                _("Every staff member is already on the NGO side of this partnership."),
                person.lang,
            )
            return
        buttons = [
            button(person_name(c, _), callbacks.data(AREA, "am", pid, c.id))
            for c in candidates[:20]
        ]
        await send_text(
            context,
            chat_id,
            _("Who should join the NGO side?"),
            person.lang,
            keyboard=column(buttons),
        )
        return
    if action == "er":
        async with svc.db.sessions() as session:
            ngo = await partnerships.members(session, pid, "ngo")
        await query.answer()
        buttons = [
            button(person_name(c, _), callbacks.data(AREA, "rm", pid, c.id)) for c, _s in ngo
        ]
        await send_text(
            context,
            chat_id,
            _("Who should leave the NGO side?"),
            person.lang,
            keyboard=column(buttons) if buttons else None,
        )
        return
    if action in ("am", "rm") and arg and callbacks.is_number(arg):
        await _change_member(update, context, person, pid, action, int(arg))
        return
    await common.expired_button(update, context, person.lang)


async def _change_member(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    pid: int,
    action: str,
    contact_id: int,
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    query = update.callback_query
    async with svc.db.transaction() as session:
        contact = await session.get(Contact, contact_id)
        side = await partnerships.side_of(session, pid, contact_id)
        ngo = await partnerships.members(session, pid, "ngo")
        if action == "am":
            ok = contact is not None and contact.role in partnerships.STAFF_ROLES and side is None
            if ok:
                await partnerships.add_member(session, pid, contact_id, "ngo")
        else:
            ok = side == "ngo" and len(ngo) > 1
            if ok:
                await partnerships.remove_member(session, pid, contact_id)
    if not ok:
        if action == "rm" and side == "ngo":
            await query.answer(_("The NGO side needs at least one member."))
        else:
            await common.expired_button(update, context, person.lang)
        return
    name = person_name(contact, _)
    if action == "am":
        await log_staff_action(
            svc, person, "partnership.member_add", f"partnership:{pid}", {"contact": contact_id}
        )
        shown = _("{name} joined the NGO side.", name=name)
    else:
        await log_staff_action(
            svc, person, "partnership.member_remove", f"partnership:{pid}", {"contact": contact_id}
        )
        shown = _("{name} left the NGO side.", name=name)
    await common.close_keyboard(query, shown, person.lang)
    await show_card(context, update.effective_chat.id, person, pid)
