"""How a screen of several questions looks in chat (a J-PAT element): one message with its
statements and their ratings, one row of buttons per statement."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import translator
from bot.surveys.view import button_data, esc, header, intro_lines, shown_answer
from conversations import Progress, Question, Survey, position

# A J-PAT element is one message: the element's statements, each with a reference ("2a") and,
# once rated, the rating; under it one row of buttons per statement: the reference (press it
# to read the statement again), the points and "?" for don't know.


def screen_ref(survey: Survey, question: Question) -> str:
    """ "2b": the section's number and the statement's letter, as the J-PAT toolkit numbers."""
    place = survey.section_position(question.section)
    keys = [q.key for q in survey.questions if q.section == question.section]
    letter = "abcdefghij"[keys.index(question.key)] if question.key in keys else ""
    return f"{place[0] if place else ''}{letter}"


def screen_text(
    survey: Survey,
    progress: Progress,
    questions: list[Question],
    lang: str,
    *,
    intro: bool = False,
    closed: bool = False,
) -> str:
    """The screen's message; ``closed`` is how it stays in the chat after it is left."""
    _ = translator(lang)
    first = questions[0]
    lines = intro_lines(survey, lang) if intro else []
    lines.append(f"<i>{esc(header(survey, progress, first, lang))}</i>")
    section = survey.section(first.section)
    if section is not None:
        lines.append(f"<b>{esc(survey.text_for(section.title, lang))}</b>")
    if not closed:
        scale = scale_end_labels(first, survey, lang)
        if scale:
            lines.append(f"<i>{esc(scale)}</i>")
    for question in questions:
        lines.append("")
        lines.append(
            f"<b>{esc(screen_ref(survey, question))}.</b> {esc(survey.text_for(question.text, lang))}"
        )
        answer = progress.answers.get(question.key)
        if answer is not None and answer.status in ("answered", "dont_know"):
            lines.append(f"<b>✓ {esc(shown_answer(survey, question, answer, lang))}</b>")
    if not closed:
        lines.append("")
        pending = [q for q in questions if progress.answers.get(q.key) is None]
        if pending:
            lines.append(
                "<i>"
                + esc(
                    _(
                        "Press a number on each statement's row; ? means don't know. "
                        "When every statement has a rating, the next part follows."
                    )
                )
                + "</i>"
            )
        else:
            lines.append(
                "<i>" + esc(_("Change any rating with its buttons, then press Next.")) + "</i>"
            )
    return "\n".join(lines)


def screen_keyboard(
    survey: Survey,
    progress: Progress,
    questions: list[Question],
    lang: str,
    response_id: int,
) -> InlineKeyboardMarkup:
    _ = translator(lang)
    rows: list[list[InlineKeyboardButton]] = []
    for question in questions:
        qi = survey.question_index[question.key]
        answer = progress.answers.get(question.key)
        chosen = answer.value if answer is not None and answer.status == "answered" else None
        row = [
            InlineKeyboardButton(
                screen_ref(survey, question), callback_data=button_data(response_id, qi, "i")
            )
        ]
        for point in question.points:
            mark = f"✓{point}" if chosen == point else str(point)
            row.append(
                InlineKeyboardButton(mark, callback_data=button_data(response_id, qi, "c", point))
            )
        if question.allows_dont_know:
            dont_know = answer is not None and answer.status == "dont_know"
            row.append(
                InlineKeyboardButton(
                    "✓?" if dont_know else "?", callback_data=button_data(response_id, qi, "k")
                )
            )
        rows.append(row)
    first = survey.question_index[questions[0].key]
    navigation = []
    if position(survey, progress, questions[0])[0] > 1:
        navigation.append(
            InlineKeyboardButton(_("◀ Back"), callback_data=button_data(response_id, first, "b"))
        )
    if progress.cursor is not None and all(progress.answers.get(q.key) for q in questions):
        navigation.append(
            InlineKeyboardButton(_("Next ▶"), callback_data=button_data(response_id, first, "x"))
        )
    if navigation:
        rows.append(navigation)
    return InlineKeyboardMarkup(rows)


def scale_end_labels(question: Question, survey: Survey, lang: str) -> str:
    if question.type != "scale" or not question.labels:
        return ""
    low = question.labels.get(question.min)
    high = question.labels.get(question.max)
    if low is None or high is None:
        return ""
    return f"{question.min} = {survey.text_for(low, lang)} · {question.max} = {survey.text_for(high, lang)}"
