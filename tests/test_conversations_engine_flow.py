"""The engine on examples: moving through a survey: hidden answers (show_if), Back, position,
whole runs of the sample and J-PAT surveys, and the free-text helpers.
"""

from __future__ import annotations

from conversations.engine import (
    Answer,
    Progress,
    Step,
    UserInput,
    advance,
    begin,
    current_question,
    is_complete,
    position,
    visible_questions,
)
from conversations.loader import load_all
from conversations.validation import FREE_TEXT_LIMIT, clip_free_text, join_parts
from tests.engine_steps import SURVEY, ask, at, refused, run

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
