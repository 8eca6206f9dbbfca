"""What /export reads from the database before the file is built: whether the group may be
exported at all (counts only, nothing released), and the figures that decide which questions
are left blank (recorded as a release, in one transaction)."""

from __future__ import annotations

from typing import Any

from bot.handlers import pickers
from bot.reports.wording import specs
from bot.services import Services
from conversations import Survey
from storage import disclosure, releases, summaries
from storage.disclosure import Release
from storage.scopes import Group, Scope, group
from storage.summary_figures import Summary


def scope_of(svc: Services, survey_id: str, data: dict[str, Any]) -> Scope:
    period = pickers.period_of(data["period"], svc.clock.now(), pickers.window_zone(svc), data)
    return Scope(survey_id, period)


async def verdict(svc: Services, scope: Scope) -> tuple[Group, str | None]:
    """The group's counts and why it may not be exported at all (None: it may). Only counts
    are read here (no answers leave the database), so nothing is released."""
    async with svc.db.sessions() as session:
        counts = await group(session, scope)
    unattributed = 0 if scope.survey_id == "jpat" else counts.unattributed
    reason = disclosure.group_verdict(
        counts.people, counts.organisations, unattributed, svc.settings.privacy_threshold
    )
    return counts, reason


async def decide(svc: Services, survey: Survey, scope: Scope, release: Release) -> Summary:
    """The figures of the whole file's scope: which questions may be in it."""
    async with releases.releasing(svc.db) as session:
        return await summaries.summarise(
            session,
            scope,
            specs(survey),
            threshold=svc.settings.privacy_threshold,
            release=release,
            latest=0,
        )
