"""After the joint meeting: staff record the agreed J-PAT, the partner side confirms or disputes.

Recording is a wizard over the statements, largest gaps first (flow ``jpat_cons``, kept in the
database): the agreed score by button; for flagged statements also the action (typed), its
owner side and its due date (buttons, or a typed date). Each answer is stored at once. Then the
consolidated J-PAT goes to every partner-side member with Confirm / Dispute. A dispute asks for
a comment (flow ``jpat_dispute``) and returns the round to staff; a confirmation makes it final.

Buttons: ``jp:cs:<partnership>`` start · ``jp:sc:<round>:<i>:<score>`` agreed score of the i-th
statement · ``jp:ka:<round>:<i>`` keep the action recorded before · ``jp:ow:<round>:<i>:<side>``
owner · ``jp:du:<round>:<i>:<days>`` due · ``jp:sd:<round>:0`` send for sign-off ·
``jp:sg:<partnership>`` show what awaits confirmation · ``jp:ok|no:<round>:<version>`` confirm
or dispute (the version is the sign-off request's id, so an older version's buttons are stale).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import callbacks, jpat_view
from bot.access import Person, log_staff_action, refuse
from bot.handlers import common
from bot.handlers.jpat_access import (
    Seat,
    ack,
    current_round,
    partnership_name,
    say,
    send_soon,
    survey_of,
    today_for,
    zone_of,
)
from bot.i18n import translator
from bot.keyboards import button, column, grid
from bot.replies import send_text
from bot.services import Services, services
from conversations import Survey, dates
from conversations.validation import FREE_TEXT_LIMIT
from storage import flows, partnerships
from storage import jpat as store
from storage.models import ChatFlow, JpatRound

log = logging.getLogger(__name__)
AREA = "jp"
FLOW = "jpat_cons"
DISPUTE_FLOW = "jpat_dispute"
DUE_DAYS = (14, 30, 90)
MAX_ACTION = FREE_TEXT_LIMIT  # one limit for all free text (conversations.validation)
STEP_OF = {"sc": "score", "ka": "action", "ow": "owner", "du": "due", "sd": "review"}
STAFF_ACTIONS = {"cs", *STEP_OF}
ROUND_ACTIONS = {*STEP_OF, "ok", "no"}


# ------------------------------------------------------------------------------ start


async def start(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, place: Seat
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    round_ = await current_round(svc, place)
    if round_ is None or round_.status not in store.CONSOLIDATABLE_STATUSES:
        if round_ is None:
            text = _("There has been no J-PAT round for {name} yet.", name=place.name)
        elif round_.status == "open":
            text = _(
                "Round {n} is still open. Record the agreed J-PAT after it has closed and both sides have met.",
                n=round_.number,
            )
        else:
            text = _("Round {n} is already final.", n=round_.number)
        await ack(update)
        await say(update, context, person, text)
        return
    survey = await survey_of(svc, round_)
    if survey is None:
        await common.expired_button(update, context, person.lang)
        return
    async with svc.db.transaction() as session:
        figures = store.by_gap(
            await store.comparison(session, round_.id, jpat_view.item_keys(survey))
        )
        data = {
            "round": round_.id,
            "keys": [f.key for f in figures],
            "flagged": [f.key for f in figures if f.flagged],
            "i": 0,
        }
        await flows.put(session, person.user_id, FLOW, "score", data, svc.clock.now())
    await log_staff_action(
        svc,
        person,
        "jpat.consolidate_start",
        subject=f"partnership:{place.partnership.id}",
        details={"round": round_.id},
    )
    parts = []
    if round_.status == "disputed" and round_.dispute_comment:
        parts.append(
            _(
                "The partner side disputed the last version. Their comment: {comment}",
                comment=round_.dispute_comment,
            )
        )
    parts.append(
        _(
            "Record the agreed J-PAT of round {n}, one statement at a time, largest gaps first. "
            "For statements marked {flag} you also record the action agreed, who owns it and when it is due.",
            n=round_.number,
            flag=jpat_view.FLAG,
        )
    )
    await ack(update)
    await say(update, context, person, _.paragraphs(*parts))
    await _ask_score(context, update.effective_chat.id, person, round_, survey, data)


async def _ask_score(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    person: Person,
    round_: JpatRound,
    survey: Survey,
    data: dict,
) -> None:
    svc = services(context)
    index = int(data["i"])
    key = data["keys"][index]
    async with svc.db.sessions() as session:
        [figure] = await store.comparison(session, round_.id, [key])
        current = (await store.items(session, round_.id)).get(key)
    text = jpat_view.item_card(
        survey,
        figure,
        position=index + 1,
        total=len(data["keys"]),
        current=current,
        lang=person.lang,
    )
    keyboard = grid(
        [
            button(str(score), callbacks.data(AREA, "sc", round_.id, index, score))
            for score in range(1, 6)
        ],
        per_row=5,
    )
    await say_to(context, chat_id, person, text, keyboard)


async def say_to(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    person: Person,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    await send_text(context, chat_id, text, person.lang, keyboard=keyboard)


# ------------------------------------------------------------------------------ the wizard's buttons


async def on_round_button(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    action: str,
    round_id: int,
    rest: list[str],
) -> None:
    svc = services(context)
    async with svc.db.sessions() as session:
        round_ = await store.get_round(session, round_id)
    if round_ is None:
        await common.expired_button(update, context, person.lang)
        return
    if action in ("ok", "no"):
        await _sign(update, context, person, round_, action, rest)
        return
    async with svc.db.sessions() as session:
        flow = await flows.get(session, person.user_id)
    fresh = (
        flow is not None
        and flow.flow == FLOW
        and flow.data.get("round") == round_id
        and flow.step == STEP_OF[action]
        and rest
        and rest[0] == str(flow.data.get("i"))
        and round_.status in store.CONSOLIDATABLE_STATUSES
    )
    survey = await survey_of(svc, round_) if fresh else None
    if not fresh or survey is None:
        await common.expired_button(update, context, person.lang)
        return
    arg = rest[1] if len(rest) > 1 else None
    if action == "sc" and arg in ("1", "2", "3", "4", "5"):
        await _scored(update, context, person, round_, survey, flow, int(arg))
    elif action == "ka":
        await _kept_action(update, context, person, round_, flow)
    elif action == "ow" and arg in store.OWNERS:
        await _owned(update, context, person, flow, arg)
    elif action == "du" and arg and callbacks.is_number(arg) and int(arg) in DUE_DAYS:
        _ = translator(person.lang)
        due = today_for(svc, zone_of(person)) + timedelta(days=int(arg))
        await common.close_keyboard(
            update.callback_query,
            _("Due by {date}", date=jpat_view.day(due, _)),
            person.lang,
        )
        await _action_recorded(context, update.effective_chat.id, person, round_, survey, flow, due)
    elif action == "sd":
        await _send_for_signoff(update, context, person, round_, survey, flow)
    else:
        await common.expired_button(update, context, person.lang)


async def _goto(svc: Services, person: Person, step: str, data: dict) -> None:
    async with svc.db.transaction() as session:
        await flows.put(session, person.user_id, FLOW, step, data, svc.clock.now())


async def _scored(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    round_: JpatRound,
    survey: Survey,
    flow: ChatFlow,
    score: int,
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    key = flow.data["keys"][int(flow.data["i"])]
    async with svc.db.transaction() as session:
        await store.set_agreed_score(
            session,
            round_id=round_.id,
            key=key,
            score=score,
            by=person.contact_id,
            now=svc.clock.now(),
        )
        current = (await store.items(session, round_.id)).get(key)
    await common.close_keyboard(
        update.callback_query,
        f"{jpat_view.item_label(survey, key, person.lang)}\n✓ "
        + _("Agreed score: {score}", score=score),
        person.lang,
    )
    chat_id = update.effective_chat.id
    if key not in flow.data["flagged"]:
        await _next(context, chat_id, person, round_, survey, flow.data)
        return
    await _goto(svc, person, "action", flow.data)
    keyboard = None
    if current is not None and current.action_text:
        keyboard = column(
            [
                button(
                    _("Keep: {action}", action=current.action_text[:40]),
                    callbacks.data(AREA, "ka", round_.id, flow.data["i"]),
                )
            ]
        )
    await say_to(
        context,
        chat_id,
        person,
        _(
            "{flag} {item} was flagged. What action did both sides agree on? Please type it in a sentence or two.",
            flag=jpat_view.FLAG,
            item=jpat_view.item_code(key),
        ),
        keyboard,
    )


async def _kept_action(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    round_: JpatRound,
    flow: ChatFlow,
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    key = flow.data["keys"][int(flow.data["i"])]
    async with svc.db.sessions() as session:
        current = (await store.items(session, round_.id)).get(key)
    if current is None or not current.action_text:
        await common.expired_button(update, context, person.lang)
        return
    await common.close_keyboard(update.callback_query, current.action_text, person.lang)
    await _ask_owner(context, update.effective_chat.id, person, {**flow.data}, current.action_text)


async def _ask_owner(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, person: Person, data: dict, action: str
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    data = {**data, "action": action}
    await _goto(svc, person, "owner", data)
    buttons = [
        button(
            jpat_view.owner_name(owner, _),
            callbacks.data(AREA, "ow", data["round"], data["i"], owner),
        )
        for owner in store.OWNERS
    ]
    await say_to(context, chat_id, person, _("Who owns this action?"), grid(buttons, 3))


async def _owned(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow, owner: str
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    data = {**flow.data, "owner": owner}
    await _goto(svc, person, "due", data)
    await common.close_keyboard(
        update.callback_query,
        _("Owner: {owner}", owner=jpat_view.owner_name(owner, _)),
        person.lang,
    )
    labels = {14: _("In 2 weeks"), 30: _("In 1 month"), 90: _("In 3 months")}
    buttons = [
        button(labels[days], callbacks.data(AREA, "du", data["round"], data["i"], days))
        for days in DUE_DAYS
    ]
    await say_to(
        context,
        update.effective_chat.id,
        person,
        _(
            "When is it due? Press a button or type a date, for example {example}.",
            example=dates.example(
                person.lang, today_for(services(context), zone_of(person)), allow_past=False
            ),
        ),
        grid(buttons, 3),
    )


async def _action_recorded(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    person: Person,
    round_: JpatRound,
    survey: Survey,
    flow: ChatFlow,
    due: date,
) -> None:
    svc = services(context)
    data = flow.data
    key = data["keys"][int(data["i"])]
    async with svc.db.transaction() as session:
        await store.set_action(
            session,
            round_id=round_.id,
            key=key,
            text=data["action"],
            owner=data["owner"],
            due=due,
            by=person.contact_id,
            now=svc.clock.now(),
        )
    clean = {k: v for k, v in data.items() if k not in ("action", "owner")}
    await _next(context, chat_id, person, round_, survey, clean)


async def _next(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    person: Person,
    round_: JpatRound,
    survey: Survey,
    data: dict,
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    index = int(data["i"]) + 1
    if index < len(data["keys"]):
        data = {**data, "i": index}
        await _goto(svc, person, "score", data)
        await _ask_score(context, chat_id, person, round_, survey, data)
        return
    data = {**data, "i": 0}
    await _goto(svc, person, "review", data)
    async with svc.db.sessions() as session:
        items = await store.items(session, round_.id)
        partnership = await partnerships.get(session, round_.partnership_id)
    text = jpat_view.consolidation_text(
        survey,
        name=partnership_name(partnership),
        round_=round_,
        items=items,
        lang=person.lang,
    )
    keyboard = column(
        [
            button(
                _("Send to the partner side to confirm"),
                callbacks.data(AREA, "sd", round_.id, 0),
            ),
            button(_("Start again"), callbacks.data(AREA, "cs", round_.partnership_id)),
        ]
    )
    await say_to(
        context,
        chat_id,
        person,
        _.paragraphs(text, _("Is this what both sides agreed?")),
        keyboard,
    )


async def _send_for_signoff(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    round_: JpatRound,
    survey: Survey,
    flow: ChatFlow,
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        items = await store.items(session, round_.id)
        missing = [
            key
            for key in flow.data["keys"]
            if key not in items
            or items[key].agreed_score is None
            or (key in flow.data["flagged"] and not items[key].action_text)
        ]
        sent = None
        if not missing:
            row = await store.get_round(session, round_.id)
            sent = await store.send_for_signoff(session, row, by=person.contact_id, now=now)
            await flows.clear(session, person.user_id)
    if missing:
        await update.callback_query.answer(
            _(
                "Some statements are not recorded yet: {items}. Please start again.",
                items=", ".join(jpat_view.item_code(k) for k in missing),
            )
        )
        return
    if sent is None:  # the partner side confirmed it a moment ago: nothing left to send
        await common.expired_button(update, context, person.lang)
        return
    stamp, asked = sent
    await log_staff_action(
        svc,
        person,
        "jpat.consolidate",
        subject=f"partnership:{round_.partnership_id}",
        details={"round": round_.id, "version": stamp, "asked": asked},
    )
    await common.close_keyboard(update.callback_query, _("Sent to the partner side."), person.lang)
    if asked:
        text = _.ngettext(
            "The agreed J-PAT is on its way to {n} person on the partner side, who can confirm it or dispute it.",
            "The agreed J-PAT is on its way to {n} people on the partner side, who can confirm it or dispute it.",
            asked,
        )
    else:
        text = _("Nobody on the partner side can receive it yet: it waits for them in /jpat.")
    await say(update, context, person, text)
    send_soon(context)


async def on_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> None:
    """Typed text during the wizard: the action (step "action") or a due date (step "due")."""
    svc = services(context)
    _ = translator(person.lang)
    chat_id = update.effective_chat.id
    if not person.is_staff:
        async with svc.db.transaction() as session:
            await flows.clear(session, person.user_id)
        await refuse(update, context, person)
        return
    text = (update.effective_message.text or "").strip()
    async with svc.db.sessions() as session:
        round_ = await store.get_round(session, int(flow.data.get("round", 0)))
    survey = await survey_of(svc, round_) if round_ is not None else None
    if round_ is None or survey is None or round_.status not in store.CONSOLIDATABLE_STATUSES:
        async with svc.db.transaction() as session:
            await flows.clear(session, person.user_id)
        await say(update, context, person, _("This J-PAT can no longer be changed."))
        return
    if flow.step == "action":
        if not text:
            await say(update, context, person, _("Please type the action."))
            return
        if len(text) > MAX_ACTION:
            await say(
                update,
                context,
                person,
                common.too_long(person.lang),
            )
            return
        await _ask_owner(context, chat_id, person, flow.data, text)
        return
    if flow.step == "due":
        today = today_for(svc, zone_of(person))
        due = dates.parse_date(text, person.lang, today, allow_past=False)
        if due is None:
            await say(
                update,
                context,
                person,
                _(
                    "Please type a date from today on, for example {example}.",
                    example=dates.example(person.lang, today, allow_past=False),
                ),
            )
            return
        await _action_recorded(context, chat_id, person, round_, survey, flow, due)
        return
    await say(update, context, person, _("Please use the buttons above."))


# ------------------------------------------------------------------------------ sign-off


async def signoff_message(
    svc: Services, round_: JpatRound, stamp: int, lang: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The consolidated J-PAT with Confirm / Dispute, for a partner-side member."""
    _ = translator(lang)
    survey = await survey_of(svc, round_)
    async with svc.db.sessions() as session:
        items = await store.items(session, round_.id)
        partnership = await partnerships.get(session, round_.partnership_id)
    if survey is None or partnership is None:
        return _("This J-PAT is no longer available."), None
    text = _.paragraphs(
        jpat_view.consolidation_text(
            survey, name=partnership_name(partnership), round_=round_, items=items, lang=lang
        ),
        _(
            "Is this what both sides agreed at the joint meeting? Please confirm it, or dispute it with a comment."
        ),
    )
    keyboard = grid(
        [
            button(_("Confirm ✓"), callbacks.data(AREA, "ok", round_.id, stamp)),
            button(_("Dispute"), callbacks.data(AREA, "no", round_.id, stamp)),
        ]
    )
    return text, keyboard


