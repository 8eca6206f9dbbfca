"""Shared helpers of the survey-loading tests: a small valid survey definition to copy and
break, written to a YAML file, and the one-line error its loading gives.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from conversations.errors import SurveyDefinitionError
from conversations.loader import load_survey

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
