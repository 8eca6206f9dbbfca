"""The engine on examples: every question type, refusals, Back, hidden answers, notes, position."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pytest

from conversations.engine import (
    Answer,
    Progress,
    Step,
    UserInput,
    advance,
    begin,
    current_question,
    initial_selection,
    is_complete,
    position,
    visible_questions,
)
from conversations.loader import load_all
from conversations.sample import sample_survey
from conversations.state import REFUSAL_CODES
from conversations.validation import FREE_TEXT_LIMIT, clip_free_text, join_parts

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


# ---------------------------------------------------------------------------- start and notes


def test_begin_shows_the_first_note() -> None:
    step = begin(SURVEY)
    assert step.question is not None and step.question.key == "welcome"
    assert not step.done and step.stored is None


@pytest.mark.parametrize(
    "user_input",
    [UserInput("done"), UserInput.choice("next"), UserInput.text("ok"), UserInput("skip")],
)
def test_note_is_passed_with_continue(user_input: UserInput) -> None:
    step = advance(SURVEY, Progress(), user_input)
    assert step.stored == Answer("welcome", None, "answered")
    assert step.question is not None and step.question.key == "rating"


def test_note_refuses_voice() -> None:
    refused(advance(SURVEY, Progress(), UserInput.voice("file")), "voice_not_allowed")


# ---------------------------------------------------------------------------- scale


def test_scale_button_and_typed() -> None:
    assert ask("rating", UserInput.choice("4")).stored == Answer("rating", 4, "answered")
    typed = ask("rating", UserInput.text(" ٥ "))
    assert typed.stored == Answer("rating", 5, "answered", raw=" ٥ ")
    assert ask("rating", UserInput.text("very good")).stored.value == 5  # type: ignore[union-attr]


def test_scale_refusals() -> None:
    step = ask("rating", UserInput.choice("9"))
    refused(step, "out_of_range")
    assert step.refusal.params == {"min": 1, "max": 5}  # type: ignore[union-attr]
    refused(ask("rating", UserInput.text("great")), "scale_expected")
    refused(ask("rating", UserInput.toggle("1")), "unexpected_input")
    refused(ask("rating", UserInput("skip")), "required")


def test_scale_dont_know() -> None:
    for user_input in (
        UserInput("dont_know"),
        UserInput.choice("dont_know"),
        UserInput.text("Je ne sais pas"),
    ):
        assert ask("rating", user_input).stored == Answer("rating", None, "dont_know")


def test_dont_know_only_where_allowed() -> None:
    refused(ask("role", UserInput("dont_know")), "dont_know_not_allowed")


# ---------------------------------------------------------------------------- single choice


def test_single_choice() -> None:
    assert ask("role", UserInput.choice("staff")).stored.value == "staff"  # type: ignore[union-attr]
    assert ask("role", UserInput.text("3")).stored.value == "volunteer"  # type: ignore[union-attr]
    assert ask("role", UserInput.text("bénévole")).stored.value == "volunteer"  # type: ignore[union-attr]
    refused(ask("role", UserInput.choice("boss")), "choice_unknown")
    refused(ask("role", UserInput.text("7")), "choice_unknown")
    refused(ask("role", UserInput("done")), "unexpected_input")


# ---------------------------------------------------------------------------- multiple choice


def test_multiple_choice_toggles_then_done() -> None:
    progress = at("topics")
    step = advance(SURVEY, progress, UserInput.toggle("health"))
    assert step.selection == frozenset({"health"}) and step.stored is None
    step = advance(SURVEY, progress, UserInput.toggle("protection"), pending_toggles=step.selection)  # type: ignore[arg-type]
    assert step.selection == frozenset({"health", "protection"})
    step = advance(SURVEY, progress, UserInput.toggle("health"), pending_toggles=step.selection)  # type: ignore[arg-type]
    assert step.selection == frozenset({"protection"})
    step = advance(SURVEY, progress, UserInput.toggle("education"), pending_toggles=step.selection)  # type: ignore[arg-type]
    step = advance(SURVEY, progress, UserInput("done"), pending_toggles=step.selection)  # type: ignore[arg-type]
    assert step.stored == Answer("topics", ["education", "protection"], "answered")
    assert step.question is not None and step.question.key == "protection_detail"


def test_multiple_choice_limits() -> None:
    progress = at("topics")
    two = frozenset({"health", "education"})
    step = advance(SURVEY, progress, UserInput.toggle("protection"), pending_toggles=two)
    refused(step, "too_many_selections")
    assert step.refusal.params == {"min": 1, "max": 2}  # type: ignore[union-attr]
    refused(advance(SURVEY, progress, UserInput("done")), "too_few_selections")
    refused(advance(SURVEY, progress, UserInput.toggle("nope")), "choice_unknown")
    # junk in the caller's pending set is ignored
    step = advance(SURVEY, progress, UserInput("done"), pending_toggles=frozenset({"health", "zz"}))
    assert step.stored == Answer("topics", ["health"], "answered")


def test_multiple_choice_typed_list() -> None:
    step = ask("topics", UserInput.text("2, 1"))
    assert step.stored == Answer("topics", ["health", "education"], "answered", raw="2, 1")
    refused(ask("topics", UserInput.text("1 2 3")), "too_many_selections")


def test_initial_selection_for_back() -> None:
    progress = Progress.from_answers([Answer("topics", ["health", "gone"], "answered")])
    assert initial_selection(progress, SURVEY.question("topics")) == frozenset({"health"})  # type: ignore[arg-type]
    assert initial_selection(progress, SURVEY.question("role")) == frozenset()  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- yes/no, integer


@pytest.mark.parametrize(
    ("text", "value"), [("yes", "yes"), ("Oui", "yes"), ("نعم", "yes"), ("hapana", "no")]
)
def test_yes_no_words(text: str, value: str) -> None:
    assert ask("has_office", UserInput.text(text)).stored.value == value  # type: ignore[union-attr]


def test_yes_no_buttons_and_refusal() -> None:
    assert ask("has_office", UserInput.choice("no")).stored.value == "no"  # type: ignore[union-attr]
    refused(ask("has_office", UserInput.text("perhaps")), "yes_no_expected")


def test_integer_with_custom_message() -> None:
    progress = at("office_staff", has_office=Answer("has_office", "yes", "answered"))
    step = advance(SURVEY, progress, UserInput.text("1 200"))
    refused(step, "out_of_range")
    assert step.refusal.params == {"min": 0, "max": 500}  # type: ignore[union-attr]
    assert step.refusal.custom["fr"].startswith("Veuillez")  # type: ignore[index,union-attr]
    refused(advance(SURVEY, progress, UserInput.text("twelve")), "integer_expected")
    refused(advance(SURVEY, progress, UserInput.text("  ")), "empty")
    refused(advance(SURVEY, progress, UserInput("skip")), "required")
    assert advance(SURVEY, progress, UserInput("skip")).refusal.custom is None  # type: ignore[union-attr]
    stored = advance(SURVEY, progress, UserInput.text("١٢")).stored
    assert stored == Answer("office_staff", 12, "answered", raw="١٢")


# ---------------------------------------------------------------------------- decimal, date


def test_decimal() -> None:
    assert ask("budget", UserInput.text("3,5")).stored.value == 3.5  # type: ignore[union-attr]
    assert ask("budget", UserInput.text("1 200,50")).stored.value == 1200.5  # type: ignore[union-attr]
    step = ask("budget", UserInput.text("1,200"))
    refused(step, "number_ambiguous")
    assert step.refusal.params == {"as_thousands": 1200.0, "as_decimal": 1.2}  # type: ignore[union-attr]
    refused(ask("budget", UserInput.text("-3")), "out_of_range")
    refused(ask("budget", UserInput.text("lots")), "decimal_expected")
    assert ask("budget", UserInput("skip")).stored == Answer("budget", None, "skipped")


def test_date() -> None:
    assert ask("started_on", UserInput.text("9/3/2021")).stored.value == "2021-03-09"  # type: ignore[union-attr]
    step = ask("started_on", UserInput.text("01/01/2030"))
    refused(step, "date_out_of_range")
    assert step.refusal.params == {"min": "1990-01-01", "max": "2024-06-15"}  # type: ignore[union-attr]
    refused(ask("started_on", UserInput.text("last year")), "date_expected")


# ---------------------------------------------------------------------------- text and voice


def test_text_and_voice() -> None:
    low = at("rating_why", rating=Answer("rating", 1, "answered"))
    step = advance(SURVEY, low, UserInput.text("  slow replies  "))
    assert step.stored == Answer("rating_why", "slow replies", "answered")
    # One limit for every free text, whatever max_length the definition still names (200).
    long = "x" * 3999
    assert advance(SURVEY, low, UserInput.text(long)).stored == Answer(
        "rating_why", long, "answered"
    )
    step = advance(SURVEY, low, UserInput.text("x" * (FREE_TEXT_LIMIT + 1)))
    refused(step, "too_long")
    assert step.refusal.params == {  # type: ignore[union-attr]
        "max_length": FREE_TEXT_LIMIT,
        "length": FREE_TEXT_LIMIT + 1,
    }
    step = advance(SURVEY, low, UserInput.voice("voice-1", 14))
    assert step.stored == Answer(
        "rating_why", None, "answered", voice_file_id="voice-1", voice_duration=14
    )
    refused(advance(SURVEY, low, UserInput.voice("")), "empty")
    refused(advance(SURVEY, low, UserInput.choice("x")), "unexpected_input")
    assert advance(SURVEY, low, UserInput("skip")).stored == Answer("rating_why", None, "skipped")


def test_voice_refused_where_not_allowed() -> None:
    progress = at("protection_detail", topics=Answer("topics", ["protection"], "answered"))
    refused(advance(SURVEY, progress, UserInput.voice("v")), "voice_not_allowed")
    refused(ask("rating", UserInput.voice("v")), "voice_not_allowed")


# ---------------------------------------------------------------------------- show_if


def test_hidden_questions_are_not_asked() -> None:
    step = ask("rating", UserInput.choice("4"))
    assert step.question.key == "role"  # type: ignore[union-attr]
    step = ask("rating", UserInput.choice("2"))
    assert step.question.key == "rating_why"  # type: ignore[union-attr]
    keys = [q.key for q in visible_questions(SURVEY, at("thanks").answers)]
    assert (
        "rating_why" not in keys and "office_staff" not in keys and "protection_detail" not in keys
    )


def test_combined_condition() -> None:
    base = at("comment")
    assert "comment" in [q.key for q in visible_questions(SURVEY, base.answers)]
    five = dict(base.answers, rating=Answer("rating", 5, "answered"))
    assert "comment" not in [q.key for q in visible_questions(SURVEY, five)]


# ---------------------------------------------------------------------------- Back


def test_back_moves_to_previous_answerable_question_and_keeps_answers() -> None:
    progress = at("topics")
    step = advance(SURVEY, progress, UserInput("back"))
    assert step.question.key == "role" and step.progress.cursor == "role"  # type: ignore[union-attr]
    assert step.progress.answers == progress.answers and step.removed == ()
    step = advance(SURVEY, step.progress, UserInput("back"))
    assert step.question.key == "rating"  # type: ignore[union-attr]
    # the note at the start is passed over: Back stops at the first real question
    step = advance(SURVEY, step.progress, UserInput("back"))
    refused(step, "at_start")
    assert step.question.key == "rating"  # type: ignore[union-attr]


def test_reanswer_continues_at_first_unanswered() -> None:
    progress = at("has_office")
    step = advance(SURVEY, progress, UserInput("back"))
    step = advance(SURVEY, step.progress, UserInput("back"))
    assert step.question.key == "role"  # type: ignore[union-attr]
    step = advance(SURVEY, step.progress, UserInput.choice("staff"))
    assert step.stored == Answer("role", "staff", "answered")
    assert step.progress.cursor is None
    assert step.question.key == "has_office"  # type: ignore[union-attr]
    assert step.progress.answers["topics"] == progress.answers["topics"]
    assert list(step.progress.answers)[-1] == "role"  # ordered by time answered


def test_changed_answer_that_hides_later_answers_reports_them() -> None:
    low = at(
        "role",
        rating=Answer("rating", 1, "answered"),
        rating_why=Answer("rating_why", "late", "answered"),
    )
    step = advance(SURVEY, low, UserInput("back"))
    step = advance(SURVEY, step.progress, UserInput("back"))
    assert step.question.key == "rating"  # type: ignore[union-attr]
    step = advance(SURVEY, step.progress, UserInput.choice("4"))
    assert step.removed == ("rating_why",)
    assert "rating_why" not in step.progress.answers
    assert step.question.key == "role"  # type: ignore[union-attr]


def test_back_after_done_reopens_the_last_question() -> None:
    done = advance(SURVEY, at("thanks"), UserInput("done"))
    assert done.done and done.question is None and is_complete(SURVEY, done.progress)
    again = advance(SURVEY, done.progress, UserInput.text("anything"))
    assert again.done and again.stored is None
    step = advance(SURVEY, done.progress, UserInput("back"))
    assert step.question.key == "comment" and not step.done  # type: ignore[union-attr]
    step = advance(SURVEY, step.progress, UserInput.text("all good"))
    assert step.done and step.stored == Answer("comment", "all good", "answered")


def test_stale_cursor_and_hidden_answers_are_normalised() -> None:
    progress = Progress(
        {
            "rating": Answer("rating", 5, "answered"),
            "rating_why": Answer("rating_why", "x", "answered"),
        },
        cursor="office_staff",
    )
    step = advance(SURVEY, progress, UserInput.text("ok"))
    assert step.removed == ("rating_why",)
    assert step.progress.cursor is None


def test_unknown_keys_are_left_alone() -> None:
    progress = Progress({"from_v0": Answer("from_v0", 1, "answered")})
    step = advance(SURVEY, progress, UserInput("done"))
    assert "from_v0" in step.progress.answers and step.removed == ()


def test_stored_required_skip_is_asked_again() -> None:
    progress = Progress.from_answers(
        [Answer("welcome", None, "answered"), Answer("rating", None, "skipped")]
    )
    assert current_question(SURVEY, progress).key == "rating"  # type: ignore[union-attr]
    assert not is_complete(SURVEY, progress)


# ---------------------------------------------------------------------------- position


def test_position_counts_visible_answerable_questions() -> None:
    progress = at("role")
    # visible answerable: rating, role, topics, has_office, budget, started_on (comment still
    # hidden: it depends on the role, not answered yet) = 6; notes are not counted
    assert position(SURVEY, progress, SURVEY.question("role")) == (2, 6)  # type: ignore[arg-type]
    assert position(SURVEY, progress, SURVEY.question("welcome")) == (1, 6)  # type: ignore[arg-type]
    assert position(SURVEY, progress, SURVEY.question("thanks")) == (6, 6)  # type: ignore[arg-type]
    low = at(
        "role",
        rating=Answer("rating", 2, "answered"),
        rating_why=Answer("rating_why", None, "skipped"),
    )
    assert position(SURVEY, low, SURVEY.question("role")) == (3, 7)  # type: ignore[arg-type]
    # answering the role reveals the comment question: the total grows
    step = advance(SURVEY, progress, UserInput.choice("leader"))
    assert position(SURVEY, step.progress, step.question) == (3, 7)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- whole runs


def test_full_run_of_the_sample_survey() -> None:
    step = run(
        [
            UserInput("done"),
            UserInput.choice("2"),
            UserInput.voice("v1", 3),
            UserInput.text("Community leader"),
            UserInput.text("1, 4"),
            UserInput.text("Evictions"),
            UserInput.text("oui"),
            UserInput.text("7"),
            UserInput.text("250,75"),
            UserInput.text("2019-05-01"),
            UserInput("skip"),
            UserInput.choice("next"),
        ]
    )
    assert step.done
    answers = step.progress.answers
    assert answers["topics"].value == ["health", "protection"]
    assert answers["office_staff"].value == 7
    assert answers["budget"].value == 250.75
    assert answers["comment"].status == "skipped"
    assert is_complete(SURVEY, step.progress)


def test_jpat_low_reason_only_after_a_low_score() -> None:
    jpat = load_all()["jpat"]
    items = [q.key for q in jpat.questions if q.key.startswith("e")]
    assert len(items) == 13

    def answer_all(score: str) -> Step:
        step = begin(jpat)
        for _ in items:
            step = advance(jpat, step.progress, UserInput.choice(score))
        return step

    assert answer_all("4").question.key == "working_well"  # type: ignore[union-attr]
    step = begin(jpat)
    for index, _ in enumerate(items):
        step = advance(jpat, step.progress, UserInput.choice("2" if index == 7 else "dont_know"))
    assert step.question.key == "low_reason"  # type: ignore[union-attr]


def test_free_text_helpers_keep_the_first_part_and_join_cut_parts() -> None:
    text = "word " * 1000  # 5,000 characters
    kept = clip_free_text(text)
    assert len(kept) <= FREE_TEXT_LIMIT and text.startswith(kept) and kept == kept.rstrip()
    assert join_parts("first part", "second") == "first part second"
    assert join_parts("first part ", "second") == "first part second"
    assert join_parts("first\n", "second") == "first\nsecond"
