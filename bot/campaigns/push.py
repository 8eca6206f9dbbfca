"""The pushes of a campaign: the invitation to a survey and the nudges before its due date."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import translator
from bot.services import Services
from bot.surveys.listing import due_text
from bot.surveys.view import button_data
from storage import campaigns
from storage.models import Delivery

#: The push kinds a campaign makes (``storage.campaigns``).
KINDS = ("invite", "nudge")


async def compose(
    svc: Services, delivery: Delivery, lang: str, zone: str
) -> tuple[str, InlineKeyboardMarkup | None, str | None]:
    """A campaign's invitation or nudge: the survey's title and intro, the due date, a button."""
    async with svc.db.sessions() as session:
        campaign, response = await campaigns.of_delivery(session, delivery)
    _ = translator(lang)
    survey = await svc.surveys.for_version(svc.db, response.survey_version_id) if response else None
    title = survey.text_for(survey.title, lang) if survey else ""
    due = due_text(campaign.due_at, lang, zone) if campaign else ""
    if delivery.kind == "invite" and survey is not None:
        text = _.paragraphs(
            title, survey.text_for(survey.intro, lang), _("Please answer by {date}.", date=due)
        )
        label = _("Start the survey")
    else:
        text = _(
            'A friendly reminder: the survey "{title}" is waiting for your answers. Please answer by {date}.',
            title=title,
            date=due,
        )
        label = (
            _("Continue the survey") if response and response.started_at else _("Start the survey")
        )
    markup = None
    if response is not None:
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(label, callback_data=button_data(response.id, "-", "go"))]]
        )
    return text, markup, None
