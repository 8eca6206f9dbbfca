"""``partnerbot surveys check | import | export``: the survey definitions from a terminal.

The shipped files and the surveys staff installed from the chat (stored in the database) are
checked and exported alike. When the database cannot be read (no settings, no file yet), the
files are still checked and a line says the installed ones were not.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.settings import SettingsError, load_settings
from conversations import Survey, load_all, parse_survey
from conversations.check import run_check
from conversations.xlsform import ExportError, export_xlsform, import_xlsform, messages, survey_yaml


def main(args: argparse.Namespace) -> int:
    if args.surveys_command == "import":
        return import_file(args.file, args.out)
    if args.surveys_command == "export":
        return export(args.id, args.out)
    stored, note = installed()
    if note:
        print(note, file=sys.stderr)
    return run_check(strict=args.strict, stored=stored)


def installed() -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
    """The definitions installed from the chat, or none and why they could not be read."""
    from sqlalchemy.exc import SQLAlchemyError

    from storage import survey_installs
    from storage.db import Database, is_sqlite

    try:
        settings = load_settings()
    except SettingsError:
        return [], "installed surveys not checked: the settings do not load"
    url = settings.resolved_database_url
    if is_sqlite(url) and not _sqlite_file_exists(url):
        return [], None  # no database yet: nothing was installed

    async def read() -> list[tuple[str, dict[str, Any]]]:
        db = Database.connect(url)
        try:
            async with db.sessions() as session:
                return await survey_installs.for_check(session)
        finally:
            await db.close()

    try:
        return asyncio.run(read()), None
    except (SQLAlchemyError, OSError) as err:
        return (
            [],
            f"installed surveys not checked: the database cannot be read ({type(err).__name__})",
        )


def _sqlite_file_exists(url: str) -> bool:
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    return not database or database == ":memory:" or Path(database).exists()


def import_file(file: str, out: str | None) -> int:
    """Print the summary and every refusal; exit 1 when anything is refused."""
    result = import_xlsform(Path(file))
    print("\n".join(result.summary()))
    if not result.ok or result.survey is None:
        return 1
    if out is not None:
        target = Path(out) / f"{result.survey.id}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(survey_yaml(result.survey), encoding="utf-8")
        print(messages.YAML_WRITTEN.format(path=target))
    return 0


def export(survey_id: str, out: str | None) -> int:
    surveys: dict[str, Survey] = dict(load_all())
    stored, _note = installed()
    for label, data in stored:  # an installed version replaces the file it was made from
        survey = parse_survey(dict(data), label)
        if survey.id not in surveys or survey.version >= surveys[survey.id].version:
            surveys[survey.id] = survey
    survey = surveys.get(survey_id)
    if survey is None:
        print(
            messages.UNKNOWN_SURVEY.format(id=survey_id, known=", ".join(sorted(surveys))),
            file=sys.stderr,
        )
        return 2
    try:
        data = export_xlsform(survey)
    except ExportError as err:
        print(f"{survey_id}: {err}", file=sys.stderr)
        return 1
    target = Path(out or f"{survey_id}.xlsx")
    target.write_bytes(data)
    print(messages.XLSFORM_WRITTEN.format(path=target))
    return 0
