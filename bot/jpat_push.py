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
from telegram.ext import ContextTypes

from bot import callbacks, jpat_view
from bot.handlers.jpat_access import partnership_name
from bot.handlers.jpat_consolidate import signoff_message
from bot.i18n import translator
from bot.keyboards import button, column
from bot.services import Services, services
from bot.survey_view import button_data
from storage import audit, partnerships
from storage import jpat as store
from storage import surveys as survey_store
from storage.models import Contact, Delivery, JpatRound, Partnership, Response

log = logging.getLogger(__name__)
SURVEY_ID = "jpat"
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


async def _round_and_response(
    svc: Services, delivery: Delivery
) -> tuple[JpatRound | None, Partnership | None, Response | None]:
    async with svc.db.sessions() as session:
        response = (
            await survey_store.get_response(session, delivery.response_id)
            if delivery.response_id
            else None
        )
        round_id = response.jpat_round_id if response else store.round_of_delivery(delivery)
        round_ = await store.get_round(session, round_id) if round_id else None
        partnership = await partnerships.get(session, round_.partnership_id) if round_ else None
    return round_, partnership, response


async def compose(svc: Services, delivery: Delivery, lang: str, zone: str) -> Push:
    """What a J-PAT push says, in the member's language and time zone."""
    _ = translator(lang)
    round_, partnership, response = await _round_and_response(svc, delivery)
    if round_ is None or partnership is None:
        return _("This J-PAT check-in was withdrawn."), None, None
    name = partnership_name(partnership)
    pid = partnership.id
    deadline = jpat_view.day(round_.deadline, _, zone)
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
        parts = delivery.dedupe_key.split(":")
        stamp = int(parts[3]) if len(parts) > 3 and callbacks.is_number(parts[3]) else 0
        text, keyboard = await signoff_message(svc, round_, stamp, lang)
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
        _("Next check-in: {date}.", date=jpat_view.day(partnership.next_round_at, _, zone))
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
        async with svc.db.transaction() as session:
            await store.close_due(session, now)
        async with svc.db.transaction() as session:
            await store.schedule_nudges(session, now)
    except Exception:
        log.exception("J-PAT closing or reminders failed")
    entry = svc.surveys.get(SURVEY_ID)
    if entry is None:
        return
    _survey, version_id = entry
    async with svc.db.sessions() as session:
        due = await partnerships.due_for_round(session, now)
    for partnership_id, planned in due:
        try:
            await _open_on_schedule(svc, partnership_id, planned, version_id, now)
        except IntegrityError:
            log.info("round for partnership %s opened by another process", partnership_id)
        except Exception:
            log.exception("could not open the J-PAT round of partnership %s", partnership_id)


async def _open_on_schedule(
    svc: Services, partnership_id: int, planned: datetime, version_id: int, now: datetime
) -> None:
    async with svc.db.transaction() as session:
        if not await partnerships.claim_due(session, partnership_id, planned):
            return
        partnership = await partnerships.get(session, partnership_id)
        opened = await store.open_round(
            session,
            partnership=partnership,
            survey_id=SURVEY_ID,
            survey_version_id=version_id,
            deadline=now + CADENCE_DEADLINE,
            opened_by=None,
            now=now,
        )
        await audit.record(
            session,
            at=now,
            actor_telegram_id=None,
            action="jpat.open_by_cadence",
            subject=f"partnership:{partnership_id}",
            details={"round": opened.round.id, "number": opened.round.number},
        )


# ------------------------------------------------------------------------------ a member submits


async def on_response_completed(
    context: ContextTypes.DEFAULT_TYPE, response: Response
) -> str | None:
    """What the member should know: their answers stay private until the round closes (said
    in the survey's one thank-you message, which this returns); when both sides have
    submitted, schedule a notice to the NGO side that they may close early (sent by the next
    tick, so it never overtakes that thank-you)."""
    if response.jpat_round_id is None:
        return None
    svc = services(context)
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        round_ = await store.get_round(session, response.jpat_round_id)
        contact = await session.get(Contact, response.contact_id) if response.contact_id else None
        both = (
            round_ is not None
            and round_.status == "open"
            and await store.both_sides_submitted(session, round_.id)
        )
        if both:
            await store.notify_members(session, round_, "jpat_both", now, side="ngo")
    if round_ is None or contact is None:
        return None
    _ = translator(response.language)
    return _(
        "Nobody sees your J-PAT answers before the round closes on {date}. Then both sides "
        "can compare them with /jpat view.",
        date=jpat_view.day(round_.deadline, _, contact.timezone),
    )
