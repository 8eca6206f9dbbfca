"""The survey engine: pure functions from (survey, progress, input) to the next step.

No Telegram, no database, no clock unless given one: the bot loads ``Progress`` from storage,
calls ``advance`` with what the person did, persists ``Step.stored`` / deletes
``Step.removed``, and renders ``Step.question`` or ``Step.refusal``. Nothing here raises on
user input.

Navigation rules (the ones people notice):

- **Current question**: the Back cursor if set (and still visible), otherwise the first
  visible question without a settled answer. Hidden questions are never asked.
- **Back** moves the cursor to the previous visible *answerable* question (notes are passed
  over). Nothing is deleted by going back. On the first question Back is refused
  (``at_start``). After the end (done), Back reopens the last visible question.
- **Re-answering** at the cursor replaces that answer and clears the cursor; the person then
  continues at the first visible unanswered question (done if there is none). They do not have
  to walk again through later questions they already answered; Back still reaches them.
- **Hidden answers are removed explicitly**: when an answer hides questions that were
  answered (e.g. a follow-up to a low score after the score is raised), those answers are
  dropped from ``Progress`` and their keys listed in ``Step.removed``, never silently lost.
- **Notes** are passed with kind ``"done"`` (or ``"choice"`` ``"next"``, or any other
  non-voice input) and recorded as an ``Answer`` with value None, so a restart does not show
  them again.
- **Position** ``(n, total)`` counts visible answerable questions only (notes excluded); total
  grows when an answer reveals a follow-up. ``step_position`` counts the same way but takes a
  ``one_screen`` section as one step, for surveys that have screens (the J-PAT's "Step 6 of 8").
- **Screens**: the questions of a ``one_screen`` section are shown together (``screen``). Any
  of them can be answered in any order (``advance(..., key=...)``); the screen stays until
  all of them are settled, then the next one comes by itself. Back from a screen goes to the
  question (or whole screen) before it and puts the cursor on that screen's first question;
  answers given on a screen reached by Back keep the cursor there until ``next``. Input
  without a ``key`` answers the screen's first open question; when none is open (a screen
  reached by Back) it is refused (``screen_use_buttons``) rather than overwrite an answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from conversations.answering import CONTINUE_CODE, DONT_KNOW_CODE, Selection, interpret
from conversations.conditions import evaluate
from conversations.definition import MultipleChoiceQuestion, Question, Survey
from conversations.state import (
    REFUSAL_CODES,
    Answer,
    AnswerStatus,
    AnswerValue,
    InputKind,
    Progress,
    Refusal,
    Step,
    UserInput,
)

__all__ = [
    "CONTINUE_CODE",
    "DONT_KNOW_CODE",
    "REFUSAL_CODES",
    "Answer",
    "AnswerStatus",
    "AnswerValue",
    "InputKind",
    "Progress",
    "Refusal",
    "Step",
    "UserInput",
    "advance",
    "begin",
    "current_question",
    "initial_selection",
    "is_complete",
    "position",
    "screen",
    "step_position",
    "visible_questions",
]


def visible_questions(survey: Survey, answers: Mapping[str, Answer]) -> list[Question]:
    """Questions whose ``show_if`` holds, in order.

    Conditions see only answers of questions that are themselves visible, so a stale answer to
    a hidden question can never reveal anything.
    """
    visible: list[Question] = []
    effective: dict[str, Answer] = {}
    for question in survey.questions:
        if question.show_if is None or evaluate(question.show_if, effective):
            visible.append(question)
            answer = answers.get(question.key)
            if answer is not None:
                effective[question.key] = answer
    return visible


def _settled(question: Question, answer: Answer | None) -> bool:
    """Whether ``answer`` is a final answer to ``question`` (so it is not asked again).

    Stricter than "an answer exists": a skipped required question or a "don't know" where none
    is allowed (possible only with data from an older definition) is asked again.
    """
    if answer is None:
        return False
    if not question.is_answerable:
        return True
    if answer.status == "skipped":
        return not question.required
    if answer.status == "dont_know":
        return question.allows_dont_know
    if answer.status == "answered":
        return answer.value is not None or bool(answer.voice_file_id)
    return False


def _cursor_question(progress: Progress, visible: list[Question]) -> Question | None:
    if progress.cursor is None:
        return None
    return next((q for q in visible if q.key == progress.cursor), None)


def current_question(survey: Survey, progress: Progress) -> Question | None:
    """The question to ask now: the Back cursor, else the first visible unsettled one."""
    visible = visible_questions(survey, progress.answers)
    at_cursor = _cursor_question(progress, visible)
    if at_cursor is not None:
        return at_cursor
    return next((q for q in visible if not _settled(q, progress.answers.get(q.key))), None)


def _screen_of(survey: Survey, visible: list[Question], question: Question) -> list[Question]:
    section = survey.section(question.section)
    if section is None or not section.one_screen:
        return [question]
    return [q for q in visible if q.section == section.key]


def screen(survey: Survey, progress: Progress) -> list[Question]:
    """The questions shown now: a one-screen section's visible questions, else the current
    question alone; empty when the survey is done."""
    question = current_question(survey, progress)
    if question is None:
        return []
    return _screen_of(survey, visible_questions(survey, progress.answers), question)


def is_complete(survey: Survey, progress: Progress) -> bool:
    """Every visible question has a settled answer (required ones answered or "don't know")."""
    visible = visible_questions(survey, progress.answers)
    return all(_settled(q, progress.answers.get(q.key)) for q in visible)


def position(survey: Survey, progress: Progress, question: Question) -> tuple[int, int]:
    """``(n, total)`` over the visible answerable questions, e.g. ``(3, 8)`` for "3/8".

    Notes are not counted; a note (or a hidden question) gets the number of the next
    answerable question, capped at ``total``.
    """
    answerable = [q for q in visible_questions(survey, progress.answers) if q.is_answerable]
    total = len(answerable)
    keys = [q.key for q in answerable]
    if question.key in keys:
        return keys.index(question.key) + 1, total
    order = survey.question_index
    index = order.get(question.key, len(survey.questions))
    before = sum(1 for q in answerable if order[q.key] < index)
    return min(before + 1, total), total


def _step_of(survey: Survey, question: Question) -> str:
    """What one step is: a whole ``one_screen`` section, else the question itself."""
    section = survey.section(question.section)
    if section is not None and section.one_screen:
        return f"screen:{section.key}"
    return f"question:{question.key}"


def step_position(survey: Survey, progress: Progress, question: Question) -> tuple[int, int]:
    """``(n, total)`` in steps: each ``one_screen`` section is one step, every other visible
    answerable question one step, so a survey of screens and questions reads as one sequence.

    Like ``position``, a note (or a hidden question) gets the number of the next step, capped
    at ``total``, and the total grows when an answer reveals a follow-up.
    """
    answerable = [q for q in visible_questions(survey, progress.answers) if q.is_answerable]
    steps = list(dict.fromkeys(_step_of(survey, q) for q in answerable))
    total = len(steps)
    own = _step_of(survey, question)
    if own in steps:
        return steps.index(own) + 1, total
    order = survey.question_index
    index = order.get(question.key, len(survey.questions))
    before = {_step_of(survey, q) for q in answerable if order[q.key] < index}
    return min(len(before) + 1, total), total


def initial_selection(progress: Progress, question: Question) -> frozenset[str]:
    """The selection to pre-fill when a multiple-choice question is asked again after Back."""
    answer = progress.answers.get(question.key)
    if not isinstance(question, MultipleChoiceQuestion) or answer is None:
        return frozenset()
    if not isinstance(answer.value, list):
        return frozenset()
    return frozenset(code for code in answer.value if code in question.codes)


def begin(survey: Survey) -> Step:
    """The first step of a fresh response."""
    progress = Progress()
    question = current_question(survey, progress)
    return Step(progress, question, done=question is None)


def _prune(
    survey: Survey, answers: Mapping[str, Answer]
) -> tuple[dict[str, Answer], tuple[str, ...]]:
    """Drop answers of questions that are now hidden; report their keys.

    Answers for keys the survey does not define (another version of the file) are kept
    untouched: the engine only deletes what it can explain.
    """
    visible = {q.key for q in visible_questions(survey, answers)}
    known = survey.question_index
    kept: dict[str, Answer] = {}
    removed: list[str] = []
    for key, answer in answers.items():
        if key in known and key not in visible:
            removed.append(key)
        else:
            kept[key] = answer
    return kept, tuple(removed)


def _normalised(survey: Survey, progress: Progress) -> tuple[Progress, tuple[str, ...]]:
    """Progress without hidden answers and without a cursor that points nowhere visible."""
    answers, removed = _prune(survey, progress.answers)
    cursor = progress.cursor
    if cursor is not None and cursor not in {q.key for q in visible_questions(survey, answers)}:
        cursor = None
    if not removed and cursor == progress.cursor:
        return progress, ()
    return Progress(answers, cursor), removed


def _back(survey: Survey, progress: Progress, removed: tuple[str, ...]) -> Step:
    visible = visible_questions(survey, progress.answers)
    question = current_question(survey, progress)
    if question is None:
        anchor = len(visible)
    else:  # from anywhere on a screen, Back leaves the whole screen
        anchor = visible.index(_screen_of(survey, visible, question)[0])
    earlier = [q for q in visible[:anchor] if q.is_answerable]
    if not earlier:
        return Step(
            progress,
            question,
            removed=removed,
            refusal=Refusal("at_start"),
            done=question is None,
        )
    target = _screen_of(survey, visible, earlier[-1])[0]
    return Step(Progress(progress.answers, target.key), target, removed=removed)


def _next(survey: Survey, progress: Progress, removed: tuple[str, ...]) -> Step:
    """Leave a screen reached by Back, once every question on it is settled."""
    shown = screen(survey, progress)
    if any(not _settled(q, progress.answers.get(q.key)) for q in shown):
        return Step(progress, shown[0], removed=removed, refusal=Refusal("screen_incomplete"))
    after = Progress(progress.answers, None)
    following = current_question(survey, after)
    return Step(after, following, removed=removed, done=following is None)


def advance(
    survey: Survey,
    progress: Progress,
    user_input: UserInput,
    *,
    pending_toggles: frozenset[str] = frozenset(),
    today: dt.date | None = None,
    key: str | None = None,
    lang: str | None = None,
) -> Step:
    """Apply one input and say what happens next. Never raises on user input.

    ``pending_toggles`` is the multiple-choice selection the caller keeps between toggles
    (``Step.selection`` after each toggle, ``initial_selection`` when re-asking); ``today``
    resolves relative date bounds (defaults to the local date); ``key`` names the question
    answered when several are on the screen (default: the current question); ``lang`` is the
    reader's language, for typed dates (None reads every language, day first).
    """
    progress, removed = _normalised(survey, progress)
    if user_input.kind == "back":
        return _back(survey, progress, removed)
    if user_input.kind == "next":
        return _next(survey, progress, removed)
    question = current_question(survey, progress)
    if question is None:
        return Step(progress, None, removed=removed, done=True)
    asked = question  # what a refusal shows again
    shown = _screen_of(survey, visible_questions(survey, progress.answers), question)
    if key is None and len(shown) > 1:
        # Typed on a screen: it answers the first statement still open. On a screen reached
        # by Back every statement is answered; which one to change must be pressed.
        question = next((q for q in shown if not _settled(q, progress.answers.get(q.key))), None)
        if question is None:
            # The screen is asked again as it stands: its question is the cursor's, which a
            # stored progress may have on any statement of the screen, not only the first.
            return Step(progress, asked, removed=removed, refusal=Refusal("screen_use_buttons"))
    elif key is not None and key != question.key:
        target = next((q for q in shown if q.key == key), None)
        if target is None:
            return Step(progress, question, removed=removed, refusal=Refusal("not_on_screen"))
        question = target
    outcome = interpret(
        question,
        user_input,
        pending=frozenset(pending_toggles),
        today=today if today is not None else dt.date.today(),
        lang=lang,
    )
    if isinstance(outcome, Refusal):
        return Step(progress, asked if key is None else question, removed=removed, refusal=outcome)
    if isinstance(outcome, Selection):
        return Step(progress, question, removed=removed, selection=outcome.codes)
    answers = {k: answer for k, answer in progress.answers.items() if k != question.key}
    answers[question.key] = outcome  # re-inserted last: answers stay in the order given
    kept, hidden = _prune(survey, answers)
    # On a screen reached by Back the cursor stays until Next; elsewhere an answer clears it.
    revisiting = progress.cursor is not None and len(shown) > 1
    after = Progress(kept, progress.cursor if revisiting else None)
    following = current_question(survey, after)
    return Step(
        after,
        following,
        stored=outcome,
        removed=removed + hidden,
        done=following is None,
    )
