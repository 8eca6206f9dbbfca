"""``partnerbot surveys check``: load every survey file, and every survey installed from the
chat (the caller reads those from the database), and report what needs fixing.

Load errors (the bot would refuse the file) always fail the check. Missing translations and
over-long button labels are warnings: the bot falls back to the default language, so they
fail the check only with ``strict=True`` (what CI and releases should use).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from conversations.definition import Survey
from conversations.errors import SurveyDefinitionError
from conversations.loader import SURVEYS_DIR, load_survey, parse_survey, survey_files
from conversations.translations import (
    LongLabel,
    MissingText,
    check_label_lengths,
    check_translations,
)


@dataclass(frozen=True)
class FileCheck:
    """The outcome for one file (or one installed definition): a survey (with warnings) or a
    load error."""

    path: Path | str
    survey: Survey | None = None
    error: str | None = None
    missing: tuple[MissingText, ...] = ()
    long_labels: tuple[LongLabel, ...] = ()

    @property
    def warnings(self) -> int:
        return len(self.missing) + len(self.long_labels)

    @property
    def name(self) -> str:
        return self.path.name if isinstance(self.path, Path) else self.path


@dataclass(frozen=True)
class CheckReport:
    """Everything ``run_check`` prints, as data (for tests and other front ends)."""

    directory: Path
    files: tuple[FileCheck, ...] = ()
    errors: tuple[str, ...] = field(default=())

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(1 for f in self.files if f.error is not None)

    @property
    def warning_count(self) -> int:
        return sum(f.warnings for f in self.files)

    def ok(self, *, strict: bool = False) -> bool:
        return self.error_count == 0 and not (strict and self.warning_count)


def check_all(
    directory: Path | None = None, stored: Sequence[tuple[str, Mapping[str, object]]] = ()
) -> CheckReport:
    """Load every survey file in ``directory`` (default: the shipped ones) and every ``stored``
    definition (a label such as "database: id version 4", and the definition as stored), and
    collect problems."""
    folder = Path(directory) if directory is not None else SURVEYS_DIR
    try:
        paths = survey_files(folder)
    except SurveyDefinitionError as error:
        return CheckReport(folder, errors=(error.message,))
    files: list[FileCheck] = []
    errors: list[str] = []
    owners: dict[str, Path] = {}
    for path in paths:
        try:
            survey = load_survey(path)
        except SurveyDefinitionError as error:
            files.append(FileCheck(path, error=error.message))
            continue
        if survey.id in owners:
            errors.append(
                f"{path}: field 'id': duplicate survey id '{survey.id}' "
                f"(also in {owners[survey.id]})"
            )
        owners.setdefault(survey.id, path)
        files.append(checked(path, survey))
    if not paths:
        errors.append(f"{folder}: no survey files (*.yaml) found")
    for label, data in stored:
        try:
            survey = parse_survey(dict(data), label)
        except SurveyDefinitionError as error:
            files.append(FileCheck(label, error=error.message))
            continue
        files.append(checked(label, survey))
    return CheckReport(folder, tuple(files), tuple(errors))


def checked(source: Path | str, survey: Survey) -> FileCheck:
    """A survey that loads, with what its texts miss."""
    return FileCheck(
        source,
        survey=survey,
        missing=tuple(check_translations(survey)),
        long_labels=tuple(check_label_lengths(survey)),
    )


def format_report(report: CheckReport, *, strict: bool = False) -> str:
    """The human-readable report: per survey, per language, what is missing; then errors."""
    lines = [f"Survey definitions in {report.directory}", ""]
    for checked in report.files:
        if checked.survey is None:
            lines.append(f"ERROR {checked.name}")
            lines.append(f"  {checked.error}")
            continue
        survey = checked.survey
        status = "OK   " if checked.warnings == 0 else "WARN "
        lines.append(
            f"{status}{checked.name}: '{survey.id}' version {survey.version}, "
            f"{len(survey.questions)} questions, languages {', '.join(survey.languages)}"
        )
        for language in survey.languages:
            missing = [m for m in checked.missing if m.language == language]
            long_labels = [m for m in checked.long_labels if m.language == language]
            if not missing and not long_labels:
                continue
            lines.append(
                f"  [{language}] {len(missing)} missing text(s), {len(long_labels)} long label(s)"
            )
            lines.extend(f"    - missing: {item}" for item in missing)
            lines.extend(f"    - too long: {item}" for item in long_labels)
    for error in report.errors:
        lines.append(f"ERROR {error}")
    verdict = "PASSED" if report.ok(strict=strict) else "FAILED"
    mode = " (strict: warnings count as failures)" if strict else ""
    lines += [
        "",
        f"{verdict}{mode}: {len(report.files)} file(s), {report.error_count} error(s), "
        f"{report.warning_count} warning(s)",
    ]
    return "\n".join(lines) + "\n"


def run_check(
    directory: Path | None = None,
    out: TextIO | None = None,
    *,
    strict: bool = False,
    stored: Sequence[tuple[str, Mapping[str, object]]] = (),
) -> int:
    """Print the report to ``out`` (default ``sys.stdout`` at call time); return the exit code.

    0 when everything loads (and, with ``strict``, nothing is missing); 1 otherwise.
    """
    report = check_all(directory, stored)
    stream = out if out is not None else sys.stdout
    stream.write(format_report(report, strict=strict))
    return 0 if report.ok(strict=strict) else 1
