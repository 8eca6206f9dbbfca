"""The engine on examples: every question type and its refusals (notes, scale, choices,
yes/no, numbers, dates, text and voice).
"""

from __future__ import annotations

import pytest

from conversations.engine import Answer, Progress, UserInput, advance, begin, initial_selection
from conversations.validation import FREE_TEXT_LIMIT
from tests.engine_steps import SURVEY, ask, at, refused

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
