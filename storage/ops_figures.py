"""Figures about the machinery, for health checks and ``/metrics`` (``bot.ops_server``): does
the database answer, how many pushes wait in the outbox and for how long, how many received
updates wait in the inbox.

Counts only, never who or what: push kinds leave through ``disclosure.operational_kind``, so
a kind that would tell on someone is counted as "other".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import disclosure
from storage.models import Delivery, InboxUpdate

#: Outbox rows not yet settled: waiting for their time, or being sent.
UNSENT = ("pending", "claimed")


@dataclass
class OutboxFigures:
    #: unsent pushes by operational kind; every routine kind and "other" is present
    waiting: dict[str, int] = field(default_factory=dict)
    #: seconds since the oldest unsent push fell due, by operational kind (0 when none is due)
    oldest_due_s: dict[str, float] = field(default_factory=dict)
    #: updates received and not yet applied
    inbox: int = 0


def labels() -> list[str]:
    """Every kind label the figures can carry, so a dashboard sees zeros rather than gaps."""
    return [*sorted(disclosure.ROUTINE_PUSH_KINDS), disclosure.OTHER_KIND]


async def ping(session: AsyncSession) -> None:
    """A trivial query: raises if the database does not answer."""
    await session.scalar(select(literal(1)))


async def figures(session: AsyncSession, now: datetime) -> OutboxFigures:
    """Outbox depth and lag by operational kind, and inbox depth: three indexed queries."""
    found = OutboxFigures(
        waiting=dict.fromkeys(labels(), 0), oldest_due_s=dict.fromkeys(labels(), 0.0)
    )
    counts = await session.execute(
        select(Delivery.kind, func.count())
        .where(Delivery.state.in_(UNSENT))
        .group_by(Delivery.kind)
    )
    for kind, count in counts:
        label = disclosure.operational_kind(kind)
        found.waiting[label] += int(count)
    oldest = await session.execute(
        select(Delivery.kind, func.min(Delivery.due_at))
        .where(Delivery.state.in_(UNSENT), Delivery.due_at <= now)
        .group_by(Delivery.kind)
    )
    for kind, due_at in oldest:
        if due_at is None:
            continue
        label = disclosure.operational_kind(kind)
        age = max(0.0, (now - due_at).total_seconds())
        found.oldest_due_s[label] = max(found.oldest_due_s[label], age)
    found.inbox = int(await session.scalar(select(func.count()).select_from(InboxUpdate)) or 0)
    return found
