"""The shipped surveys say what the partnership policy asks for, in all five languages."""

from __future__ import annotations

import ast
from itertools import product
from pathlib import Path

import pytest

from conversations.definition import (
    DecimalQuestion,
    IntegerQuestion,
    ScaleQuestion,
    SingleChoiceQuestion,
    Survey,
    TextQuestion,
)
from conversations.engine import Answer, visible_questions
from conversations.loader import SURVEYS_DIR, load_all
from conversations.translations import SCALE_LABEL_LIMIT, check_label_lengths, check_translations

SURVEYS = load_all()
LANGUAGES = ["en", "fr", "es", "ar", "sw"]


@pytest.mark.parametrize("survey_id", sorted(SURVEYS))
def test_every_text_in_every_language(survey_id: str) -> None:
    survey = SURVEYS[survey_id]
    assert survey.languages == LANGUAGES
    assert survey.default_language == "en"
    assert check_translations(survey) == []
    assert check_label_lengths(survey) == []


def test_scale_labels_fit_on_buttons() -> None:
    for survey in SURVEYS.values():
        for question in survey.questions:
            if isinstance(question, ScaleQuestion):
                for label in question.labels.values():
                    assert all(len(text) <= SCALE_LABEL_LIMIT for text in label.values()), label


def _max_path_length(survey: Survey) -> int:
    """Most questions visible on any path, trying low/high/"don't know" for the scales that
    drive conditions."""
    drivers = [q for q in survey.questions if isinstance(q, ScaleQuestion)]
    longest = 0
    for values in product([1, 5, None], repeat=len(drivers)):
        answers = {
            q.key: Answer(q.key, v, "answered" if v is not None else "dont_know")
            for q, v in zip(drivers, values, strict=True)
        }
        longest = max(longest, len(visible_questions(survey, answers)))
    return longest


def test_partner_feedback_is_a_short_pulse() -> None:
    survey = SURVEYS["partner_feedback"]
    assert _max_path_length(survey) <= 8
    keys = [q.key for q in survey.questions]
    assert keys == [
        "satisfaction",
        "what_went_wrong",
        "communication",
        "consulted",
        "payments_on_time",
        "credit",
        "improve",
        "confidential",
    ]
    satisfaction = survey.question("satisfaction")
    assert isinstance(satisfaction, ScaleQuestion) and satisfaction.dont_know
    consulted = survey.question("consulted")
    assert isinstance(consulted, SingleChoiceQuestion)
    assert consulted.codes == ("always", "often", "sometimes", "rarely", "never")
    follow_up = survey.question("what_went_wrong")
    assert follow_up is not None and follow_up.show_if is not None and not follow_up.required
    improve, confidential = survey.question("improve"), survey.question("confidential")
    assert isinstance(improve, TextQuestion) and improve.allow_voice and improve.required
    assert isinstance(confidential, TextQuestion) and confidential.allow_voice
    assert not confidential.required
    low = {"satisfaction": Answer("satisfaction", 2, "answered")}
    assert "what_went_wrong" in [q.key for q in visible_questions(survey, low)]
    assert "what_went_wrong" not in [q.key for q in visible_questions(survey, {})]


def test_kpi_checkin() -> None:
    survey = SURVEYS["kpi_checkin"]
    people = survey.question("people_reached")
    assert isinstance(people, IntegerQuestion) and (people.min, people.max) == (0, 1_000_000)
    assert isinstance(survey.question("trainings"), IntegerQuestion)
    funds = survey.question("funds_raised")
    assert isinstance(funds, DecimalQuestion) and funds.min == 0
    currency = survey.question("currency")
    assert isinstance(currency, SingleChoiceQuestion)
    assert currency.codes == ("usd", "eur", "local", "other")
    challenge = survey.question("main_challenge")
    assert isinstance(challenge, TextQuestion) and challenge.allow_voice
    zero = {"funds_raised": Answer("funds_raised", 0.0, "answered")}
    assert "currency" not in [q.key for q in visible_questions(survey, zero)]


def test_meeting_feedback() -> None:
    survey = SURVEYS["meeting_feedback"]
    assert [q.type for q in survey.questions] == ["scale", "yes_no", "yes_no", "yes_no", "text"]
    comment = survey.question("comment")
    assert comment is not None and not comment.required


JPAT_KEYS = [
    "e1a",
    "e1b",
    "e1c",
    "e2a",
    "e2b",
    "e2c",
    "e3a",
    "e3b",
    "e3c",
    "e4a",
    "e4b",
    "e5a",
    "e5b",
]


def test_jpat_structure() -> None:
    survey = SURVEYS["jpat"]
    assert [s.key for s in survey.sections] == ["e1", "e2", "e3", "e4", "e5"]
    assert survey.text_for(survey.sections[1].title, "en") == "Shared ownership and voice"
    assert [q.key for q in survey.questions] == [
        *JPAT_KEYS,
        "low_reason",
        "working_well",
        "one_change",
    ]
    agree = ["Strongly disagree", "Disagree", "Neither agree/disagree", "Agree", "Strongly agree"]
    for key in JPAT_KEYS:
        question = survey.question(key)
        assert isinstance(question, ScaleQuestion)
        assert (question.min, question.max, question.dont_know) == (1, 5, True)
        assert question.section == f"e{key[1]}"
        assert [question.labels[p]["en"] for p in question.points] == agree
    for key in ("low_reason", "working_well", "one_change"):
        question = survey.question(key)
        assert isinstance(question, TextQuestion) and question.allow_voice
    assert not survey.question("low_reason").required  # type: ignore[union-attr]


@pytest.mark.parametrize(("score", "shown"), [(1, True), (2, True), (3, False), (5, False)])
def test_jpat_low_reason_when_any_item_is_rated_one_or_two(score: int, shown: bool) -> None:
    survey = SURVEYS["jpat"]
    for key in JPAT_KEYS:
        answers = {k: Answer(k, 4, "answered") for k in JPAT_KEYS}
        answers[key] = Answer(key, score, "answered")
        keys = [q.key for q in visible_questions(survey, answers)]
        assert ("low_reason" in keys) is shown


def test_survey_files_are_the_package_data() -> None:
    names = sorted(path.name for path in SURVEYS_DIR.glob("*.yaml"))
    assert names == [
        "jpat.yaml",
        "kpi_checkin.yaml",
        "meeting_feedback.yaml",
        "partner_feedback.yaml",
    ]


FORBIDDEN = ("telegram", "sqlalchemy", "aiohttp", "bot", "storage")


def test_conversations_imports_no_telegram_database_or_bot() -> None:
    package = Path(__file__).resolve().parent.parent / "conversations"
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
