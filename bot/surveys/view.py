"""How a survey question looks in chat: one message, progress, the question, a hint, buttons.

Survey wording comes from the definition's per-language texts; everything around it (progress,
Skip, Back, Done, refusals) comes from the gettext catalogs. A screen of several questions is
drawn by ``bot.surveys.screen_view``; what was expected after a refused answer by
``bot.surveys.refusals``.
"""

from __future__ import annotations

import datetime as dt
import html

from babel.dates import format_date
from babel.numbers import format_decimal
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.i18n import Translator, translator
from conversations import Answer, Progress, Question, Survey, position, step_position
from conversations.dates import example as date_example
from conversations.validation import FREE_TEXT_LIMIT

#: How much of an earlier text answer is shown when its question is asked again after Back.
EARLIER_TEXT_SHOWN = 300
#: How much of a text answer is shown under its question once answered (Telegram: 4,096).
ANSWER_SHOWN = 3000

# Callback actions: c=choice/point, t=toggle, d=done, k=don't know, n=continue (note),
# s=skip, b=back, x=next (leave a screen reached by Back), i=read a screen's statement again,
# go=start or continue the survey.
AREA = "sv"


def button_data(
    response_id: int, question_index: int | str, action: str, arg: object = None
) -> str:
    parts: list[object] = [AREA, response_id, question_index, action]
    if arg is not None:
        parts.append(arg)
    return callbacks.data(*parts)


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def section_heading(survey: Survey, key: str | None, lang: str) -> str | None:
    """ "Part 2 of 5" (or "Element 2 of 5") in a survey without screens; None outside sections.
    A survey with screens counts steps instead: see ``header``."""
    _ = translator(lang)
    place = survey.section_position(key)
    if place is None:
        return None
    n, total = place
    if survey.section_name == "element":
        return _("Element {n} of {total}", n=n, total=total)
    return _("Part {n} of {total}", n=n, total=total)


def has_screens(survey: Survey) -> bool:
    """Does the survey show some sections as one screen (the J-PAT's elements)?"""
    return any(section.one_screen for section in survey.sections)


def header(survey: Survey, progress: Progress, question: Question, lang: str) -> str:
    """The progress line: "Part 2 of 5 · Question 3 of 8"; in a survey with screens one
    sequence of steps, a screen being one step: "Step 2 of 8 · Element 2", "Step 6 of 8"."""
    _ = translator(lang)
    if has_screens(survey):
        number, total = step_position(survey, progress, question)
        parts = [_("Step {n} of {total}", n=number, total=total)]
        place = survey.section_position(question.section)
        if place is not None:
            if survey.section_name == "element":
                parts.append(_("Element {n}", n=place[0]))
            else:
                parts.append(_("Part {n}", n=place[0]))
        return " · ".join(parts)
    number, total = position(survey, progress, question)
    parts = []
    heading = section_heading(survey, question.section, lang)
    if heading is not None:
        parts.append(heading)
    parts.append(_("Question {n} of {total}", n=number, total=total))
    return " · ".join(parts)


def _type_hint(question: Question, _: Translator) -> str:
    kind = question.type
    if kind == "multiple_choice":
        return _("Choose all that apply, then press Done.")
    if kind == "integer":
        if question.min is not None and question.max is not None:
            return _(
                "Type a whole number from {min} to {max}.",
                min=number_text(question.min, _),
                max=number_text(question.max, _),
            )
        return _("Type a whole number.")
    if kind == "decimal":
        return _("Type a number.")
    if kind == "date":
        today = dt.date.today()
        low, high = question.bounds(today)
        return _(
            "Type a date, for example {example}.",
            example=date_example(
                _.lang,
                today,
                allow_past=low is None or low < today,
                allow_future=high is None or high > today,
                low=low,
                high=high,
            ),
        )
    if kind == "text":
        if question.allows_voice:
            return _("Type your answer, or send a voice message.")
        return _("Type your answer.")
    return ""


def date_text(iso: str, _: Translator) -> str:
    """An ISO date as the reader writes dates (31 déc. 2026, ٣١‏/١٢‏/٢٠٢٦ …)."""
    try:
        return format_date(dt.date.fromisoformat(iso), "medium", locale=_.locale)
    except ValueError:
        return iso


def number_text(value: float, _: Translator) -> str:
    return format_decimal(value, locale=_.locale)


def intro_lines(survey: Survey, lang: str) -> list[str]:
    """The survey's title and introduction, above its first question or screen."""
    return [
        f"<b>{esc(survey.text_for(survey.title, lang))}</b>",
        esc(survey.text_for(survey.intro, lang)),
        "",
    ]


def question_text(
    survey: Survey, progress: Progress, question: Question, lang: str, *, intro: bool = False
) -> str:
    _ = translator(lang)
    lines = intro_lines(survey, lang) if intro else []
    lines.append(f"<i>{esc(header(survey, progress, question, lang))}</i>")
    section = survey.section(question.section)
    if section is not None:
        lines.append(f"<b>{esc(survey.text_for(section.title, lang))}</b>")
    lines.append("")
    lines.append(f"<b>{esc(survey.text_for(question.text, lang))}</b>")
    if question.hint:
        lines.append(esc(survey.text_for(question.hint, lang)))
    # A text question's own hint already says how to answer ("You can type or send a voice
    # message."): the generic one under it would say it twice.
    hint = "" if question.type == "text" and question.hint else _type_hint(question, _)
    if question.type == "text":  # the limit, said before a word is typed
        limit = _("Up to {n} characters.", n=number_text(FREE_TEXT_LIMIT, _))
        hint = f"{hint} {limit}" if hint else limit
    if hint:
        lines.append(f"<i>{esc(hint)}</i>")
    earlier = earlier_answer(progress, question)
    if earlier is not None:  # asked again after Back: what they said before
        given = shown_answer(survey, question, earlier, lang)
        if len(given) > EARLIER_TEXT_SHOWN:
            given = given[: EARLIER_TEXT_SHOWN - 1].rstrip() + "…"
        lines.append("")
        said = _("Your answer: {answer}", answer=given)
        if question.type == "multiple_choice":
            how = _("Change the ticks if you like, then press Done.")
        else:
            how = _("Press “Keep this answer” to leave it as it is, or give a new one.")
        lines += [f"<b>{esc(said)}</b>", f"<i>{esc(how)}</i>"]
    return "\n".join(lines)


