"""One-screen sections (J-PAT elements): answered in any order, left when complete, Back and
Next between whole screens, and the definition rules that keep a screen small and stable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conversations.engine import (
    Progress,
    Step,
    UserInput,
    advance,
    begin,
    current_question,
    screen,
)
from conversations.loader import SURVEYS_DIR, load_survey
from tests.survey_files import base, load_error, write

JPAT = load_survey(SURVEYS_DIR / "jpat.yaml")


def rate(step: Step, key: str, point: int) -> Step:
    return advance(JPAT, step.progress, UserInput(kind="choice", value=str(point)), key=key)


def keys(progress: Progress) -> list[str]:
    return [q.key for q in screen(JPAT, progress)]


def test_an_element_is_one_screen_answered_in_any_order() -> None:
    step = begin(JPAT)
    assert keys(step.progress) == ["e1a", "e1b", "e1c"]
    step = rate(step, "e1c", 2)
    assert step.stored is not None and step.stored.key == "e1c" and step.stored.value == 2
    assert keys(step.progress) == ["e1a", "e1b", "e1c"]  # still on the element
    step = rate(step, "e1c", 4)  # a change of mind replaces the answer
    step = advance(JPAT, step.progress, UserInput(kind="dont_know"), key="e1a")
    assert step.progress.answers["e1a"].status == "dont_know"
    step = rate(step, "e1b", 5)
    assert keys(step.progress) == ["e2a", "e2b", "e2c"]  # complete: the next element
    assert {k: a.value for k, a in step.progress.answers.items()} == {
        "e1c": 4,
        "e1a": None,
        "e1b": 5,
    }


def test_a_question_not_on_screen_is_refused_and_nothing_changes() -> None:
    step = rate(begin(JPAT), "e2a", 3)
    assert step.refusal is not None and step.refusal.code == "not_on_screen"
    assert step.progress.answers == {} and step.stored is None


def test_back_and_next_move_by_whole_screens() -> None:
    step = begin(JPAT)
    for key in ("e1a", "e1b", "e1c", "e2a"):
        step = rate(step, key, 4)
    assert keys(step.progress) == ["e2a", "e2b", "e2c"]
    # Back from the middle of element 2 goes to element 1, not to e2a
    step = advance(JPAT, step.progress, UserInput(kind="back"))
    assert keys(step.progress) == ["e1a", "e1b", "e1c"] and step.progress.cursor == "e1a"
    # a change on the revisited screen keeps it until Next
    step = rate(step, "e1b", 1)
    assert keys(step.progress) == ["e1a", "e1b", "e1c"]
    assert step.progress.answers["e1b"].value == 1
    step = advance(JPAT, step.progress, UserInput(kind="next"))
    assert keys(step.progress) == ["e2a", "e2b", "e2c"] and step.progress.cursor is None
    assert step.progress.answers["e2a"].value == 4  # nothing lost on the way
    # Back on the first screen is refused
    first = advance(JPAT, begin(JPAT).progress, UserInput(kind="back"))
    assert first.refusal is not None and first.refusal.code == "at_start"


def test_typed_answers_fill_the_open_statements_and_never_overwrite_on_a_revisited_screen() -> None:
    step = rate(begin(JPAT), "e1a", 2)
    step = advance(JPAT, step.progress, UserInput(kind="text", value="5"))
    assert step.stored is not None and step.stored.key == "e1b"  # the first open one
    assert step.progress.answers["e1a"].value == 2
    for key in ("e1c", "e2a"):
        step = rate(step, key, 4)
    step = advance(JPAT, step.progress, UserInput(kind="back"))
    assert step.progress.cursor == "e1a"
    typed = advance(JPAT, step.progress, UserInput(kind="text", value="1"))
    assert typed.refusal is not None and typed.refusal.code == "screen_use_buttons"
    assert typed.stored is None and typed.progress == step.progress
    assert typed.progress.answers["e1a"].value == 2
    assert typed.question == current_question(JPAT, typed.progress)
    # Stored with the cursor on a later statement of the screen (Hypothesis found e3b): the
    # refusal still names the cursor's question, so the screen is asked again unchanged.
    later = Progress(step.progress.answers, "e1b")
    typed = advance(JPAT, later, UserInput(kind="text", value="1"))
    assert typed.refusal is not None and typed.refusal.code == "screen_use_buttons"
    assert typed.question is not None and typed.question.key == "e1b"
    assert typed.question == current_question(JPAT, typed.progress)


def test_next_before_a_screen_is_complete_is_refused() -> None:
    step = rate(begin(JPAT), "e1a", 3)
    step = advance(JPAT, step.progress, UserInput(kind="next"))
    assert step.refusal is not None and step.refusal.code == "screen_incomplete"


def test_after_the_last_element_the_open_questions_come_one_by_one() -> None:
    step = begin(JPAT)
    for question in JPAT.questions[:13]:
        step = rate(step, question.key, 2 if question.key == "e3a" else 4)
    assert keys(step.progress) == ["low_reason"]  # a low score asks for the reason
    step = advance(JPAT, step.progress, UserInput(kind="back"))
    assert keys(step.progress) == ["e5a", "e5b"]


def _one_screen(data: dict[str, Any]) -> dict[str, Any]:
    data["sections"] = [{"key": "s", "title": {"en": "S", "fr": "S"}, "one_screen": True}]
    data["questions"][0]["section"] = "s"
    return data


def test_a_one_screen_section_holds_required_scales_that_follow_each_other(
    tmp_path: Path,
) -> None:
    ok = _one_screen(base())
    assert load_survey(write(tmp_path, ok, "ok.yaml")).sections[0].one_screen
    choice = _one_screen(base())
    choice["questions"][1]["section"] = "s"  # a single choice on the screen
    assert "required scale questions only" in str(load_error(tmp_path, choice))
    gap = _one_screen(base())
    gap["questions"][2]["section"] = "s"  # not next to the first
    assert "must follow each other" in str(load_error(tmp_path, gap))
    wide = _one_screen(base())
    wide["questions"][0]["max"] = 7
    assert "at most 5 points" in str(load_error(tmp_path, wide))
    mixed = _one_screen(base())
    second = dict(mixed["questions"][0], key="score2", max=4)  # one legend cannot fit both
    mixed["questions"].insert(1, second)
    assert "share their points and labels" in str(load_error(tmp_path, mixed))
    mixed["questions"][1] = dict(second, max=5, labels={1: {"en": "No", "fr": "Non"}})
    assert "share their points and labels" in str(load_error(tmp_path, mixed))
    mixed["questions"][1] = dict(second, max=5)
    assert len(load_survey(write(tmp_path, mixed, "same.yaml")).questions) == 4


@pytest.mark.parametrize("lang", JPAT.languages)
def test_the_jpat_elements_are_five_screens(lang: str) -> None:
    assert JPAT.section_name == "element"
    assert [s.one_screen for s in JPAT.sections] == [True] * 5
    assert JPAT.text_for(JPAT.sections[1].title, lang)
