"""Shared helpers of the engine tests (``test_conversations_engine*.py``): the sample survey,
a fixed today, progress with earlier questions answered, and feeding inputs to the engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from conversations.engine import Answer, Progress, Step, UserInput, advance, begin, current_question
from conversations.sample import sample_survey
from conversations.state import REFUSAL_CODES

TODAY = dt.date(2024, 6, 15)
SURVEY = sample_survey()


def run(inputs: Iterable[UserInput], progress: Progress | None = None) -> Step:
    """Feed inputs from the start (or from ``progress``); return the last step."""
    step = begin(SURVEY) if progress is None else Step(progress, current_question(SURVEY, progress))
    for user_input in inputs:
        step = advance(SURVEY, step.progress, user_input, today=TODAY)
    return step


def at(key: str, **answers: Answer) -> Progress:
    """Progress with the given answers (all earlier questions answered sensibly)."""
    defaults = {
        "welcome": Answer("welcome", None, "answered"),
        "rating": Answer("rating", 4, "answered"),
        "role": Answer("role", "leader", "answered"),
        "topics": Answer("topics", ["health"], "answered"),
        "has_office": Answer("has_office", "no", "answered"),
        "budget": Answer("budget", None, "skipped"),
        "started_on": Answer("started_on", "2020-01-01", "answered"),
        "comment": Answer("comment", None, "skipped"),
    }
    defaults.update(answers)
    order = [q.key for q in SURVEY.questions]
    stop = order.index(key)
    chosen = [defaults[k] for k in order[:stop] if k in defaults]
    progress = Progress.from_answers(chosen)
    assert current_question(SURVEY, progress).key == key  # type: ignore[union-attr]
    return progress


def ask(key: str, user_input: UserInput, **kwargs: object) -> Step:
    return advance(SURVEY, at(key), user_input, today=TODAY, **kwargs)  # type: ignore[arg-type]


def refused(step: Step, code: str) -> None:
    assert step.refusal is not None, step
    assert step.refusal.code == code
    assert step.refusal.code in REFUSAL_CODES
    assert step.stored is None
