"""XLSForm import and export (conversations/xlsform) with forms written the KoBo/ODK way.

The forms are built here with openpyxl, row by row as a person would type them, so each test
shows the spreadsheet it is about. Refusals are asserted line for line: they are what the
person who uploaded the form reads.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from pathlib import Path

import pytest
from pyxform.xls2xform import convert

from bot.cli import main as cli
from conversations import Progress, UserInput, advance, begin, load_all
from conversations.conditions import Comparison, KeysComparison
from conversations.loader import load_survey, load_survey_text
from conversations.xlsform import export_xlsform, import_xlsform, survey_yaml
from tests.xlsform_forms import (
    KOBO_CHOICES,
    KOBO_SETTINGS,
    KOBO_SURVEY,
    ODK_CHOICES,
    ODK_SETTINGS,
    ODK_SURVEY,
    xlsform,
)

SHIPPED = load_all()


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("survey_id", sorted(SHIPPED))
def test_every_shipped_survey_round_trips(survey_id: str) -> None:
    survey = SHIPPED[survey_id]
    data = export_xlsform(survey)
    convert(BytesIO(data), file_type=".xlsx")  # pyxform accepts it (raises otherwise)
    result = import_xlsform(data, f"{survey_id}.xlsx")
    assert result.refusals == [] and result.warnings == []
    assert result.survey == survey
    assert result.survey.fingerprint == survey.fingerprint
    assert load_survey_text(survey_yaml(result.survey)) == survey


def test_jpat_keeps_its_screens_and_any_of() -> None:
    result = import_xlsform(export_xlsform(SHIPPED["jpat"]))
    survey = result.survey
    assert survey is not None and survey.section_name == "element"
    assert [s.one_screen for s in survey.sections] == [True] * 5
    low = survey.question("low_reason")
    assert low is not None and isinstance(low.show_if, KeysComparison)


# --------------------------------------------------------------------------- a KoBo form


def test_kobo_form_imports_with_languages_groups_relevance_and_constraints() -> None:
    result = import_xlsform(xlsform(KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS), "kobo.xlsx")
    assert result.refusals == []
    survey = result.survey
    assert survey is not None
    assert (survey.id, survey.version, survey.default_language) == ("training_checkin", 4, "en")
    assert survey.languages == ["en", "fr"]
    assert [s.key for s in survey.sections] == ["activities"]
    participants = survey.question("participants")
    assert participants is not None and participants.type == "integer"
    assert (participants.min, participants.max, participants.section) == (1, 500, "activities")
    assert participants.show_if == Comparison("held_training", "==", "yes")
    assert participants.constraint_message == {"en": "From 1 to 500", "fr": "De 1 à 500"}
    topics = survey.question("topics")
    assert topics is not None and topics.max_selections == 2  # type: ignore[union-attr]
    next_visit = survey.question("next_visit")
    assert next_visit is not None and next_visit.required is False
    assert next_visit.min_date == "today"  # type: ignore[union-attr]
    comments = survey.question("comments")
    assert comments is not None and comments.required is False  # XLSForm's default
    assert result.warnings == [
        "sheet 'settings', row 2, column partnerbot_intro: no partnerbot_intro in settings: the "
        "title is shown as the introduction. Add partnerbot_intro::Language (code) columns for "
        "a proper welcome text",
        "sheet 'survey', row 4, column K (appearance): appearance 'minimal' only changes how "
        "ODK/KoBo shows the question; ignored",
    ]
    assert (
        "question 'topics' choices[livelihoods].label has no fr text"
        in result.missing_translations()
    )


def test_kobo_form_is_answered_through_the_engine_to_the_end(tmp_path: Path) -> None:
    result = import_xlsform(xlsform(KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS))
    assert result.survey is not None
    path = tmp_path / "training_checkin.yaml"
    path.write_text(survey_yaml(result.survey), encoding="utf-8")
    survey = load_survey(path)  # the loader reads the written definition back
    assert survey == result.survey
    today = dt.date(2030, 5, 1)
    step = begin(survey)
    assert step.question is not None and step.question.key == "welcome"
    step = advance(survey, step.progress, UserInput("done"), today=today)
    step = advance(survey, step.progress, UserInput.choice("yes"), today=today)
    assert step.question is not None and step.question.key == "participants"
    refused = advance(survey, step.progress, UserInput.text("900"), today=today)
    assert refused.refusal is not None and refused.refusal.custom == {
        "en": "From 1 to 500",
        "fr": "De 1 à 500",
    }
    step = advance(survey, step.progress, UserInput.text("12"), today=today)
    assert step.question is not None and step.question.key == "topics"
    toggled = advance(survey, step.progress, UserInput.toggle("education"), today=today)
    step = advance(
        survey, step.progress, UserInput("done"), pending_toggles=toggled.selection or frozenset()
    )
    assert step.question is not None and step.question.key == "budget"  # 12 > 10
    step = advance(survey, step.progress, UserInput.text("250.5"), today=today)
    step = advance(survey, step.progress, UserInput("skip"), today=today)
    step = advance(survey, step.progress, UserInput.text("All good"), today=today)
    assert step.done
    answers = step.progress.answers
    assert answers["participants"].value == 12 and answers["topics"].value == ["education"]
    assert answers["budget"].value == 250.5 and answers["next_visit"].status == "skipped"


def test_without_the_training_the_follow_ups_are_hidden() -> None:
    survey = import_xlsform(xlsform(KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS)).survey
    assert survey is not None
    step = advance(survey, Progress(), UserInput("done"))
    step = advance(survey, step.progress, UserInput.choice("no"))
    assert step.question is not None and step.question.key == "next_visit"


# --------------------------------------------------------------------------- an ODK form


def test_odk_form_with_plain_labels_range_and_our_extras() -> None:
    result = import_xlsform(xlsform(ODK_SURVEY, ODK_CHOICES, ODK_SETTINGS))
    assert result.refusals == [] and result.warnings == []
    survey = result.survey
    assert survey is not None and survey.languages == ["en"]
    scale = survey.question("satisfaction")
    assert scale is not None and scale.type == "scale" and scale.dont_know  # type: ignore[union-attr]
    assert scale.labels == {1: {"en": "Very unhappy"}, 5: {"en": "Very happy"}}  # type: ignore[union-attr]
    why = survey.question("why")
    assert why is not None and why.allows_voice and why.required is False
    again = survey.question("again")
    assert again is not None and again.type == "yes_no"
    assert survey.intro == {"en": "Three questions."}


# --------------------------------------------------------------------------- refusals


def test_what_the_bot_cannot_run_is_refused_line_by_line() -> None:
    survey_rows = [
        ["type", "name", "label::English (en)", "choice_filter", "calculation", "relevant"],
        ["start", "start", None, None, None, None],
        ["select_one county", "county", "County?", None, None, None],
        ["select_one village", "village", "Village?", "county=${county}", None, None],
        ["geopoint", "where", "Where are you?", None, None, None],
        ["begin_repeat", "members", "Household members", None, None, None],
        ["text", "member_name", "Name?", None, None, None],
        ["end_repeat", None, None, None, None, None],
        ["calculate", "total", None, None, "${county} * 2", None],
        ["integer", "age", "Age?", None, None, "${county} = 'a' and pulldata('x', 'y')"],
        ["select_one county or_other", "county2", "County again?", None, None, None],
    ]  # fmt: skip
    choices = [
        ["list_name", "name", "label::English (en)", "county"],
        ["county", "a", "A", None],
        ["county", "b", "B", None],
        ["village", "v1", "Village 1", "a"],
        ["village", "v2", "Village 2", "b"],
    ]
    settings = [["form_id", "version", "default_language"], ["household", 1, "English (en)"]]
    result = import_xlsform(xlsform(survey_rows, choices, settings), "household.xlsx")
    assert result.survey is None
    assert result.refusals == [
        "sheet 'survey', row 4, column D (choice_filter): choice filters are not supported: the "
        "bot shows every choice of the list. Use separate questions with a relevant condition "
        "instead",
        "sheet 'survey', row 5, column A (type): locations (geopoint) are not supported: a "
        "partner cannot send GPS points here",
        "sheet 'survey', row 6, column A (type): repeats are not supported: the bot asks each "
        "question once. Ask for a fixed number of items instead, or use a separate survey",
        "sheet 'survey', row 9, column A (type): calculations are not supported: the bot cannot "
        "compute values from answers",
        "sheet 'survey', row 10, column F (relevant): this relevant condition cannot be run by "
        "the bot: 'pulldata' is not supported here. Supported: ${q} = 'code', ${q} != 'code', "
        "${q} < number (and <=, >, >=), selected(${q}, 'code'), ${q} != '' (answered), "
        "combined with and, or, not( ) and brackets",
        "sheet 'survey', row 11, column A (type): 'or_other' is not supported: add an 'other' "
        "choice and a text question shown when it is picked",
    ]
    assert not result.ok
    # KoBo puts start, end, today… in every new form: left out, and said so.
    assert (
        "sheet 'survey', row 2, column A (type): 'start' is form metadata: left out, as the bot "
        "records when each answer was given itself"
    ) in result.warnings


def test_unreadable_names_languages_and_settings_are_refused() -> None:
    survey_rows = [
        ["type", "name", "label::English", "label::Français (fr)", "required", "constraint"],
        ["integer", "Age", "Age?", "Âge ?", "${x} = 1", ". > 0 or . < 5"],
        ["text", "ok_name", "Fine", "Bien", None, None],
    ]
    settings = [["form_id", "version", "default_language"], ["Household", "v3", "French (fr)"]]
    result = import_xlsform(xlsform(survey_rows, None, settings), "bad.xlsx")
    assert result.refusals == [
        "sheet 'survey', row 1, column C (label::English): the language 'English' has no code: "
        "write it as e.g. 'English (en)' or 'Français (fr)'",
        "sheet 'settings', row 2, column A (form_id): form_id 'Household' cannot be used as a "
        "survey id: use lower-case letters, digits and _ only, starting with a letter, at most "
        "32 characters",
        "sheet 'settings', row 2, column B (version): version 'v3' must be a whole number from 1 "
        "(e.g. 3)",
        "sheet 'survey', row 2, column B (name): 'Age' cannot be used as a name: use lower-case "
        "letters, digits and _ only, starting with a letter, at most 32 characters",
        "sheet 'survey', row 2, column E (required): required must be yes or no (or empty); a "
        "condition such as '${x} = 1' is not supported",
        "sheet 'survey', row 2, column F (constraint): this constraint cannot be checked by the "
        "bot: unexpected 'or'. Supported for integer: . >= number and . <= number",
        "bad.xlsx: pyxform cannot convert this form: [row : 2] On the 'survey' sheet, the "
        "'required' value is invalid. Reference variables must contain a name from the 'survey' "
        "sheet. Could not find the name 'x'.",
    ]


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    result = import_xlsform(path)
    assert result.survey is None and len(result.refusals) == 1
    assert result.refusals == [
        f"{path}: the file is not an Excel workbook (.xlsx): save the form in Excel as .xlsx"
    ]
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))  # .xls, or a password
    assert "has a password: save it in Excel as .xlsx" in import_xlsform(path).refusals[0]


def test_a_workbook_with_thousands_of_rows_is_refused_before_pyxform_reads_it() -> None:
    rows: list[list[object]] = [["type", "name", "label"]]
    rows += [["text", f"q{i}", "Same question?"] for i in range(6000)]  # a data export, say
    [line] = import_xlsform(xlsform(rows, None, [["form_id"], ["big"]]), "big.xlsx").refusals
    assert line == (
        "big.xlsx: the workbook is too large for a form (at most 5000 rows, 20 MB unpacked): "
        "was it a data export rather than the form?"
    )


# --------------------------------------------------------------------------- command line


def test_cli_import_prints_a_summary_and_writes_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form = tmp_path / "kobo.xlsx"
    form.write_bytes(xlsform(KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS))
    assert cli(["surveys", "import", str(form), "--out", str(tmp_path / "defs")]) == 0
    out = capsys.readouterr().out
    assert "survey 'training_checkin': 7 questions, 1 sections" in out
    assert "languages: en, fr" in out
    assert "question 'topics' choices[livelihoods].label has no fr text" in out
    written = load_survey(tmp_path / "defs" / "training_checkin.yaml")
    assert written.id == "training_checkin"


def test_cli_import_exits_non_zero_on_refusals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form = tmp_path / "geo.xlsx"
    form.write_bytes(
        xlsform(
            [["type", "name", "label"], ["geopoint", "where", "Where?"]],
            None,
            [["form_id", "version"], ["geo", 1]],
        )
    )
    assert cli(["surveys", "import", str(form), "--out", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "refused: 1 problem" in out and "row 2, column A (type): locations" in out
    assert not (tmp_path / "geo.yaml").exists()


def test_cli_export_writes_a_workbook_that_imports_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "jpat.xlsx"
    assert cli(["surveys", "export", "jpat", "--out", str(target)]) == 0
    assert import_xlsform(target).survey == SHIPPED["jpat"]
    assert cli(["surveys", "export", "nope"]) == 2
    assert "no survey with id 'nope'" in capsys.readouterr().err


def test_cli_check_and_export_cover_surveys_installed_from_the_chat(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from bot.surveys.registry import SurveyRegistry
    from storage import survey_installs
    from storage.db import Database
    from storage.migrate import upgrade
    from storage.types import utcnow

    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    survey = import_xlsform(xlsform(KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS)).survey
    assert survey is not None

    async def install() -> None:
        db = Database.connect(url)
        await upgrade(db.engine)
        version_id = await SurveyRegistry().stage(db, survey)
        async with db.transaction() as session:
            await survey_installs.install(
                session, survey_id=survey.id, version_id=version_id, installed_by=None, now=utcnow()
            )
        await db.close()

    asyncio.run(install())
    monkeypatch.setenv("PARTNERBOT_DATABASE_URL", url)
    assert cli(["surveys", "check"]) == 0
    out = capsys.readouterr().out
    assert "database: training_checkin version 4 (installed " in out
    assert "'training_checkin' version 4, 7 questions, languages en, fr" in out
    assert cli(["surveys", "check", "--strict"]) == 1  # livelihoods has no French label
    capsys.readouterr()
    target = tmp_path / "back.xlsx"
    assert cli(["surveys", "export", "training_checkin", "--out", str(target)]) == 0
    assert import_xlsform(target).survey == survey


def test_refusal_lines_are_shown_in_the_readers_language() -> None:
    from bot.i18n import translator
    from conversations.xlsform.messages import render

    form = xlsform([["type", "name", "label"], ["geopoint", "where", "Where?"]], None,
                   [["form_id", "version"], ["geo", 1]])  # fmt: skip
    [line] = import_xlsform(form).refusals
    assert line.startswith("sheet 'survey', row 2, column A (type): locations (geopoint)")
    french = render(line, translator("fr"))
    assert french.startswith("feuille «\u00a0survey\u00a0», ligne 2, colonne A (type)")
    assert "les localisations (geopoint) ne sont pas prises en charge" in french
    assert render(line, translator("en")) == line  # English is the text itself
