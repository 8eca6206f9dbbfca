"""What Telegram cannot show, refused at import: a form that passes every other check must
not fail later in front of a partner ("Message is too long", "Reply markup is too long").

A question is one message (its text and hint, with a heading and a line of guidance the bot
adds); a choice question is one keyboard, each choice a button beside the bot's own (Don't
know, Skip, Back, Done); the title heads every invitation and staff reply that names it.
"""

from __future__ import annotations

from collections.abc import Mapping

from conversations.definition import Survey
from conversations.xlsform import messages as msg

#: Telegram's limit is 4,096 characters a message; the bot adds a heading and guidance.
QUESTION_CHARS = 3000
INTRO_CHARS = 3000
TITLE_CHARS = 200
#: Telegram allows 100 buttons a keyboard; the bot adds up to four of its own.
CHOICES = 90


def check(survey: Survey, places: Mapping[str, msg.Place]) -> list[msg.Line]:
    """One refusal line per text or keyboard Telegram could not show."""
    lines: list[msg.Line] = []
    settings = msg.Place("settings", 2)
    for language in survey.languages:
        title = survey.text_for(survey.title, language)
        if len(title) > TITLE_CHARS:
            lines.append(
                msg.line(settings, _too_long(msg.TITLE_TOO_LONG, language, title, TITLE_CHARS))
            )
        intro = survey.text_for(survey.intro, language)
        if len(intro) > INTRO_CHARS:
            lines.append(
                msg.line(settings, _too_long(msg.INTRO_TOO_LONG, language, intro, INTRO_CHARS))
            )
    for question in survey.questions:
        place = places.get(question.key, msg.Place("survey"))
        for language in survey.languages:
            shown = survey.text_for(question.text, language) + survey.text_for(
                question.hint, language
            )
            if len(shown) > QUESTION_CHARS:
                lines.append(
                    msg.line(
                        place, _too_long(msg.QUESTION_TOO_LONG, language, shown, QUESTION_CHARS)
                    )
                )
        choices = getattr(question, "choices", None) or []
        if len(choices) > CHOICES:
            lines.append(
                msg.line(place, msg.TOO_MANY_CHOICES.format(count=len(choices), limit=CHOICES))
            )
    return lines


def _too_long(template: msg.Msg, language: str, text: str, limit: int) -> msg.Text:
    return template.format(language=language, length=len(text), limit=limit)
