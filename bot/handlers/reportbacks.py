"""Reporting back to partners (/share) and their replies.

Staff: /share → a closed campaign or J-PAT round → an optional "what we will do" note → a preview of exactly
what partners will get → send. A campaign whose figures are below the privacy threshold cannot
be shared. "Replies from partners" shows reactions and comments.

Partners: the push carries buttons to react (one reaction per person, the latest counts) or to
write a comment; a comment also reaches the staff member who sent the report-back.
"""

from __future__ import annotations

import asyncio
import contextlib

from babel.dates import format_date
from telegram import InputFile, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import callbacks
from bot.access import Person, log_staff_action, person_of, requires
from bot.handlers import common, pending, pickers, wizard
from bot.i18n import translator
from bot.keyboards import button, column, grid
from bot.periods import day_in
from bot.replies import send_text
from bot.services import Services, services
from bot.summary_charts import bar_panels
from bot.summary_view import View, specs
from conversations.validation import FREE_TEXT_LIMIT
from storage import disclosure, flows, releases, reportbacks, summaries
from storage.disclosure import Release
from storage.jpat import JPAT_SURVEY, VIEWABLE_STATUSES
from storage.models import Campaign, ChatFlow, Contact, JpatRound, Organisation
from storage.summaries import Scope

FLOW = "share"
COMMENT_FLOW = "rb_comment"
PREFIX = "shr"


