"""What /summary reads from the database: the figures of one scope (both sides for the
J-PAT) or a trend by quarter, each decided by ``storage.disclosure`` and recorded as a release
in one transaction (``storage.releases.releasing``)."""

from __future__ import annotations

from typing import Any

from bot.access import Person
from bot.handlers import pickers
from bot.services import Services
from storage import releases, summaries, trends
from storage.disclosure import Release
from storage.scopes import Period, Scope, asdict_shallow
from storage.summary_figures import QuestionSpec, Summary
from storage.trends import TrendPoint


def release(kind: str, person: Person, scope: Scope) -> Release:
    audience = scope.audience if scope.value is None else f"{scope.audience}:{scope.value}"
    return Release(
        kind=kind,
        window=pickers.window_name(scope.period, scope.campaign_id, scope.jpat_round_id),
        audience=audience if scope.side is None else f"{audience}:{scope.side}",
        contact_id=person.contact.id if person.contact is not None else None,
    )


def with_changes(scope: Scope, **changes: Any) -> Scope:
    return Scope(**{**asdict_shallow(scope), **changes})


async def figures(
    svc: Services, person: Person, scope: Scope, questions: list[QuestionSpec]
) -> list[Summary]:
    """The summary of ``scope``; for the J-PAT one per side (partner, then NGO)."""
    threshold = svc.settings.privacy_threshold
    async with releases.releasing(svc.db) as session:
        if scope.survey_id == "jpat":
            return [
                await summaries.summarise(
                    session,
                    with_changes(scope, side=side),
                    questions,
                    threshold=threshold,
                    release=release("summary", person, with_changes(scope, side=side)),
                )
                for side in ("partner", "ngo")
            ]
        return [
            await summaries.summarise(
                session,
                scope,
                questions,
                threshold=threshold,
                release=release("summary", person, scope),
            )
        ]


async def trend(
    svc: Services, person: Person, scope: Scope, quarters: list[Period], keys: list[str]
) -> list[TrendPoint]:
    async with releases.releasing(svc.db) as session:
        return await trends.trend(
            session,
            scope,
            quarters,
            keys,
            threshold=svc.settings.privacy_threshold,
            release=release("trend", person, scope),
        )
