"""Loading survey files: every kind of mistake gives one clear line naming file, question, field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from conversations.definition import ScaleQuestion, Survey, resolve_date_bound
from conversations.errors import SurveyDefinitionError
from conversations.loader import load_all, load_survey, load_survey_text, parse_survey

BASE: dict[str, Any] = {
    "id": "demo",
    "version": 1,
    "default_language": "en",
    "languages": ["en", "fr"],
    "title": {"en": "Demo", "fr": "Démo"},
    "intro": {"en": "Hello", "fr": "Bonjour"},
    "questions": [
        {
            "key": "score",
            "type": "scale",
            "min": 1,
            "max": 5,
            "labels": {1: {"en": "Bad", "fr": "Mauvais"}, 5: {"en": "Good", "fr": "Bon"}},
            "text": {"en": "Score?", "fr": "Note ?"},
        },
        {
            "key": "colour",
            "type": "single_choice",
            "text": {"en": "Colour?", "fr": "Couleur ?"},
            "choices": [
                {"code": "red", "label": {"en": "Red", "fr": "Rouge"}},
                {"code": "blue", "label": {"en": "Blue", "fr": "Bleu"}},
            ],
        },
        {
            "key": "why",
            "type": "text",
            "required": False,
            "show_if": {"q": "score", "op": "<=", "value": 2},
            "text": {"en": "Why?", "fr": "Pourquoi ?"},
        },
    ],
}


def base() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def write(tmp_path: Path, data: dict[str, Any], name: str = "demo.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def load_error(tmp_path: Path, data: dict[str, Any]) -> SurveyDefinitionError:
    path = write(tmp_path, data)
    with pytest.raises(SurveyDefinitionError) as caught:
        load_survey(path)
    error = caught.value
    assert str(path) in str(error)
    assert "\n" not in str(error)
    return error


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


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: demo\nquestions: [\n  - key: a\n", encoding="utf-8")
    with pytest.raises(SurveyDefinitionError, match=r"broken\.yaml: invalid YAML at line \d+"):
        load_survey(path)


def test_duplicate_yaml_key_is_an_error() -> None:
    with pytest.raises(SurveyDefinitionError, match="duplicate key 'fr'"):
        load_survey_text("title:\n  en: A\n  fr: B\n  fr: C\n", "dup.yaml")


def test_yes_and_no_stay_text() -> None:
    text = """
id: yn
version: 1
default_language: en
languages: [en]
title: {en: T}
intro: {en: I}
questions:
  - key: office
    type: yes_no
    text: {en: "Office?"}
  - key: size
    type: integer
    show_if: {q: office, op: "==", value: yes}
    text: {en: "Size?"}
  - key: choice
    type: single_choice
    text: {en: Pick}
    choices:
      - {code: no, label: {en: No}}
      - {code: on, label: {en: On}}
"""
    survey = load_survey_text(text)
    assert survey.question("choice").codes == ("no", "on")  # type: ignore[union-attr]


def test_empty_and_non_mapping_files(tmp_path: Path) -> None:
    with pytest.raises(SurveyDefinitionError, match="empty"):
        load_survey_text("", "empty.yaml")
    with pytest.raises(SurveyDefinitionError, match="top level must be a mapping"):
        load_survey_text("- a\n- b\n", "list.yaml")
    with pytest.raises(SurveyDefinitionError, match="cannot read"):
        load_survey(tmp_path / "missing.yaml")


def test_load_all_rejects_duplicate_ids(tmp_path: Path) -> None:
    write(tmp_path, base(), "a.yaml")
    write(tmp_path, base(), "b.yaml")
    with pytest.raises(SurveyDefinitionError, match="duplicate survey id 'demo'") as caught:
        load_all(tmp_path)
    assert caught.value.field == "id"


def test_load_all_reads_a_directory(tmp_path: Path) -> None:
    write(tmp_path, base(), "a.yaml")
    other = base()
    other["id"] = "other"
    write(tmp_path, other, "b.yaml")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    assert sorted(load_all(tmp_path)) == ["demo", "other"]
    with pytest.raises(SurveyDefinitionError, match="not a directory"):
        load_all(tmp_path / "nope")


def test_shipped_surveys_load() -> None:
    surveys = load_all()
    assert {"partner_feedback", "kpi_checkin", "meeting_feedback", "jpat"} <= set(surveys)
    for survey_id, survey in surveys.items():
        assert survey.id == survey_id
        assert survey.version >= 1


def test_text_for_falls_back_to_default_language() -> None:
    data = base()
    data["questions"][0]["text"] = {"en": "Score?", "fr": " "}
    survey = parse_survey(data)
    question = survey.questions[0]
    assert survey.text_for(question.text, "fr") == "Score?"  # blank counts as missing
    assert survey.text_for(survey.title, "fr") == "Démo"
    assert survey.text_for(survey.title, "fr-CA") == "Démo"
    assert survey.text_for(survey.title, "ar") == "Demo"
    assert survey.text_for(survey.title, None) == "Demo"
    assert survey.text_for(None, "fr") == ""
    assert survey.resolve_language("fr_BE") == "fr"
    assert survey.resolve_language("sw") == "en"


def test_fingerprint_is_stable_and_sensitive(tmp_path: Path) -> None:
    first = parse_survey(base())
    again = load_survey(write(tmp_path, base()))
    assert first.fingerprint == again.fingerprint
    assert len(first.fingerprint) == 64
    # formatting and comments do not matter
    reformatted = "# a comment\n" + yaml.safe_dump(base(), allow_unicode=True, sort_keys=True)
    assert load_survey_text(reformatted).fingerprint == first.fingerprint
    # any change of content does, even with the same version
    changed = base()
    changed["questions"][1]["choices"][1]["label"]["fr"] = "Bleue"
    assert parse_survey(changed).fingerprint != first.fingerprint
    assert parse_survey(changed).version == first.version


def test_sections_position() -> None:
    data = base()
    data["sections"] = [
        {"key": "s1", "title": {"en": "One"}},
        {"key": "s2", "title": {"en": "Two"}},
    ]
    data["questions"][1]["section"] = "s2"
    survey = parse_survey(data)
    assert survey.section_position("s2") == (2, 2)
    assert survey.section_position(None) is None
    assert survey.section("s1").title == {"en": "One"}  # type: ignore[union-attr]


def test_relative_date_bounds() -> None:
    import datetime as dt

    today = dt.date(2024, 3, 10)
    assert resolve_date_bound("today", today) == today
    assert resolve_date_bound("today-10d", today) == dt.date(2024, 2, 29)
    assert resolve_date_bound("today+2w", today) == dt.date(2024, 3, 24)
    assert resolve_date_bound("2020-01-01", today) == dt.date(2020, 1, 1)