def earlier_answer(progress: Progress, question: Question) -> Answer | None:
    """The answer given before to a question asked again after Back (None otherwise)."""
    if progress.cursor != question.key or not question.is_answerable:
        return None
    return progress.answers.get(question.key)


def keyboard(
    survey: Survey,
    progress: Progress,
    question: Question,
    lang: str,
    response_id: int,
    selection: frozenset[str] = frozenset(),
) -> InlineKeyboardMarkup | None:
    _ = translator(lang)
    qi = survey.question_index[question.key]
    rows: list[list[InlineKeyboardButton]] = []

    def add(text: str, action: str, arg: object = None) -> None:
        rows.append(
            [
                InlineKeyboardButton(
                    text[:64], callback_data=button_data(response_id, qi, action, arg)
                )
            ]
        )

    earlier = earlier_answer(progress, question)
    before = earlier.value if earlier is not None and earlier.status == "answered" else None

    def mark(label: str, chosen: bool) -> str:
        return f"✓ {label}" if chosen else label

    kind = question.type
    if kind == "single_choice":
        for index, choice in enumerate(question.choices):
            add(mark(survey.text_for(choice.label, lang), before == choice.code), "c", index)
    elif kind == "multiple_choice":
        for index, choice in enumerate(question.choices):
            mark = "☑" if choice.code in selection else "☐"
            add(f"{mark} {survey.text_for(choice.label, lang)}", "t", index)
        add(_("Done ✓"), "d")
    elif kind == "yes_no":
        rows.append(
            [
                InlineKeyboardButton(
                    mark(_("Yes"), before == "yes"),
                    callback_data=button_data(response_id, qi, "c", "yes"),
                ),
                InlineKeyboardButton(
                    mark(_("No"), before == "no"),
                    callback_data=button_data(response_id, qi, "c", "no"),
                ),
            ]
        )
    elif kind == "scale":
        labelled = all(point in question.labels for point in question.points)
        if labelled:
            for point in question.points:
                label = f"{point} · {survey.text_for(question.labels[point], lang)}"
                add(mark(label, before == point), "c", point)
        else:
            rows.append(
                [
                    InlineKeyboardButton(
                        f"✓{p}" if before == p else str(p),
                        callback_data=button_data(response_id, qi, "c", p),
                    )
                    for p in question.points
                ]
            )
        if question.allows_dont_know:
            dont_know = earlier is not None and earlier.status == "dont_know"
            add(mark(_("Don't know"), dont_know), "k")
    elif kind == "note":
        add(_("Continue"), "n")
    if earlier is not None and kind != "multiple_choice":  # there, Done keeps the ticks
        add(_("Keep this answer"), "x")
    navigation = []
    if not question.required and question.is_answerable:  # a note is passed with Continue
        navigation.append(
            InlineKeyboardButton(_("Skip"), callback_data=button_data(response_id, qi, "s"))
        )
    if position(survey, progress, question)[0] > 1:
        navigation.append(
            InlineKeyboardButton(_("◀ Back"), callback_data=button_data(response_id, qi, "b"))
        )
    if navigation:
        rows.append(navigation)
    return InlineKeyboardMarkup(rows) if rows else None


def shown_answer(survey: Survey, question: Question, answer: Answer, lang: str) -> str:
    """The answer as the partner should see it under the question after they gave it."""
    _ = translator(lang)
    if answer.status == "skipped":
        return _("(skipped)")
    if answer.status == "dont_know":
        return _("Don't know")
    if answer.voice_file_id:
        return _("🎤 voice message")
    value = answer.value
    kind = question.type
    if kind in ("single_choice", "multiple_choice"):
        codes = value if isinstance(value, list) else [value]
        labels = []
        for code in codes:
            choice = question.choice(str(code))
            labels.append(survey.text_for(choice.label, lang) if choice else str(code))
        return ("، " if translator(lang).rtl else ", ").join(labels)
    if kind == "yes_no":
        return _("Yes") if value == "yes" else _("No")
    if kind == "scale":
        label = question.labels.get(value) if isinstance(value, int) else None
        return f"{value} · {survey.text_for(label, lang)}" if label else str(value)
    if kind in ("integer", "decimal") and isinstance(value, (int, float)):
        return number_text(value, _)
    if kind == "note":
        return "✓"
    if kind == "date" and isinstance(value, str):
        return date_text(value, _)
    return str(value) if value is not None else ""


def answered_text(
    survey: Survey, question: Question, answer: Answer, lang: str, *, shown: str | None = None
) -> str:
    """The question message after it was answered: its text, then ✓ and the answer (or
    ``shown`` instead, e.g. that a confidential report was sent: its words never show here)."""
    if not question.is_answerable:  # a note that was read: just its text, no "✓ ✓"
        return esc(survey.text_for(question.text, lang))
    given = shown if shown is not None else shown_answer(survey, question, answer, lang)
    if len(given) > ANSWER_SHOWN:  # all of it is saved; the message must stay under 4,096
        given = given[: ANSWER_SHOWN - 1].rstrip() + "…"
    return f"{esc(survey.text_for(question.text, lang))}\n<b>✓ {esc(given)}</b>"
