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

from datetime import timedelta

from telegram import Update

from bot import callbacks
from bot.access import Person, log_staff_action
from bot.context import BotContext
from bot.handlers import common
from bot.handlers.press import Press
from bot.handlers.wizard import leave_steps, staff_typing, step_of
from bot.i18n import translator
from bot.jpat import consolidate_steps, service, service_agreed, signoff, view
from bot.jpat.access import Seat, ack, say, send_soon, today_for, zone_of
from bot.jpat.consolidate_steps import Recording
from conversations import dates
from storage.jpat_rules import CONSOLIDATABLE_STATUSES, OWNERS
from storage.models import ChatFlow, JpatRound

AREA = "jp"
FLOW = service_agreed.FLOW
DISPUTE_FLOW = service_agreed.DISPUTE_FLOW
STEP_OF = {"sc": "score", "ka": "action", "ow": "owner", "du": "due", "sd": "review"}
STAFF_ACTIONS = {"cs", *STEP_OF}
ROUND_ACTIONS = {*STEP_OF, "ok", "no"}


async def start(update: Update, context: BotContext, person: Person, place: Seat) -> None:
    svc = context.svc
    _ = translator(person.lang)
    round_ = await service.current_round(svc, place.partnership.id)
    if round_ is None or round_.status not in CONSOLIDATABLE_STATUSES:
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
    survey = await service.survey_of(svc, round_)
    if survey is None:
        await common.expired_button(update, context, person.lang)
        return
    data = await service_agreed.start_wizard(svc, person.user_id, round_.id, view.item_keys(survey))
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
            flag=view.FLAG,
        )
    )
    await ack(update)
    await say(update, context, person, _.paragraphs(*parts))
    recording = Recording(update, context, person, round_, survey)
    await consolidate_steps.ask_score(recording, data)


async def on_round_button(press: Press, round_id: int) -> None:
    """A press that names its round: a partner's sign-off, or a step of recording the agreed
    J-PAT (only the step the wizard is on, for the statement it is on)."""
    svc, person, action, rest = press.svc, press.person, press.action, press.args
    round_ = await service.get_round(svc, round_id)
    if round_ is None:
        await press.expired()
        return
    if action in ("ok", "no"):
        await signoff.sign(press, round_)
        return
    flow = await step_of(svc, person.user_id)
    fresh = (
        flow is not None
        and flow.flow == FLOW
        and flow.data.get("round") == round_id
        and flow.step == STEP_OF[action]
        and rest
        and rest[0] == str(flow.data.get("i"))
        and round_.status in CONSOLIDATABLE_STATUSES
    )
    survey = await service.survey_of(svc, round_) if fresh else None
    if not fresh or survey is None:
        await press.expired()
        return
    recording = Recording(press.update, press.context, person, round_, survey)
    arg = rest[1] if len(rest) > 1 else None
    if action == "sc" and arg in ("1", "2", "3", "4", "5"):
        await consolidate_steps.scored(press, recording, flow, int(arg))
    elif action == "ka":
        await consolidate_steps.kept_action(press, recording, flow)
    elif action == "ow" and arg in OWNERS:
        await consolidate_steps.owned(press, recording, flow, arg)
    elif (
        action == "du"
        and arg
        and callbacks.is_number(arg)
        and int(arg) in consolidate_steps.DUE_DAYS
    ):
        _ = press._
        due = today_for(svc, zone_of(person)) + timedelta(days=int(arg))
        await common.close_keyboard(
            press.query,
            _("Due by {date}", date=view.day(due, _)),
            person.lang,
        )
        await consolidate_steps.action_recorded(recording, flow, due)
    elif action == "sd":
        await send_for_signoff(press, round_, flow)
    else:
        await press.expired()


async def send_for_signoff(press: Press, round_: JpatRound, flow: ChatFlow) -> None:
    """The reviewed J-PAT goes to the partner side, once every statement is recorded."""
    svc, person, _ = press.svc, press.person, press._
    missing, sent = await service_agreed.send_for_signoff(
        svc, person.user_id, round_.id, flow.data, person.contact_id
    )
    if missing:
        await press.query.answer(
            _(
                "Some statements are not recorded yet: {items}. Please start again.",
                items=", ".join(view.item_code(k) for k in missing),
            )
        )
        return
    if sent is None:  # the partner side confirmed it a moment ago: nothing left to send
        await press.expired()
        return
    stamp, asked = sent
    await log_staff_action(
        svc,
        person,
        "jpat.consolidate",
        subject=f"partnership:{round_.partnership_id}",
        details={"round": round_.id, "version": stamp, "asked": asked},
    )
    await common.close_keyboard(press.query, _("Sent to the partner side."), person.lang)
    if asked:
        text = _.ngettext(
            "The agreed J-PAT is on its way to {n} person on the partner side, who can confirm it or dispute it.",
            "The agreed J-PAT is on its way to {n} people on the partner side, who can confirm it or dispute it.",
            asked,
        )
    else:
        text = _("Nobody on the partner side can receive it yet: it waits for them in /jpat.")
    await press.context.reply(text)
    send_soon(press.context)


async def on_text(update: Update, context: BotContext, person: Person, flow: ChatFlow) -> None:
    """Typed text during the wizard: the action (step "action") or a due date (step "due")."""
    text = await staff_typing(update, context, person)
    if text is None:
        return
    svc = context.svc
    _ = translator(person.lang)
    round_ = await service.get_round(svc, int(flow.data.get("round", 0)))
    survey = await service.survey_of(svc, round_) if round_ is not None else None
    if round_ is None or survey is None or round_.status not in CONSOLIDATABLE_STATUSES:
        await leave_steps(svc, person.user_id)
        await say(update, context, person, _("This J-PAT can no longer be changed."))
        return
    recording = Recording(update, context, person, round_, survey)
    if flow.step == "action":
        refusal = common.free_text_refusal(text, person.lang, _("Please type the action."))
        if refusal is not None:
            await say(update, context, person, refusal)
            return
        await consolidate_steps.ask_owner(recording, flow.data, text)
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
        await consolidate_steps.action_recorded(recording, flow, due)
        return
    await say(update, context, person, _("Please use the buttons above."))


PARTNERSHIP_ACTIONS = {"cs": start, "sg": signoff.show_signoff}
