"""Which responses a summary counts: its scope, the filters, and the group's counts.

A response belongs to the period in which it was invited (``Response.invited_at``), so a
quarterly survey answered a few days into the next quarter still counts for its own quarter.
Only finished answer sheets count (``disclosure.FINISHED``); started ones only in the
"started" count. A partner who chose "only in totals" (``Contact.attribution ==
"aggregate"``) is never counted in a breakdown by organisation or tag. J-PAT answers count
only once their round is closed: while it is open each side answers without seeing the
other's, and a summary must not break that.

Privacy is not decided here: ``storage.disclosure`` decides (the privacy model is written
there) from the counts and sets of people gathered with these filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, and_, case, cast, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.disclosure import FINISHED, Origins
from storage.jpat_rules import JPAT_SURVEY, VIEWABLE_STATUSES
from storage.models import Contact, JpatRound, OrganisationTag, Partnership, Response
from storage.statuses import ResponseStatus

STARTED: tuple[ResponseStatus, ...] = (
    ResponseStatus.IN_PROGRESS,
    ResponseStatus.PAUSED,
    ResponseStatus.COMPLETED,
    ResponseStatus.PARTIAL,
)


@dataclass(frozen=True)
class Period:
    """``[start, end)`` in UTC; ``None`` leaves that side open."""

    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Scope:
    """Which responses a summary is about."""

    survey_id: str
    period: Period = Period()
    audience: str = "all"  # "all" | "organisation" | "tag"
    value: str | None = None  # organisation id or tag
    campaign_id: int | None = None
    jpat_round_id: int | None = None
    side: str | None = None  # J-PAT: "partner" | "ngo"


def asdict_shallow(scope: Scope) -> dict[str, Any]:
    return {name: getattr(scope, name) for name in scope.__dataclass_fields__}


# ---------------------------------------------------------------------------- the filters


def _audience_condition(scope: Scope) -> ColumnElement[bool] | None:
    if scope.audience == "all" or scope.value is None:
        return None
    if scope.audience == "organisation":
        organisations: Any = [int(scope.value)]
    elif scope.audience == "tag":
        organisations = select(OrganisationTag.organisation_id).where(
            OrganisationTag.tag == scope.value
        )
    else:
        raise ValueError(f"unknown audience {scope.audience!r}")
    if scope.survey_id == "jpat":  # the NGO side of a J-PAT round belongs to no partner org
        rounds = (
            select(JpatRound.id)
            .join(Partnership, Partnership.id == JpatRound.partnership_id)
            .where(Partnership.organisation_id.in_(organisations))
        )
        return Response.jpat_round_id.in_(rounds)
    return Response.organisation_id.in_(organisations)


def attributed() -> ColumnElement[bool]:
    """The respondent agreed to be named, or answered for the NGO side of a J-PAT."""
    named = select(Contact.id).where(Contact.attribution == "attributed")
    # Written so it is never NULL (a NULL would make NOT(...) NULL too and hide a respondent
    # from the count of people who asked to be counted only in totals).
    return or_(
        and_(Response.contact_id.is_not(None), Response.contact_id.in_(named)),
        func.coalesce(Response.side, "") == "ngo",
    )


def scope_conditions(scope: Scope) -> list[ColumnElement[bool]]:
    """Every response in scope, whether or not it was started."""
    conditions: list[ColumnElement[bool]] = [
        Response.survey_id == scope.survey_id,
        Response.trial.is_(False),  # a staff member trying a form before installing it
    ]
    if scope.period.start is not None:
        conditions.append(Response.invited_at >= scope.period.start)
    if scope.period.end is not None:
        conditions.append(Response.invited_at < scope.period.end)
    if scope.campaign_id is not None:
        conditions.append(Response.campaign_id == scope.campaign_id)
    if scope.jpat_round_id is not None:
        conditions.append(Response.jpat_round_id == scope.jpat_round_id)
    if scope.side is not None:
        conditions.append(Response.side == scope.side)
    if scope.survey_id == "jpat":  # never while a round is open: each side answers blind
        viewable = select(JpatRound.id).where(JpatRound.status.in_(VIEWABLE_STATUSES))
        conditions.append(Response.jpat_round_id.in_(viewable))
    audience = _audience_condition(scope)
    if audience is not None:
        conditions.append(audience)
    return conditions


def shown_conditions(scope: Scope) -> list[ColumnElement[bool]]:
    """What a response in scope needs for its answers to count: it is finished (its answers
    can no longer change), and in a breakdown its respondent agreed to be named."""
    conditions: list[ColumnElement[bool]] = [Response.status.in_(FINISHED)]
    if scope.audience != "all":
        conditions.append(attributed())
    return conditions


def included_conditions(scope: Scope) -> list[ColumnElement[bool]]:
    """Started responses whose answers may be counted for this scope."""
    return [*scope_conditions(scope), *shown_conditions(scope)]


def included_ids(scope: Scope) -> Any:
    return select(Response.id).where(*included_conditions(scope))


# ---------------------------------------------------------------------------- the group


@dataclass(frozen=True)
class Group:
    recipients: int
    started: int
    completed: int
    respondents: int
    organisations: int
    unattributed: int
    people: int  # distinct people among the respondents


def respondent() -> ColumnElement[int]:
    """Who answered: the contact, or for a contact since deleted the response itself."""
    return func.coalesce(Response.contact_id, -Response.id)


async def group(session: AsyncSession, scope: Scope) -> Group:
    """Counts for the whole scope and for the respondents whose answers may be shown, in one
    pass over the scope's responses."""
    shown = and_(*shown_conditions(scope))
    started = case((Response.status.in_(STARTED), 1), else_=0)
    completed = case((Response.status == ResponseStatus.COMPLETED, 1), else_=0)
    row = (
        await session.execute(
            select(
                func.count(Response.id),
                func.coalesce(func.sum(started), 0),
                func.coalesce(func.sum(completed), 0),
                func.coalesce(func.sum(case((shown, 1), else_=0)), 0),
                func.count(distinct(case((shown, Response.organisation_id), else_=None))),
                func.coalesce(func.sum(case((and_(shown, ~attributed()), 1), else_=0)), 0),
                func.count(distinct(case((shown, respondent()), else_=None))),
            ).where(*scope_conditions(scope), *_breakdown_only(scope))
        )
    ).one()
    return Group(*(int(value) for value in row))


