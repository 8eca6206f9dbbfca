"""XLSForms as KoBo and ODK users write them, built row by row with openpyxl, for the import
tests (tests/test_xlsform.py) and the chat upload (tests/test_e2e_survey_import.py)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook


def xlsform(survey: list[list[object]], choices: list[list[object]] | None = None,
            settings: list[list[object]] | None = None) -> bytes:  # fmt: skip
    """A workbook from sheets given as rows (the first row is the header)."""
    book = Workbook()
    sheets = [("survey", survey), ("choices", choices), ("settings", settings)]
    first = True
    for name, rows in sheets:
        if rows is None:
            continue
        sheet = book.active if first else book.create_sheet(name)
        assert sheet is not None
        sheet.title = name
        first = False
        for row in rows:
            sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


KOBO_SURVEY = [
    ["type", "name", "label::English (en)", "label::Français (fr)", "hint::English (en)",
     "required", "relevant", "constraint", "constraint_message::English (en)",
     "constraint_message::Français (fr)", "appearance", "$kuid"],
    ["note", "welcome", "Thank you for your time.", "Merci de votre temps.", None, None, None,
     None, None, None, None, "a1"],
    ["begin_group", "activities", "Activities", "Activités", None, None, None, None, None, None,
     None, "a2"],
    ["select_one yn", "held_training", "Did you hold a training?", "Avez-vous organisé une formation ?",
     None, "yes", None, None, None, None, "minimal", "a3"],
    ["integer", "participants", "How many took part?", "Combien de participants ?",
     "A number", "yes", "${held_training} = 'yes'", ". >= 1 and . <= 500",
     "From 1 to 500", "De 1 à 500", None, "a4"],
    ["select_multiple topics", "topics", "Which topics?", "Quels thèmes ?", None, "true",
     "${held_training} = 'yes'", "count-selected(.) <= 2", "Two at most", None, None, "a5"],
    ["end_group", None, None, None, None, None, None, None, None, None, None, "a6"],
    ["decimal", "budget", "Budget spent?", "Budget dépensé ?", None, "yes",
     "${participants} > 10 or selected(${topics}, 'health')", ". >= 0", None, None, None, "a7"],
    ["date", "next_visit", "Next visit?", "Prochaine visite ?", None, "no", None,
     ". >= today()", None, None, None, "a8"],
    ["text", "comments", "Comments?", None, None, None, None, None, None, None, None, "a9"],
]  # fmt: skip
KOBO_CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Français (fr)"],
    ["yn", "yes", "Yes", "Oui"],
    ["yn", "no", "No", "Non"],
    ["topics", "health", "Health", "Santé"],
    ["topics", "education", "Education", "Éducation"],
    ["topics", "livelihoods", "Livelihoods", None],
]
KOBO_SETTINGS = [
    ["form_title", "form_id", "version", "default_language"],
    ["Training check-in", "training_checkin", "4", "English (en)"],
]


# An ODK form: plain labels (one language), a range, relevance, and our partnerbot column.
ODK_SURVEY = [
    ["type", "name", "label", "required", "parameters", "partnerbot", "relevant"],
    ["range", "satisfaction", "How satisfied are you?", "yes", "start=1 end=5 step=1",
     "dont_know labels=sat", None],
    ["text", "why", "Why?", None, None, "voice", "${satisfaction} <= 2"],
    ["select_one yes_no", "again", "Would you work with us again?", "yes", None, "yes_no", None],
]  # fmt: skip
ODK_CHOICES = [
    ["list_name", "name", "label"],
    ["sat", 1, "Very unhappy"],
    ["sat", 5, "Very happy"],
    ["yes_no", "yes", "Yes"],
    ["yes_no", "no", "No"],
]
ODK_SETTINGS = [
    ["form_id", "version", "form_title", "default_language", "partnerbot_intro::English (en)"],
    ["pulse", 2, "Pulse", "en", "Three questions."],
]
