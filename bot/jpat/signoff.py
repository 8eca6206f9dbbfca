"""The partner side signs off the agreed J-PAT: the consolidated record with Confirm / Dispute
(``jp:ok|no:<round>:<version>``; the version is the sign-off request's id, so an older
version's buttons are stale), ``jp:sg`` to see it again, and the comment a dispute asks for
(flow ``jpat_dispute``), which returns the round to staff. A confirmation makes it final."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import callbacks
from bot.access import Person
from bot.context import BotContext
from bot.handlers import common
from bot.handlers.press import Press
from bot.i18n import translator
from bot.jpat import service, service_agreed, view, view_agreed
from bot.jpat.access import Seat, ack, partnership_name, say, send_soon, zone_of
from bot.keyboards import button, grid
from bot.services import Services
from storage.models import ChatFlow, JpatRound

log = logging.getLogger(__name__)
AREA = "jp"
DISPUTE_FLOW = service_agreed.DISPUTE_FLOW


async def signoff_message(
    svc: Services, round_: JpatRound, stamp: int, lang: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The consolidated J-PAT with Confirm / Dispute, for a partner-side member."""
    _ = translator(lang)
    survey = await service.survey_of(svc, round_)
    items, partnership = await service_agreed.agreed_items(svc, round_)
    if survey is None or partnership is None:
        return _("This J-PAT is no longer available."), None
    text = _.paragraphs(
        view_agreed.consolidation_text(
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


async def show_signoff(update: Update, context: BotContext, person: Person, place: Seat) -> None:
    """``jp:sg``: what awaits the partner side's confirmation, again (a lost message)."""
    svc = context.svc
    _ = translator(person.lang)
    round_ = await service.current_round(svc, place.partnership.id)
    stamp = await service_agreed.current_stamp(svc, round_.id) if round_ else None
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


async def sign(press: Press, round_: JpatRound) -> None:
    """Confirm (``ok``) or Dispute (``no``) pressed by a partner-side member, on the version
    still waiting (``press.args``: the sign-off request's id)."""
    svc, person, query, _ = press.svc, press.person, press.query, press._
    action, rest = press.action, press.args
    side, stamp = await service_agreed.signer(svc, round_, person.contact_id)
    wanted = int(rest[0]) if rest and callbacks.is_number(rest[0]) else None
    if not person.is_partner or side != "partner" or wanted is None:
        await press.expired()
        return
    if round_.status != "consolidated" or wanted != stamp:
        await query.answer(_("This version of the J-PAT is no longer waiting for your answer."))
        return
    if action == "no":
        await service_agreed.begin_dispute(
            svc,
            person.user_id,
            {
                "round": round_.id,
                "version": wanted,
                "message": query.message.message_id if query.message else None,
            },
        )
        await query.answer()
        await press.context.reply(
            _(
                "What does not match what was agreed? Please type a short comment for the NGO team. "
                "(Send /cancel to go back without disputing.)"
            ),
        )
        return
    confirmed, partnership = await service_agreed.confirm(svc, round_, wanted, person.contact_id)
    if not confirmed:
        await query.answer(_("This version of the J-PAT is no longer waiting for your answer."))
        return
    await query.answer()
    await _remove_buttons(
        press.context, press.chat_id, query.message.message_id if query.message else None
    )
    lines = [
        _("Thank you: round {n} of the J-PAT is now final, agreed by both sides.", n=round_.number)
    ]
    if partnership is not None and partnership.next_round_at is not None:
        lines.append(
            _(
                "The next check-in is planned for {date}.",
                date=view.day(partnership.next_round_at, _, zone_of(person)),
            )
        )
    await press.context.reply("\n".join(lines))
    send_soon(press.context)


async def _remove_buttons(context: BotContext, chat_id: int, message_id: int | None) -> None:
    if message_id is None:
        return
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except BadRequest as err:  # already without buttons, or too old to edit
        log.info("could not remove the sign-off buttons of %s: %s", message_id, err)


async def on_dispute_text(
    update: Update, context: BotContext, person: Person, flow: ChatFlow
) -> None:
    """The partner's comment on a disputed J-PAT."""
    svc = context.svc
    _ = translator(person.lang)
    comment = (update.effective_message.text or "").strip()
    refusal = common.free_text_refusal(comment, person.lang, _("Please type your comment."))
    if refusal is not None:
        await say(update, context, person, refusal)
        return
    disputed = await service_agreed.dispute(svc, person.user_id, flow, person.contact_id, comment)
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
