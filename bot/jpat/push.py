"""The J-PAT's pushes and its clockwork: what each notice says, what every tick does, and what
happens when a member submits.

Declared in the J-PAT's feature (``bot/jpat/feature.py``): ``compose`` for every kind in
``KINDS``, ``on_tick`` on every dispatcher tick and ``on_response_completed`` after a submission. Sending itself — quiet hours, stopped or blocked contacts, rate
limits, never twice — is the dispatcher's.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.context import BotContext
from bot.i18n import translator
from bot.jpat import service, view
from bot.jpat.access import partnership_name
from bot.jpat.signoff import signoff_message
from bot.keyboards import button, column
from bot.services import Services
from bot.surveys.view import button_data
from storage.jpat_rules import stamp_in_key
from storage.models import Delivery, Response

log = logging.getLogger(__name__)
SURVEY_ID = service.SURVEY_ID
#: A round opened by the cadence gives this long to answer.
CADENCE_DEADLINE = timedelta(days=14)
KINDS = (
    "jpat_invite",
    "jpat_nudge",
    "jpat_closed",
    "jpat_both",
    "jpat_sign",
    "jpat_disputed",
    "jpat_final",
)
Push = tuple[str, InlineKeyboardMarkup | None, str | None]


# ------------------------------------------------------------------------------ composing


async def compose(svc: Services, delivery: Delivery, lang: str, zone: str) -> Push:
    """What a J-PAT push says, in the member's language and time zone."""
    _ = translator(lang)
    round_, partnership, response = await service.round_of_push(svc, delivery)
    if round_ is None or partnership is None:
        return _("This J-PAT check-in was withdrawn."), None, None
    name = partnership_name(partnership)
    pid = partnership.id
    deadline = view.day(round_.deadline, _, zone)
    kind = delivery.kind
    if kind in ("jpat_invite", "jpat_nudge") and response is not None:
        survey = await svc.surveys.for_version(svc.db, round_.survey_version_id)
        title = survey.text_for(survey.title, lang) if survey else ""
        if kind == "jpat_invite":
            text = _.paragraphs(
                title,
                _(
                    "Round {n} of the J-PAT check-in for {name} is open. Each side answers on its own: "
                    "nobody sees the other side's answers before the round closes.",
                    n=round_.number,
                    name=name,
                ),
                _("Please answer by {date}.", date=deadline),
            )
            label = _("Start the J-PAT")
        else:
            text = _(
                "A friendly reminder: the J-PAT check-in for {name} is waiting for your answers. The round closes on {date}.",
                name=name,
                date=deadline,
            )
            label = _("Continue the J-PAT") if response.started_at else _("Start the J-PAT")
        keyboard = column([button(label, button_data(response.id, "-", "go"))])
        return text, keyboard, None
    if kind == "jpat_closed":
        return (
            _(
                "Round {n} of the J-PAT for {name} is closed. Both sides can now see their answers side by side.",
                n=round_.number,
                name=name,
            ),
            column([button(_("See the comparison"), callbacks.data("jp", "vw", pid))]),
            None,
        )
    if kind == "jpat_both":
        return (
            _(
                "Both sides have submitted their J-PAT answers for {name} (round {n}). "
                "You can close the round now, or let it close by itself on {date}.",
                name=name,
                n=round_.number,
                date=deadline,
            ),
            column(
                [button(_("Close the round now"), callbacks.data("jp", "cl", pid, round_.number))]
            ),
            None,
        )
    if kind == "jpat_sign":
        text, keyboard = await signoff_message(svc, round_, stamp_in_key(delivery.dedupe_key), lang)
        return text, keyboard, None
    if kind == "jpat_disputed":
        return (
            _(
                "The partner side disputed the consolidated J-PAT for {name} (round {n}). Their comment: {comment}",
                name=name,
                n=round_.number,
                comment=round_.dispute_comment or "",
            ),
            column([button(_("Record the agreed J-PAT again"), callbacks.data("jp", "cs", pid))]),
            None,
        )
    next_line = (
        _("Next check-in: {date}.", date=view.day(partnership.next_round_at, _, zone))
        if partnership.next_round_at
        else ""
    )
    return (
        _.paragraphs(
            _(
                "The partner side confirmed the consolidated J-PAT for {name} (round {n}): it is final.",
                name=name,
                n=round_.number,
            ),
            next_line,
        ),
        None,
        None,
    )


# ------------------------------------------------------------------------------ every tick


async def on_tick(svc: Services, now: datetime) -> None:
    """Close rounds at their deadline, schedule reminders, open rounds the cadence asks for.
    Each step in its own transaction, so one failure does not hold up the others."""
    try:
        await service.close_due(svc, now)
        await service.schedule_nudges(svc, now)
    except Exception:
        log.exception("J-PAT closing or reminders failed")
    entry = svc.surveys.get(SURVEY_ID)
    if entry is None:
        return
    _survey, version_id = entry
    due = await service.due_for_round(svc, now)
    for partnership_id, planned in due:
        try:
            await service.open_on_schedule(
                svc, partnership_id, planned, version_id, now, CADENCE_DEADLINE
            )
        except IntegrityError:
            log.info("round for partnership %s opened by another process", partnership_id)
        except Exception:
            log.exception("could not open the J-PAT round of partnership %s", partnership_id)


# ------------------------------------------------------------------------------ a member submits


async def on_response_completed(context: BotContext, response: Response) -> str | None:
    """What the member should know: their answers stay private until the round closes (said
    in the survey's one thank-you message, which this returns); when both sides have
    submitted, schedule a notice to the NGO side that they may close early (sent by the next
    tick, so it never overtakes that thank-you)."""
    if response.jpat_round_id is None:
        return None
    round_, contact = await service.submitted(context.svc, response)
    if round_ is None or contact is None:
        return None
    _ = translator(response.language)
    return _(
        "Nobody sees your J-PAT answers before the round closes on {date}. Then both sides "
        "can compare them with /jpat view.",
        date=view.day(round_.deadline, _, contact.timezone),
    )
