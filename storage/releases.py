"""The release record: which sets of people's answers have left the database, per survey and
question, so that ``storage.disclosure`` can refuse a release that differs from an earlier one
by fewer than k people (differencing).

A set is stored once (by the digest of its sorted ids) however often it is shown again, so
the record grows with the number of *different* releases, not with how often staff look.
Checking and recording happen under one lock and in the caller's transaction: two staff
members releasing at the same moment are judged one after the other.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from itertools import chain

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.disclosure import Cell, Release
from storage.models import DisclosureCell, DisclosureRelease


@asynccontextmanager
async def releasing(db: Database) -> AsyncIterator[AsyncSession]:
    """A transaction in which figures are decided and their release recorded. Held from the
    check to the commit, so two releases cannot both pass against a record that has neither
    of them (one process; a second process would take its turn from the database's own
    write lock on SQLite, and is rare enough on PostgreSQL to accept)."""
    await db.settle()  # never wait for the lock while holding the update's write turn
    async with db.release_lock, db.transaction() as session:
        yield session


def digest(cell: Cell) -> str:
    """Names a set by its content: sorted (response, person) pairs, hashed."""
    pairs = sorted(cell.items())
    return hashlib.sha256(array("q", chain.from_iterable(pairs)).tobytes()).hexdigest()


async def released(
    session: AsyncSession, survey_id: str, cells: list[str]
) -> dict[str, list[Cell]]:
    """Every cell released so far for these questions of the survey."""
    found: dict[str, list[Cell]] = {cell: [] for cell in cells}
    if not cells:
        return found
    rows = await session.execute(
        select(DisclosureCell.cell, DisclosureCell.people).where(
            DisclosureCell.survey_id == survey_id, DisclosureCell.cell.in_(cells)
        )
    )
    for cell, pairs in rows.all():
        found[cell].append({int(r): int(p) for r, p in pairs})
    return found


async def record(
    session: AsyncSession,
    survey_id: str,
    release: Release,
    cells: list[tuple[str, Cell]],
    now: datetime,
) -> int:
    """Write the release and any cell not recorded before; returns the release id."""
    row = DisclosureRelease(
        survey_id=survey_id,
        kind=release.kind,
        window=release.window[:64],
        audience=release.audience[:80],
        contact_id=release.contact_id,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    if not cells:
        return row.id
    wanted = [(cell, digest(people), people) for cell, people in cells]
    known = set(
        (
            await session.execute(
                select(DisclosureCell.cell, DisclosureCell.digest).where(
                    DisclosureCell.survey_id == survey_id,
                    DisclosureCell.digest.in_(list({d for _c, d, _p in wanted})),
                )
            )
        ).all()
    )
    for cell, sha, people in wanted:
        if (cell, sha) in known:
            continue
        known.add((cell, sha))
        session.add(
            DisclosureCell(
                survey_id=survey_id,
                cell=cell,
                digest=sha,
                size=len(people),
                people=[[r, p] for r, p in sorted(people.items())],
                release_id=row.id,
                created_at=now,
            )
        )
    await session.flush()
    return row.id
