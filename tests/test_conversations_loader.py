"""Loading survey files: every kind of mistake gives one clear line naming file, question, field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conversations.definition import ScaleQuestion, Survey
from conversations.loader import load_survey
from tests.survey_files import base, load_error, write


def test_valid_base_loads(tmp_path: Path) -> None:
    survey = load_survey(write(tmp_path, base()))
    assert isinstance(survey, Survey)
    assert [q.key for q in survey.questions] == ["score", "colour", "why"]
    assert isinstance(survey.question("score"), ScaleQuestion)
    assert survey.question("nope") is None


def test_unknown_type(tmp_path: Path) -> None:
    data = base()
    data["questions"][1]["type"] = "slider"
    error = load_error(tmp_path, data)
    assert (error.question, error.field) == ("colour", "type")
    assert "unknown type 'slider'" in str(error)
    assert "question 'colour': field 'type'" in str(error)


def test_missing_type(tmp_path: Path) -> None:
    data = base()
    del data["questions"][0]["type"]
    error = load_error(tmp_path, data)
    assert (error.question, error.field) == ("score", "type")


def test_duplicate_key(tmp_path: Path) -> None:
    data = base()
    data["questions"][1]["key"] = "score"
    error = load_error(tmp_path, data)
    assert (error.question, error.field) == ("score", "key")
    assert "duplicate key" in str(error)


@pytest.mark.parametrize(
    ("show_if", "fragment"),
    [
        ({"q": "colour", "op": "==", "value": "red"}, "later question 'colour'"),
        ({"q": "ghost", "op": "==", "value": 1}, "unknown question 'ghost'"),
        ({"any_of": ["why", "score"], "op": "<", "value": 2}, "refers to the question itself"),
    ],
)
def test_show_if_must_point_to_an_earlier_question(
    tmp_path: Path, show_if: dict[str, Any], fragment: str
) -> None:
    data = base()
    data["questions"][0]["show_if"] = (
        show_if if fragment != "refers to the question itself" else None
    )
    if fragment == "refers to the question itself":
        data["questions"][2]["show_if"] = show_if
        key = "why"
    else:
        key = "score"
    error = load_error(tmp_path, data)
    assert (error.question, error.field) == (key, "show_if")
    assert fragment in str(error)


@pytest.mark.parametrize(
    ("show_if", "fragment"),
    [
        ({"q": "colour", "op": "<", "value": 2}, "needs a scale, integer or decimal question"),
        ({"q": "colour", "op": "==", "value": "green"}, "unknown choice code(s) ['green']"),
        ({"q": "score", "op": "==", "value": 9}, "outside the scale 1..5"),
        ({"q": "score", "op": "contains", "value": "x"}, "needs a multiple_choice question"),
        ({"q": "score", "op": "=>", "value": 2}, "unknown operator '=>'"),
    ],
)
def test_show_if_operands_are_checked_against_the_question(
    tmp_path: Path, show_if: dict[str, Any], fragment: str
) -> None:
    data = base()
    data["questions"][2]["show_if"] = show_if
    error = load_error(tmp_path, data)
    assert (error.question, error.field) == ("why", "show_if")
    assert fragment in str(error)


def test_choice_without_code(tmp_path: Path) -> None:
    data = base()
    del data["questions"][1]["choices"][1]["code"]
    error = load_error(tmp_path, data)
    assert (error.question, error.field) == ("colour", "choices[1].code")
    assert "required" in str(error)


def test_choice_list_empty(tmp_path: Path) -> None:
    data = base()
    data["questions"][1]["choices"] = []
    error = load_error(tmp_path, data)
    assert (error.question, error.field) == ("colour", "choices")


def test_duplicate_choice_codes(tmp_path: Path) -> None:
    data = base()
    data["questions"][1]["choices"][1]["code"] = "red"
    error = load_error(tmp_path, data)
    assert (error.question, error.field) == ("colour", "choices")
    assert "duplicate choice code 'red'" in str(error)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("questions", 1, "text"), "text"),
        (("questions", 1, "choices", 0, "label"), "choices[red].label"),
        (("questions", 0, "labels", 5), "labels[5]"),
        (("title",), "title"),
    ],
)
def test_missing_default_language_text(tmp_path: Path, path: tuple[Any, ...], field: str) -> None:
    data = base()
    target: Any = data
    for part in path:
        target = target[part]
    del target["en"]
    error = load_error(tmp_path, data)
    assert error.field == field
    assert "default language 'en'" in str(error)


def test_blank_default_text_counts_as_missing(tmp_path: Path) -> None:
    data = base()
    data["questions"][0]["text"]["en"] = "   "
    error = load_error(tmp_path, data)
    assert (error.question, error.field) == ("score", "text")


def test_languages_must_include_default(tmp_path: Path) -> None:
    data = base()
    data["languages"] = ["fr"]
    error = load_error(tmp_path, data)
    assert error.field == "languages"
    assert "default_language 'en'" in str(error)


def test_text_in_undeclared_language(tmp_path: Path) -> None:
    data = base()
    data["questions"][0]["text"]["sv"] = "Betyg?"
    error = load_error(tmp_path, data)
    assert (error.question, error.field) == ("score", "text")
    assert "undeclared language ['sv']" in str(error)


@pytest.mark.parametrize(
    ("question", "fields", "field"),
    [
        (
            {"type": "scale", "min": 5, "max": 1, "labels": {1: {"en": "a"}, 5: {"en": "b"}}},
            {},
            "min",
        ),
        ({"type": "integer", "min": 10, "max": 0}, {}, "min"),
        ({"type": "decimal", "min": 1.5, "max": 0.5}, {}, "min"),
        ({"type": "date", "min_date": "2024-02-01", "max_date": "2024-01-01"}, {}, "min_date"),
        ({"type": "date", "min_date": "today", "max_date": "today-1d"}, {}, "min_date"),
        (
            {
                "type": "multiple_choice",
                "min_selections": 2,
                "max_selections": 1,
                "choices": [
                    {"code": "a", "label": {"en": "A"}},
                    {"code": "b", "label": {"en": "B"}},
                ],
            },
            {},
            "min_selections",
        ),
        (
            {
                "type": "multiple_choice",
                "max_selections": 3,
                "choices": [
                    {"code": "a", "label": {"en": "A"}},
                    {"code": "b", "label": {"en": "B"}},
                ],
            },
            {},
            "max_selections",
        ),
    ],
)
def test_min_greater_than_max(
    tmp_path: Path, question: dict[str, Any], fields: dict[str, Any], field: str
) -> None:
    data = base()
    data["languages"] = ["en"]
    data["title"], data["intro"] = {"en": "T"}, {"en": "I"}
    data["questions"] = [{"key": "q1", "text": {"en": "Q?"}, **question, **fields}]
    error = load_error(tmp_path, data)
    assert (error.question, error.field) == ("q1", field)


def test_scale_needs_labels_for_both_ends(tmp_path: Path) -> None:
    data = base()
    del data["questions"][0]["labels"][5]
    error = load_error(tmp_path, data)
    assert (error.question, error.field) == ("score", "labels")
    assert "both ends" in str(error)


def test_scale_label_outside_range(tmp_path: Path) -> None:
    data = base()
    data["questions"][0]["labels"][7] = {"en": "Seven"}
    error = load_error(tmp_path, data)
    assert (error.question, error.field) == ("score", "labels[7]")


def test_unknown_field_is_a_typo(tmp_path: Path) -> None:
    data = base()
    data["questions"][2]["requird"] = False
    error = load_error(tmp_path, data)
    assert (error.question, error.field) == ("why", "requird")
    assert "not a known field" in str(error)


def test_field_of_the_wrong_type(tmp_path: Path) -> None:
    data = base()
    data["questions"][0]["max"] = "five"
    error = load_error(tmp_path, data)
    assert (error.question, error.field) == ("score", "max")


def test_bad_relative_date(tmp_path: Path) -> None:
    data = base()
    data["questions"].append(
        {"key": "when", "type": "date", "max_date": "tomorrow", "text": {"en": "When?"}}
    )
    error = load_error(tmp_path, data)
    assert (error.question, error.field) == ("when", "max_date")


def test_unknown_section(tmp_path: Path) -> None:
    data = base()
    data["questions"][0]["section"] = "s9"
    error = load_error(tmp_path, data)
    assert (error.question, error.field) == ("score", "section")


def test_bad_survey_level_fields(tmp_path: Path) -> None:
    data = base()
    data["version"] = 0
    assert load_error(tmp_path, data).field == "version"
    data = base()
    data["questions"] = []
    assert load_error(tmp_path, data).field == "questions"
