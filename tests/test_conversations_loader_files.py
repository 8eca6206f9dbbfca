"""Loading survey files: YAML quirks (invalid YAML names the line, duplicate keys, yes and no
stay text), empty files, whole directories, the shipped surveys, and what a loaded survey
offers (language fallback, fingerprint, sections, relative date bounds).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conversations.definition import resolve_date_bound
from conversations.errors import SurveyDefinitionError
from conversations.loader import load_all, load_survey, load_survey_text, parse_survey
from tests.survey_files import base, write


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
