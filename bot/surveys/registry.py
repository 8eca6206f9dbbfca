"""The surveys the bot can send, and every stored version answers were given under."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conversations import (
    Answer,
    Progress,
    Question,
    Survey,
    SurveyDefinitionError,
    load_all,
    parse_survey,
)
from storage import survey_installs
from storage import surveys as survey_store
from storage.db import Database
from storage.surveys import StoredAnswer
from storage.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)


@dataclass
class SurveyRegistry:
    current: dict[str, tuple[Survey, int]] = field(default_factory=dict)
    _versions: dict[int, Survey] = field(default_factory=dict)
    _installs_seen: int = 0
    _shipped: dict[str, int] = field(default_factory=dict)  # file survey id -> its version

    async def load(self, db: Database, extra_dir: Path | None = None) -> None:
        """Read the shipped definitions (and an organisation's own folder, if configured) and
        make sure each exact version is stored."""
        definitions = load_all()
        if extra_dir is not None:
            definitions.update(load_all(extra_dir))
        self._shipped = {sid: survey.version for sid, survey in definitions.items()}
        async with db.transaction() as session:
            for survey_id, survey in definitions.items():
                version_id = await _stored(session, survey)
                self.current[survey_id] = (survey, version_id)
                self._versions[version_id] = survey
            for version_id, data in await survey_store.all_versions(session):
                if version_id not in self._versions:
                    self._keep_stored(version_id, data)
            await self._take_installs(session)
        log.info("surveys loaded: %s", ", ".join(sorted(self.current)))

    def _keep_stored(self, version_id: int, data: dict[str, Any]) -> None:
        """An older stored version, so answers given under it stay readable. One that no
        longer reads (a definition damaged in the database, or from a format this release
        dropped) must not stop the bot for everyone: it is logged and left out, and only the
        responses under it cannot be continued."""
        try:
            self._versions[version_id] = parse_survey(data, source=f"stored version {version_id}")
        except SurveyDefinitionError as err:
            log.error(
                "stored survey version %s cannot be read, left out: %s",
                version_id,
                str(err).splitlines()[0],
            )

    async def _take_installs(self, session: AsyncSession) -> None:
        self._installs_seen = await survey_installs.latest_id(session)
        for installed in await survey_installs.current(session):
            shipped = self._shipped.get(installed.survey_id)
            # An install wins over the file of the same id unless a newer file has been
            # deployed since (a higher version number).
            if shipped is None or installed.version >= shipped:
                survey = self._versions.get(installed.version_id) or parse_survey(
                    installed.definition, source=f"stored version {installed.version_id}"
                )
                self._versions[installed.version_id] = survey
                self.current[installed.survey_id] = (survey, installed.version_id)

    async def refresh(self, db: Database) -> None:
        """Take installs another bot process made (one query when there are none): run on
        every dispatcher tick, so /send offers them everywhere within a tick."""
        async with db.sessions() as session:
            if await survey_installs.latest_id(session) != self._installs_seen:
                await self._take_installs(session)

    async def stage(self, db: Database, survey: Survey) -> int:
        """Store an uploaded definition as a version (not yet current) and return its id: a
        trial runs under it, and installing it later needs no second copy."""
        async with db.transaction() as session:
            version_id = await _stored(session, survey)
        self._versions[version_id] = survey
        return version_id

    def make_current(self, survey: Survey, version_id: int) -> None:
        """After an install is committed: /send offers this version from now on."""
        self._versions[version_id] = survey
        self.current[survey.id] = (survey, version_id)

    def get(self, survey_id: str) -> tuple[Survey, int] | None:
        return self.current.get(survey_id)

    async def for_version(self, db: Database, version_id: int) -> Survey | None:
        survey = self._versions.get(version_id)
        if survey is not None:
            return survey
        async with db.sessions() as session:
            data = await survey_store.version_definition(session, version_id)
        if data is None:
            return None
        self._keep_stored(version_id, data)
        return self._versions.get(version_id)

    def cached(self, version_id: int) -> Survey | None:
        """A version already loaded (every stored version is loaded at start-up)."""
        return self._versions.get(version_id)

    def sendable(self) -> list[Survey]:
        """Surveys staff may send as a campaign (J-PAT goes through its own rounds)."""
        return [s for sid, (s, _v) in sorted(self.current.items()) if sid != "jpat"]


async def _stored(session: AsyncSession, survey: Survey) -> int:
    """The id of this exact definition in ``survey_versions`` (stored once)."""
    return await survey_store.register_version(
        session,
        survey_id=survey.id,
        version=survey.version,
        fingerprint=survey.fingerprint,
        definition=survey.model_dump(mode="json"),
        now=utcnow(),
    )


async def refresh_on_tick(svc: Any, now: datetime) -> None:
    """The surveys feature's tick hook: installs made by another process."""
    await svc.surveys.refresh(svc.db)


def to_row(question: Question | None, answer: Answer) -> dict[str, object]:
    """Engine answer → the columns of an answers row."""
    value = answer.value
    row: dict[str, object] = {
        "status": answer.status,
        "value_num": None,
        "value_text": None,
        "choice_codes": None,
        "raw_text": answer.raw,
        "voice_file_id": answer.voice_file_id,
        "voice_duration": answer.voice_duration,
    }
    kind = getattr(question, "type", None)
    if isinstance(value, list):
        row["choice_codes"] = list(value)
    elif isinstance(value, bool):
        row["value_text"] = "yes" if value else "no"
    elif isinstance(value, (int, float)):
        row["value_num"] = float(value)
    elif isinstance(value, str):
        row["value_text"] = value
        if kind in ("single_choice", "yes_no"):
            row["choice_codes"] = [value]
    return row


def from_rows(survey: Survey, rows: list[StoredAnswer], cursor: str | None) -> Progress:
    """Stored rows → the engine's progress, so a restart continues where the partner was."""
    answers = []
    for row in rows:
        question = survey.question(row.key)
        kind = getattr(question, "type", None)
        value: object
        if row.status != "answered":
            value = None
        elif kind == "multiple_choice":
            value = list(row.choice_codes or [])
        elif kind in ("scale", "integer"):
            value = int(row.value_num) if row.value_num is not None else None
        elif kind == "decimal":
            value = row.value_num
        elif kind == "note":
            value = None
        else:
            value = row.value_text
        answers.append(
            Answer(
                key=row.key,
                value=value,  # type: ignore[arg-type]
                status=row.status,  # type: ignore[arg-type]
                raw=row.raw_text,
                voice_file_id=row.voice_file_id,
                voice_duration=row.voice_duration,
            )
        )
    return Progress.from_answers(answers, cursor=cursor)
