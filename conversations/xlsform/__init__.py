"""XLSForm in, XLSForm out: staff author surveys in Excel, KoBo or ODK and hand them to the bot.

- ``import_xlsform(path_or_bytes)`` -> ``ImportResult``: the validated ``Survey`` (the same
  model a YAML file gives, through ``loader.parse_survey``) or refusal lines naming the sheet,
  row and column of every part the bot cannot run. Nothing is dropped silently.
- ``export_xlsform(survey)`` -> the bytes of an .xlsx that pyxform converts; importing it
  again gives the same survey (our extras ride in ``partnerbot*`` columns, see ``export``).
- ``survey_yaml(survey)`` -> the YAML text of a definition, for ``conversations/surveys/``.

Modules: ``reading`` (workbook -> rows, pyxform's check), ``columns`` (languages, settings),
``mapping`` (survey rows), ``expressions`` (relevant/constraint), ``export``, ``messages``
(every line shown to staff, kept together for translation).
"""

from __future__ import annotations

from typing import Any

import yaml

from conversations.definition import Survey
from conversations.xlsform.export import ExportError, export_xlsform
from conversations.xlsform.importing import ImportResult, import_xlsform


def survey_yaml(survey: Survey) -> str:
    """A definition file for ``survey`` (defaults left out) that the loader reads back equal."""
    data: Any = survey.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


__all__ = ["ExportError", "ImportResult", "export_xlsform", "import_xlsform", "survey_yaml"]
