"""Read survey files from disk into validated ``Survey`` objects.

Everything that can go wrong in a file (bad YAML, a typo in a field name, an unknown type, a
broken show_if, ...) comes out as one ``SurveyDefinitionError`` whose message names the file,
the question key and the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from conversations.definition import QUESTION_TYPES, Survey
from conversations.errors import SurveyDefinitionError
from conversations.validation import validate_survey

#: The surveys shipped with the package (declared as package data in pyproject.toml).
SURVEYS_DIR = Path(__file__).resolve().parent / "surveys"


class _StrictLoader(yaml.SafeLoader):
    """``SafeLoader`` without the YAML 1.1 traps that bite survey authors.

    - ``yes``/``no``/``on``/``off`` stay text (a choice code ``no`` must not become ``False``);
      only ``true``/``false`` are booleans.
    - A key written twice in one mapping (e.g. two ``fr:`` lines) is an error instead of the
      last one silently winning.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:
                continue  # unhashable key: the base class reports it
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_BOOL_TAG = "tag:yaml.org,2002:bool"
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_yaml(text: str, source: str) -> Any:
    """Parse YAML text with the strict loader; errors name the line."""
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = " ".join(str(error.problem or error).split())
        raise SurveyDefinitionError(source, f"invalid YAML{where}: {problem}") from None
    except yaml.YAMLError as error:
        raise SurveyDefinitionError(
            source, f"invalid YAML: {' '.join(str(error).split())}"
        ) from None


def parse_survey(data: Any, source: str = "<survey>") -> Survey:
    """Validate already-parsed data (a mapping) into a ``Survey``: shape, then cross-field rules."""
    if data is None:
        raise SurveyDefinitionError(source, "the file is empty")
    if not isinstance(data, Mapping):
        raise SurveyDefinitionError(source, "the top level must be a mapping of survey fields")
    try:
        survey = Survey.model_validate(data)
    except ValidationError as error:
        raise _from_validation_error(error, data, source) from None
    validate_survey(survey, source)
    return survey


def load_survey_text(text: str, source: str = "<survey>") -> Survey:
    """Parse and validate survey YAML given as text."""
    return parse_survey(read_yaml(text, source), source)


def load_survey(path: Path) -> Survey:
    """Load and validate one survey file."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SurveyDefinitionError(source, f"cannot read the file: {error}") from None
    return load_survey_text(text, source)


def survey_files(directory: Path | None = None) -> list[Path]:
    """The ``*.yaml`` files of ``directory`` (default: the shipped surveys), sorted by name."""
    folder = Path(directory) if directory is not None else SURVEYS_DIR
    if not folder.is_dir():
        raise SurveyDefinitionError(str(folder), "not a directory")
    return sorted(path for path in folder.glob("*.yaml") if path.is_file())


def load_all(directory: Path | None = None) -> dict[str, Survey]:
    """``{survey_id: Survey}`` for every file; the first broken file raises.

    Two files declaring the same ``id`` are an error: storage keys responses by survey id.
    """
    surveys: dict[str, Survey] = {}
    origin: dict[str, Path] = {}
    for path in survey_files(directory):
        survey = load_survey(path)
        if survey.id in surveys:
            raise SurveyDefinitionError(
                str(path),
                f"duplicate survey id '{survey.id}' (also in {origin[survey.id]})",
                field="id",
            )
        surveys[survey.id] = survey
        origin[survey.id] = path
    return surveys


# --------------------------------------------------------------------------- error messages


def _from_validation_error(
    error: ValidationError, data: Mapping[str, Any], source: str
) -> SurveyDefinitionError:
    """Turn pydantic's nested report into our one-line "file: question: field: problem"."""
    details = error.errors()
    first = details[0]
    loc: list[Any] = list(first["loc"])
    question: str | None = None
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        question = _question_label(data, loc[1])
        loc = loc[2:]
        if loc and loc[0] in QUESTION_TYPES:
            loc = loc[1:]  # pydantic names the union branch; the author never wrote it
    kind = first["type"]
    problem = str(first["msg"]).removeprefix("Value error, ")
    if kind == "union_tag_invalid":
        tag = (first.get("ctx") or {}).get("tag")
        loc, problem = ["type"], f"unknown type '{tag}' (use one of: {', '.join(QUESTION_TYPES)})"
    elif kind == "union_tag_not_found":
        loc, problem = ["type"], f"missing (use one of: {', '.join(QUESTION_TYPES)})"
    elif kind == "missing":
        problem = "is required but missing"
    elif kind == "extra_forbidden":
        problem = "is not a known field (typo?)"
    elif kind == "dict_type":
        problem = "needs a mapping (a text needs one entry per language, e.g. 'en: ...')"
    problem = problem.removeprefix("show_if: ")
    if loc and loc[-1] == "[key]":
        loc, problem = loc[:-1], f"key {problem[0].lower()}{problem[1:]}"
    if len(details) > 1:
        problem += f" (and {len(details) - 1} more problem{'s' if len(details) > 2 else ''})"
    return SurveyDefinitionError(source, problem, question=question, field=_format_loc(loc))


def _question_label(data: Mapping[str, Any], index: int) -> str:
    questions = data.get("questions")
    if isinstance(questions, list) and index < len(questions):
        entry = questions[index]
        if isinstance(entry, Mapping) and isinstance(entry.get("key"), str):
            return str(entry["key"])
    return f"#{index + 1}"


def _format_loc(loc: list[Any]) -> str | None:
    """``['choices', 0, 'code']`` -> ``choices[0].code``; ``['labels', 3]`` -> ``labels[3]``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif text and str(part) not in {"function-plain", "function-after", "function-before"}:
            text += f".{part}"
        elif not text:
            text = str(part)
    return text or None
