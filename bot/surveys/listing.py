"""/surveys: the surveys waiting for a partner, each with a button to start or continue it;
/cancel inside a survey pauses it; how a due date is written for the reader."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.access import Person
from bot.context import BotContext
from bot.i18n import translator
from bot.periods import zone_info
from bot.replies import send_text
from bot.surveys import authoring, authoring_view, installing, service
from bot.surveys.asking import ask, close_question_message, current_message, view_text
from bot.surveys.open_response import Answering
from bot.surveys.view import button_data
from storage import surveys as store
from storage.models import Response


async def offer(
    update: Update, context: BotContext, person: Person, waiting: list[Response]
) -> None:
    text, lang, markup = await _listing(context, person, waiting)
    await send_text(context, update.effective_chat.id, text, lang, keyboard=markup)


async def _listing(
    context: BotContext, person: Person, waiting: list[Response]
) -> tuple[str, str, InlineKeyboardMarkup | None]:
    svc = context.svc
    lang = person.lang
    _ = translator(lang)
    if not waiting:
        return _("There is no survey waiting for you right now. Thank you!"), lang, None
    buttons = []
    lines = [_("Surveys waiting for you:")]
    for response in waiting[:8]:
        survey = await svc.surveys.for_version(svc.db, response.survey_version_id)
        if survey is None:
            continue
        title = survey.text_for(survey.title, lang)
        if response.status == "invited":
            label = _("Start: {title}", title=title)
        else:
            label = _("Continue: {title}", title=title)
        lines.append(f"• {label}")
        buttons.append(
            [InlineKeyboardButton(label[:64], callback_data=button_data(response.id, "-", "go"))]
        )
    return "\n".join(lines), lang, InlineKeyboardMarkup(buttons)


async def surveys_command(update: Update, context: BotContext) -> None:
    svc = context.svc
    person = await context.who()
    _ = translator(person.lang)
    if context.args:  # /surveys import | export: staff bring forms in and out
        await authoring.subcommand(update, context, person, context.args[0].lower())
        return
    if person.contact is None or person.role == "stranger":
        await context.reply(
            _(
                "I don't have you registered yet. To join, please ask the NGO team for an invitation link."
            )
        )
        return
    waiting = await service.open_responses(svc, person.contact.id)
    await offer(update, context, person, waiting)


async def start_or_continue(answering: Answering) -> None:
    """A survey's button in the list: its current question, in place of the list."""
    context, person, svc = answering.context, answering.person, answering.svc
    response, survey, progress = answering.response, answering.survey, answering.progress
    query = answering.update.callback_query
    chat_id = answering.chat_id
    _ = translator(response.language)
    if response.status not in store.OPEN_STATUSES:
        await query.answer(_("This survey is closed. Thank you!"))
        return
    await query.answer()
    first_time = response.started_at is None
    previous_message = current_message(response, survey, progress)
    await service.start(svc, response.id, person.user_id, person.lang, svc.clock.now())
    response.language = person.lang
    if (
        previous_message is not None
        and query.message is not None
        and previous_message != query.message.message_id
    ):
        await close_question_message(
            context,
            chat_id,
            previous_message,
            view_text(survey, progress, response.language),
            response.language,
        )
    edit_id = query.message.message_id if query.message is not None else None
    await ask(
        context,
        chat_id,
        response,
        survey,
        progress,
        edit_message_id=edit_id,
        intro=first_time,
    )


async def cancel_hook(update: Update, context: BotContext, person: Person) -> bool:
    """/cancel inside a survey: pause it, keep every answer, say how to come back."""
    svc = context.svc
    if person.contact is None:
        return False
    waiting = await service.open_responses(svc, person.contact.id)
    current = next((r for r in waiting if r.status == "in_progress"), None)
    if current is None:
        return False
    loaded = await service.load(svc, current.id)
    if loaded is None:
        return False
    response, survey, progress = loaded
    if response.trial:  # a trial is left, not kept waiting
        await installing.end_trial(svc, person.contact.id)
        await context.reply(authoring_view.trial_ended(translator(person.lang)))
        return True
    shown_now = view_text(survey, progress, response.language)
    if shown_now:
        await close_question_message(
            context,
            update.effective_chat.id,
            current_message(response, survey, progress),
            shown_now,
            response.language,
        )
    await service.pause(svc, response.id)
    _ = translator(response.language)
    await send_text(
        context,
        update.effective_chat.id,
        _(
            "Survey paused. Your answers so far are saved. Send /surveys when you want to continue where you left off."
        ),
        response.language,
    )
    return True


def due_text(response_due: datetime, lang: str, zone: str) -> str:
    _ = translator(lang)
    return format_date(response_due.astimezone(zone_info(zone)), "long", locale=_.locale)
