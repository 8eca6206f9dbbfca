"""Confidential questions in survey definitions: only optional text questions may be
confidential, and the shipped pulse marks its confidential question.
"""

from __future__ import annotations

import pytest

from conversations import SurveyDefinitionError, parse_survey

# ------------------------------------------------------------------------------ the definition


BASE = {
    "id": "s",
    "version": 1,
    "default_language": "en",
    "languages": ["en"],
    "title": {"en": "T"},
    "intro": {"en": "I"},
}


def _survey(question: dict[str, object]):  # type: ignore[no-untyped-def]
    return parse_survey({**BASE, "questions": [question]})


def test_confidential_is_only_for_optional_text_questions() -> None:
    ok = _survey(
        {"key": "c", "type": "text", "required": False, "confidential": True, "text": {"en": "?"}}
    )
    assert ok.questions[0].confidential
    plain_text = _survey({"key": "t", "type": "text", "text": {"en": "?"}})
    assert plain_text.questions[0].confidential is False
    # Surveys that never use the flag keep their stored form (and fingerprint).
    assert "confidential" not in plain_text.model_dump(mode="json")["questions"][0]
    assert ok.model_dump(mode="json")["questions"][0]["confidential"] is True
    with pytest.raises(SurveyDefinitionError, match="only a text question can be confidential"):
        _survey(
            {
                "key": "s",
                "type": "scale",
                "min": 1,
                "max": 5,
                "required": False,
                "confidential": True,
                "text": {"en": "?"},
            }
        )
    with pytest.raises(SurveyDefinitionError, match="must be optional"):
        _survey({"key": "c", "type": "text", "confidential": True, "text": {"en": "?"}})


def test_the_shipped_pulse_marks_its_confidential_question() -> None:
    from conversations.loader import load_all

    survey = load_all()["partner_feedback"]
    flagged = [q.key for q in survey.questions if q.confidential]
    assert flagged == ["confidential"]
    question = survey.question("confidential")
    assert question is not None and not question.required
    assert all(question.text.get(lang) for lang in ("en", "fr", "es", "ar", "sw"))
