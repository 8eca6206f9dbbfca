"""The meetings part of /mydata: each meeting a partner was invited to, and what they answered."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import translator
from bot.meetings.view import answer_label, title
from bot.meetings.when import format_when
from bot.services import Services
from storage import meeting_answers as answers
from storage.models import Contact


async def meetings_section(
    svc: Services, session: AsyncSession, contact: Contact, lang: str
) -> str:
    _ = translator(lang)
    rows = await answers.meetings_of(session, contact.id)
    if not rows:
        return _("Meetings: none yet.")
    lines = [_("Meetings you were invited to:")]
    for meeting, partnership, answer in rows:
        line = _(
            "{title}, {time}: {answer}",
            title=title(meeting, partnership, _),
            time=format_when(meeting.starts_at, contact.timezone, lang),
            answer=answer_label(answer, _),
        )
        if meeting.status == "cancelled":
            line = _("{meeting} (cancelled)", meeting=line)
        lines.append(line)
    return "\n".join(lines)