@requires("staff")
async def share_command(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.transaction() as session:
        closed = await reportbacks.closed_campaigns(session)
        rounds = await reportbacks.closed_rounds(session)
        await flows.put(session, person.user_id, FLOW, "campaign", {}, svc.clock.now())
    zone = person.zone(svc.settings.default_timezone)
    buttons = [
        button(
            _(
                "#{id} {title} (closed {date})",
                id=c.id,
                title=_title(svc, c.survey_id, person.lang),
                date=format_date(day_in(c.closed_at or c.due_at, zone), "medium", locale=_.locale),
            ),
            callbacks.data(PREFIX, "c", c.id),
        )
        for c in closed
    ]
    buttons += [
        button(
            _round_title(round_, organisation, person.lang, zone),
            callbacks.data(PREFIX, "j", round_.id),
        )
        for round_, organisation in rounds
    ]
    buttons += [
        button(_("Replies from partners"), callbacks.data(PREFIX, "replies")),
        button(_("Cancel"), callbacks.data(PREFIX, "cancel")),
    ]
    text = (
        _(
            "Which closed campaign or J-PAT round do you want to report back to the people "
            "who were asked?"
        )
        if closed or rounds
        else _(
            "No campaign or J-PAT round is closed yet. A report-back can be sent once one "
            "has closed."
        )
    )
    await send_text(context, update.effective_chat.id, text, person.lang, keyboard=column(buttons))


def _title(svc: Services, survey_id: str, lang: str) -> str:
    entry = svc.surveys.get(survey_id)
    return entry[0].text_for(entry[0].title, lang) if entry else survey_id


def _round_title(round_: JpatRound, organisation: str, lang: str, zone: str) -> str:
    _ = translator(lang)
    return _(
        "J-PAT round {n} · {organisation} (closed {date})",
        n=round_.number,
        organisation=organisation,
        date=format_date(
            day_in(round_.closed_at or round_.deadline, zone), "medium", locale=_.locale
        ),
    )


# A report-back is about a closed campaign or a J-PAT round; the flow names one of them.
Source = Campaign | JpatRound


async def _source(svc: Services, data: dict) -> Source | None:
    async with svc.db.sessions() as session:
        if "round" in data:
            round_ = await session.get(JpatRound, int(data["round"]))
            return round_ if round_ is not None and round_.status in VIEWABLE_STATUSES else None
        campaign = await session.get(Campaign, int(data.get("campaign", 0)))
        return campaign if campaign is not None and campaign.status == "closed" else None


def _flow_data(source: Source) -> dict:
    return {"round": source.id} if isinstance(source, JpatRound) else {"campaign": source.id}


def _tag(data: dict) -> str:
    """The report-back's source in its buttons ("j5", "c3"): a button left from a preview of
    another campaign or round is then recognised as stale instead of sending this one."""
    return f"j{data['round']}" if "round" in data else f"c{data.get('campaign')}"


def _subject(source: Source) -> str:
    kind = "jpat_round" if isinstance(source, JpatRound) else "campaign"
    return f"{kind}:{source.id}"


def _survey_id(source: Source) -> str:
    return JPAT_SURVEY if isinstance(source, JpatRound) else source.survey_id


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    press = await wizard.staff_press(update, context, PREFIX, FLOW)
    if press is None:
        return
    svc, person, query, flow, _ = press.svc, press.person, press.query, press.flow, press._
    action, arg, chat_id = press.action, press.arg, press.chat_id
    if action == "replies" and flow.step == "campaign":
        await common.close_keyboard(query, _("Replies from partners"), person.lang)
        await _clear(svc, person)
        await _replies(context, chat_id, person)
        return
    if action in ("c", "j") and flow.step == "campaign" and arg and callbacks.is_number(arg):
        key = "round" if action == "j" else "campaign"
        await _chosen(update, context, person, {key: int(arg)})
        return
    if action == "skip" and flow.step == "note" and arg == _tag(flow.data):
        await common.close_keyboard(query, _("No note."), person.lang)
        await _preview(context, chat_id, person, {**flow.data, "note": None})
        return
    if action == "go" and flow.step == "confirm" and arg == _tag(flow.data):
        await common.close_keyboard(query, _("Sending…"), person.lang)
        await _send(context, chat_id, person, flow.data)
        return
    await common.expired_button(update, context, person.lang)


async def _clear(svc: Services, person: Person) -> None:
    async with svc.db.transaction() as session:
        await flows.clear(session, person.user_id)


async def _figures(
    svc: Services, source: Source, person: Person | None = None
) -> summaries.Summary | None:
    """The aggregate figures partners will read, decided by disclosure control and recorded
    as a release (the preview staff see is the same release: the same answer sheets); for a
    J-PAT round, both sides' answers together."""
    survey = await svc.surveys.for_version(svc.db, source.survey_version_id)
    if survey is None:
        return None
    if isinstance(source, JpatRound):
        scope = Scope(JPAT_SURVEY, jpat_round_id=source.id)
    else:
        scope = Scope(source.survey_id, campaign_id=source.id)
    release = Release(
        kind="reportback",
        window=pickers.window_name(scope.period, scope.campaign_id, scope.jpat_round_id),
        audience="asked",
        contact_id=person.contact.id if person is not None and person.contact else None,
    )
    # A question confidential now stays out even of figures given under an older version.
    current = svc.surveys.get(survey.id)
    hidden = {q.key for q in current[0].questions if q.confidential} if current else set()
    async with releases.releasing(svc.db) as session:
        figures = await summaries.summarise(
            session,
            scope,
            [spec for spec in specs(survey) if spec.key not in hidden],
            threshold=svc.settings.privacy_threshold,
            release=release,
            latest=0,
            for_the_round=isinstance(source, JpatRound),
        )
    answered = [q for q in figures.questions if q.answered]
    if figures.suppressed is None and answered and all(q.suppressed for q in answered):
        # Every answered question held back: partners would get a report with no figures.
        figures.suppressed = disclosure.OVERLAP
    return figures


async def _chosen(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, data: dict
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    chat_id = update.effective_chat.id
    source = await _source(svc, data)
    if source is None:
        await common.expired_button(update, context, person.lang)
        return
    if isinstance(source, JpatRound):
        chosen = _("J-PAT round {n}", n=source.number)
    else:
        chosen = _(
            "Campaign #{id} {title}",
            id=source.id,
            title=_title(svc, source.survey_id, person.lang),
        )
    await common.close_keyboard(update.callback_query, chosen, person.lang)
    figures = await _figures(svc, source, person)
    await log_staff_action(
        svc,
        person,
        "reportback.figures",
        subject=_subject(source),
        details={"suppressed": figures.suppressed if figures else "no survey"},
    )
    if figures is None or figures.suppressed:
        await _clear(svc, person)
        reason = (
            View(svc.surveys.get(_survey_id(source))[0], person.lang).suppressed_reason(
                figures  # type: ignore[arg-type]
            )
            if figures
            else ""
        )
        cannot = (
            _("This J-PAT round cannot be reported back.")
            if isinstance(source, JpatRound)
            else _("This campaign cannot be reported back to partners.")
        )
        await send_text(context, chat_id, _.paragraphs(cannot, reason), person.lang)
        return
    async with svc.db.transaction() as session:
        await flows.put(session, person.user_id, FLOW, "note", _flow_data(source), svc.clock.now())
    await send_text(
        context,
        chat_id,
        _(
            "Would you like to add a short note on what the team will do with what partners said? Type it now, in one language: partners will see which language it is written in. Or press Skip."
        ),
        person.lang,
        keyboard=column(
            [button(_("Skip"), callbacks.data(PREFIX, "skip", _tag(_flow_data(source))))]
        ),
    )


async def on_staff_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> None:
    """The typed "what we will do" note."""
    if not person.is_staff or flow.step != "note":
        await pickers.pass_on(update, context, person)
        return
    note = (update.effective_message.text or "").strip()
    if len(note) > FREE_TEXT_LIMIT:  # refused whole rather than cut without a word
        _ = translator(person.lang)
        await send_text(
            context,
            update.effective_chat.id,
            common.too_long(person.lang),
            person.lang,
        )
        return
    await _preview(context, update.effective_chat.id, person, {**flow.data, "note": note or None})


async def _preview(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, person: Person, data: dict
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    source = await _source(svc, data)
    if source is None:
        await _clear(svc, person)
        return
    async with svc.db.sessions() as session:
        asked = await reportbacks.count_asked(session, source)
    figures = await _figures(svc, source, person)
    survey = await svc.surveys.for_version(svc.db, source.survey_version_id)
    if figures is None or survey is None or figures.suppressed:
        await _clear(svc, person)
        return
    async with svc.db.transaction() as session:
        await flows.put(session, person.user_id, FLOW, "confirm", data, svc.clock.now())
    view = View(survey, person.lang)
    await send_text(
        context,
        chat_id,
        _("Preview: this is what each partner will receive, in their own language."),
        person.lang,
    )
    panels = view.panels(figures, partner=True)
    if panels:
        png = await asyncio.to_thread(
            bar_panels, _("What we heard: {title}", title=view.title), "", panels, person.lang
        )
        await context.bot.send_photo(chat_id, InputFile(png, filename="what-we-heard.png"))

    await send_text(
        context,
        chat_id,
        view.partner_text(figures, data.get("note"), person.lang),
        person.lang,
    )
    keyboard = grid(
        [
            button(_("Send to partners"), callbacks.data(PREFIX, "go", _tag(data))),
            button(_("Cancel"), callbacks.data(PREFIX, "cancel")),
        ]
    )
    await send_text(
        context,
        chat_id,
        _.ngettext(
            "Send it to {n} person who was asked in this round, on either side?",
            "Send it to the {n} people who were asked in this round, on both sides?",
            asked,
        )
        if isinstance(source, JpatRound)
        else _.ngettext(
            "Send it to {n} partner who was asked?",
            "Send it to the {n} partners who were asked?",
            asked,
        ),
        person.lang,
        keyboard=keyboard,
    )


async def _send(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, person: Person, data: dict
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    source = await _source(svc, data)
    figures = await _figures(svc, source, person) if source else None
    if source is None or figures is None or figures.suppressed:
        await _clear(svc, person)
        return
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        report = await reportbacks.create(
            session,
            source=source,
            figures=summaries.to_json(figures),
            note=data.get("note"),
            note_language=person.lang,
            created_by=person.contact_id,
            now=now,
        )
        await flows.clear(session, person.user_id)
        report_id, recipients = report.id, report.recipients
    await log_staff_action(
        svc,
        person,
        "reportback.send",
        subject=_subject(source),
        details={
            "report_back": report_id,
            "recipients": recipients,
            "note": bool(data.get("note")),
        },
    )
    await send_text(
        context,
        chat_id,
        _.ngettext(
            "Report-back #{id} is on its way to {n} person who was asked in this round (later for anyone in their quiet hours). Reactions and comments will appear under /share.",
            "Report-back #{id} is on its way to the {n} people who were asked in this round, on both sides (later for anyone in their quiet hours). Reactions and comments will appear under /share.",
            recipients,
            id=report_id,
        )
        if isinstance(source, JpatRound)
        else _.ngettext(
            "Report-back #{id} is on its way to {n} partner (later for anyone in their quiet hours). Their reactions and comments will appear under /share.",
            "Report-back #{id} is on its way to {n} partners (later for anyone in their quiet hours). Their reactions and comments will appear under /share.",
            recipients,
            id=report_id,
        ),
        person.lang,
    )
    pending.send_soon(context)


async def _replies(context: ContextTypes.DEFAULT_TYPE, chat_id: int, person: Person) -> None:
    svc = services(context)
    _ = translator(person.lang)
    async with svc.db.sessions() as session:
        found = await reportbacks.replies(session)
    await log_staff_action(svc, person, "reportback.replies")
    if not found:
        await send_text(context, chat_id, _("No report-back has been sent yet."), person.lang)
        return
    parts = []
    for entry in found:
        report = entry.report
        lines = [
            _(
                "#{id} {title}, sent to {n} on {date}",
                id=report.id,
                title=_title(svc, report.survey_id, person.lang),
                n=report.recipients,
                date=format_date(
                    day_in(report.created_at, person.zone(svc.settings.default_timezone)),
                    "medium",
                    locale=_.locale,
                ),
            ),
            _(
                "👍 {up} · 👎 {down} · 💬 {comments}",
                up=entry.reactions.get("up", 0),
                down=entry.reactions.get("down", 0),
                comments=len(entry.comments),
            ),
        ]
        for comment in entry.comments:
            who = comment.organisation or _("a partner")
            lines.append(_("{who}: “{text}”", who=who, text=comment.text))
        parts.append("\n".join(lines))
    await send_text(context, chat_id, _.paragraphs(*parts), person.lang)


# ------------------------------------------------------------------------------ partners


async def on_partner_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``rb:r:<id>:up|down`` reacts; ``rb:c:<id>`` asks for a comment."""
    svc = services(context)
    person = await person_of(update, context)
    query = update.callback_query
    pieces = callbacks.parts(query.data, "rb", minimum=3)
    _ = translator(person.lang)
    if pieces is None or not callbacks.is_number(pieces[2]) or person.contact_id is None:
        await common.expired_button(update, context, person.lang)
        return
    report_id = int(pieces[2])
    async with svc.db.sessions() as session:
        allowed = await reportbacks.was_sent_to(session, report_id, person.contact_id)
    if not allowed:
        await common.expired_button(update, context, person.lang)
        return
    if pieces[1] == "r" and len(pieces) == 4 and pieces[3] in reportbacks.REACTIONS:
        async with svc.db.transaction() as session:
            await reportbacks.react(
                session, report_id, person.contact_id, pieces[3], svc.clock.now()
            )
        await query.answer(_("Thank you! The team will see your reaction."))
        return
    if pieces[1] == "c" and len(pieces) == 3:
        await query.answer()
        async with svc.db.transaction() as session:
            await flows.put(
                session,
                person.user_id,
                COMMENT_FLOW,
                "text",
                {"report_back": report_id},
                svc.clock.now(),
            )
        await send_text(
            context,
            update.effective_chat.id,
            _("Please type your comment. It goes to the NGO team. Send /cancel to leave it."),
            person.lang,
        )
        return
    await common.expired_button(update, context, person.lang)


async def on_partner_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person, flow: ChatFlow
) -> None:
    svc = services(context)
    _ = translator(person.lang)
    text = (update.effective_message.text or "").strip()
    report_id = int(flow.data.get("report_back", 0))
    if not text or person.contact_id is None:
        await send_text(
            context, update.effective_chat.id, _("Please type your comment."), person.lang
        )
        return
    if len(text) > FREE_TEXT_LIMIT:
        await send_text(
            context,
            update.effective_chat.id,
            common.too_long(person.lang),
            person.lang,
        )
        return
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        await reportbacks.comment(session, report_id, person.contact_id, text, now)
        await flows.clear(session, person.user_id)
        report = await reportbacks.get(session, report_id)
        author = (
            await session.get(Contact, report.created_by) if report and report.created_by else None
        )
        organisation = None
        if person.contact is not None and person.contact.attribution == "attributed":
            org = (
                await session.get(Organisation, person.contact.organisation_id)
                if person.contact.organisation_id
                else None
            )
            organisation = org.name if org else None
    await send_text(
        context,
        update.effective_chat.id,
        _("Thank you! Your comment was passed on to the team."),
        person.lang,
    )
    if (
        report is None
        or author is None
        or author.telegram_user_id is None
        or author.role != "staff"
    ):
        return
    with contextlib.suppress(TelegramError):  # staff who blocked the bot still see it in /share
        await send_text(
            context,
            int(author.telegram_user_id),
            _comment_for_staff(
                author.language,
                organisation,
                report.id,
                _title(svc, report.survey_id, author.language),
                text[:1000],
            ),
            author.language,
        )


def _comment_for_staff(
    lang: str, organisation: str | None, report_id: int, title: str, text: str
) -> str:
    """The comment as the staff member who sent the report-back reads it, in their language."""
    _ = translator(lang)
    return _(
        "{who} commented on report-back #{id} ({title}): “{text}”",
        who=organisation or _("A partner"),
        id=report_id,
        title=title,
        text=text,
    )
