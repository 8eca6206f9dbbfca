"""The survey part of /mydata: every answer a partner gave, in their language, readable."""

from __future__ import annotations

from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import comma, translator, words
from bot.services import Services
from bot.surveys.registry import from_rows
from bot.surveys.view import shown_answer
from storage import surveys as store
from storage.models import Contact


async def surveys_section(svc: Services, session: AsyncSession, contact: Contact, lang: str) -> str:
    _ = translator(lang)
    responses = await store.responses_of(session, contact.id)
    if not responses:
        return _("Your answers: none yet.")
    labels = {
        "invited": _("not started"),
        "in_progress": _("in progress"),
        "paused": _("paused"),
        "completed": _("completed"),
        "partial": _("closed before it was finished"),
        "expired": _("closed without answers"),
    }
    lines = [_("Your answers:")]
    for response in responses:
        survey = svc.surveys.cached(response.survey_version_id)
        if survey is None:
            continue
        when = response.completed_at or response.started_at or response.invited_at
        date_text = format_date(when, "medium", locale=_.locale) if when else "-"
        lines.append("")
        status = labels.get(response.status, response.status)
        lines.append(f"{survey.text_for(survey.title, lang)} ({date_text}{comma(lang)}{status})")
        progress = from_rows(survey, await store.answers_of(session, response.id), None)
        for key, answer in progress.answers.items():
            question = survey.question(key)
            if question is None or question.type == "note":
                continue
            lines.append(f"- {survey.text_for(question.text, lang)}")
            shown = shown_answer(survey, question, answer, lang)
            if question.type == "text":  # their own words, in whatever script they wrote
                shown = words(shown, lang)
            lines.append(f"  {shown}")
    return "\n".join(lines)