async def show_signoff(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, place: Seat
) -> None:
    """``jp:sg``: what awaits the partner side's confirmation, again (a lost message)."""
    svc = services(context)
    _ = translator(person.lang)
    round_ = await current_round(svc, place)
    async with svc.db.sessions() as session:
        stamp = await store.current_stamp(session, round_.id) if round_ else None
    await ack(update)
    if (
        round_ is None
        or round_.status != "consolidated"
        or stamp is None
        or place.side != "partner"
    ):
        await say(update, context, person, _("There is nothing to confirm right now."))
        return
    text, keyboard = await signoff_message(svc, round_, stamp, person.lang)
    await say(update, context, person, text, keyboard)


async def _sign(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: Person,
    round_: JpatRound,
    action: str,
    rest: list[str],
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    query = update.callback_query
    async with svc.db.sessions() as session:
        side = await partnerships.side_of(session, round_.partnership_id, person.contact_id)
        stamp = await store.current_stamp(session, round_.id)
    wanted = int(rest[0]) if rest and callbacks.is_number(rest[0]) else None
    if not person.is_partner or side != "partner" or wanted is None:
        await common.expired_button(update, context, person.lang)
        return
    if round_.status != "consolidated" or wanted != stamp:
        await query.answer(_("This version of the J-PAT is no longer waiting for your answer."))
        return
    if action == "no":
        async with svc.db.transaction() as session:
            await flows.put(
                session,
                person.user_id,
                DISPUTE_FLOW,
                "comment",
                {
                    "round": round_.id,
                    "version": wanted,
                    "message": query.message.message_id if query.message else None,
                },
                svc.clock.now(),
            )
        await query.answer()
        await say(
            update,
            context,
            person,
            _(
                "What does not match what was agreed? Please type a short comment for the NGO team. "
                "(Send /cancel to go back without disputing.)"
            ),
        )
        return
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        row = await store.get_round(session, round_.id)
        confirmed = await store.confirm(
            session, row, stamp=wanted, contact_id=person.contact_id, now=now
        )
        partnership = await partnerships.get(session, round_.partnership_id)
    if not confirmed:
        await query.answer(_("This version of the J-PAT is no longer waiting for your answer."))
        return
    await query.answer()
    await _remove_buttons(
        context, update.effective_chat.id, query.message.message_id if query.message else None
    )
    lines = [
        _("Thank you: round {n} of the J-PAT is now final, agreed by both sides.", n=round_.number)
    ]
    if partnership is not None and partnership.next_round_at is not None:
        lines.append(
            _(
                "The next check-in is planned for {date}.",
                date=jpat_view.day(partnership.next_round_at, _, zone_of(person)),
            )
        )
    await say(update, context, person, "\n".join(lines))
    send_soon(context)


async def _remove_buttons(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int | None
) -> None:
    if message_id is None:
        return
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except BadRequest as err:  # already without buttons, or too old to edit
        log.info("could not remove the sign-off buttons of %s: %s", message_id, err)


async def on_dispute_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> None:
    """The partner's comment on a disputed J-PAT."""
    svc = services(context)
    _ = translator(person.lang)
    comment = (update.effective_message.text or "").strip()
    if not comment:
        await say(update, context, person, _("Please type your comment."))
        return
    if len(comment) > FREE_TEXT_LIMIT:
        await say(
            update,
            context,
            person,
            common.too_long(person.lang),
        )
        return
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        round_ = await store.get_round(session, int(flow.data.get("round", 0)))
        side = (
            await partnerships.side_of(session, round_.partnership_id, person.contact_id)
            if round_ is not None
            else None
        )
        disputed = (
            round_ is not None
            and side == "partner"
            and person.contact_id is not None
            and await store.dispute(
                session,
                round_,
                stamp=int(flow.data.get("version", 0)),
                contact_id=person.contact_id,
                comment=comment,
                now=now,
            )
        )
        await flows.clear(session, person.user_id)
    if not disputed:
        await say(
            update,
            context,
            person,
            _(
                "This version of the J-PAT is no longer waiting for your answer. Nothing was recorded."
            ),
        )
        return
    await _remove_buttons(context, update.effective_chat.id, flow.data.get("message"))
    await say(
        update,
        context,
        person,
        _("Thank you. The NGO team has your comment and will send you a revised J-PAT to confirm."),
    )
    send_soon(context)


PARTNERSHIP_ACTIONS = {"cs": start, "sg": show_signoff}
