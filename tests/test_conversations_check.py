"""``partnerbot surveys check``: translation report, strict mode, exit codes."""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import yaml

from conversations.check import check_all, run_check
from conversations.loader import parse_survey
from conversations.translations import (
    SCALE_LABEL_LIMIT,
    MissingText,
    check_label_lengths,
    check_translations,
)

SURVEY: dict[str, Any] = {
    "id": "demo",
    "version": 2,
    "default_language": "en",
    "languages": ["en", "fr", "sw"],
    "title": {"en": "Demo", "fr": "Démo", "sw": "Majaribio"},
    "intro": {"en": "Hi", "fr": "Salut", "sw": "Habari"},
    "sections": [{"key": "s1", "title": {"en": "Part one", "fr": "Partie un"}}],
    "questions": [
        {
            "key": "score",
            "type": "scale",
            "section": "s1",
            "min": 1,
            "max": 3,
            "text": {"en": "Score?", "fr": "Note ?", "sw": "Alama?"},
            "hint": {"en": "Pick one", "sw": "Chagua moja"},
            "labels": {1: {"en": "Low", "fr": "Bas"}, 3: {"en": "High", "fr": "Haut", "sw": "Juu"}},
        },
        {
            "key": "pick",
            "type": "single_choice",
            "text": {"en": "Pick", "fr": "Choisir", "sw": "Chagua"},
            "constraint_message": {"en": "Use the buttons", "fr": "", "sw": "Tumia vitufe"},
            "choices": [{"code": "a", "label": {"en": "A", "fr": "A"}}],
        },
    ],
}


def survey_data() -> dict[str, Any]:
    return copy.deepcopy(SURVEY)


def write(folder: Path, name: str, data: Any) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_check_translations_lists_every_missing_text() -> None:
    missing = check_translations(parse_survey(survey_data()))
    assert MissingText("demo", "fr", "score", "hint") in missing
    assert MissingText("demo", "fr", "pick", "constraint_message") in missing  # blank counts
    assert MissingText("demo", "sw", None, "sections[s1].title") in missing
    assert MissingText("demo", "sw", "score", "labels[1]") in missing
    assert MissingText("demo", "sw", "pick", "choices[a].label") in missing
    assert {m.language for m in missing} == {"fr", "sw"}
    assert len(missing) == 5
    languages = [m.language for m in missing]
    assert languages == sorted(languages, key=["en", "fr", "sw"].index)  # grouped by language
    assert (
        str(MissingText("demo", "sw", "pick", "choices[a].label"))
        == "question 'pick' choices[a].label"
    )


def test_long_scale_labels_are_flagged() -> None:
    data = survey_data()
    data["questions"][0]["labels"][1]["fr"] = "x" * (SCALE_LABEL_LIMIT + 1)
    long_labels = check_label_lengths(parse_survey(data))
    assert [(item.language, item.field, item.length) for item in long_labels] == [
        ("fr", "labels[1]", SCALE_LABEL_LIMIT + 1)
    ]


def test_run_check_warns_but_passes_unless_strict(tmp_path: Path) -> None:
    write(tmp_path, "demo.yaml", survey_data())
    out = io.StringIO()
    assert run_check(tmp_path, out) == 0
    report = out.getvalue()
    assert "WARN demo.yaml: 'demo' version 2" in report
    assert "[fr] 2 missing text(s)" in report
    assert "[sw] 3 missing text(s)" in report
    assert "- missing: question 'score' hint" in report
    assert "PASSED" in report
    strict = io.StringIO()
    assert run_check(tmp_path, strict, strict=True) == 1
    assert "FAILED (strict" in strict.getvalue()


def test_run_check_fails_on_load_errors(tmp_path: Path) -> None:
    write(tmp_path, "demo.yaml", survey_data())
    broken = survey_data()
    broken["id"] = "broken"
    broken["questions"][1]["type"] = "dropdown"
    write(tmp_path, "broken.yaml", broken)
    out = io.StringIO()
    assert run_check(tmp_path, out) == 1
    report = out.getvalue()
    assert "ERROR broken.yaml" in report
    assert "question 'pick': field 'type': unknown type 'dropdown'" in report
    assert "1 error(s)" in report


def test_duplicate_ids_and_empty_or_missing_directories(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", survey_data())
    write(tmp_path, "b.yaml", survey_data())
    report = check_all(tmp_path)
    assert report.error_count == 1 and "duplicate survey id 'demo'" in report.errors[0]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_check(empty, io.StringIO()) == 1
    assert run_check(tmp_path / "missing", io.StringIO()) == 1


def test_shipped_surveys_pass_strict(capsys: Any) -> None:
    assert run_check(strict=True) == 0
    output = capsys.readouterr().out
    assert "PASSED" in output and "0 warning(s)" in output
    report = check_all()
    assert report.ok(strict=True)
    assert {f.survey.id for f in report.files if f.survey} >= {
        "partner_feedback",
        "kpi_checkin",
        "meeting_feedback",
        "jpat",
    }