def _breakdown_only(scope: Scope) -> list[ColumnElement[bool]]:
    """A breakdown counts (asked, started, completed) only partners who may be named: counts
    that included the others would differ from its figures by them, and say which
    organisation has partners who asked to be counted only in totals."""
    return [] if scope.audience == "all" else [attributed()]


async def origins(session: AsyncSession, survey_id: str) -> Origins | None:
    """Where the survey's finished answer sheets come from, for the organisation check of the
    release record (``disclosure.Origins``); None for the J-PAT, which the check leaves out
    (see ``storage.disclosure``, rule 6). The ids come joined into one string per
    organisation and naming choice: a survey of a million answers has tens of thousands of
    sheets, and one row each cost a summary more than its figures."""
    if survey_id == JPAT_SURVEY:
        return None
    named = attributed()
    ids = func.aggregate_strings(cast(Response.id, String), ",")
    rows = await session.execute(
        select(Response.organisation_id, named, ids)
        .where(Response.survey_id == survey_id, Response.status.in_(FINISHED))
        .group_by(Response.organisation_id, named)
    )
    organisation: dict[int, int | None] = {}
    unnamed: set[int] = set()
    for organisation_id, is_named, joined in rows.all():
        sheets = [int(r) for r in joined.split(",")]
        organisation.update(dict.fromkeys(sheets, organisation_id))
        if not is_named:
            unnamed.update(sheets)
    return Origins(organisation, frozenset(unnamed))
