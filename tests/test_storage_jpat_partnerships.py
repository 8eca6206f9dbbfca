"""J-PAT storage on SQLite and PostgreSQL: the partner side follows the organisation's members,
and changing the cadence replans the next check-in.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from storage import contacts, partnerships
from storage.db import Database
from storage.models import Contact, Partnership, Response
from tests.jpat_store import NOW, _open, _setup


async def test_partner_side_follows_the_organisation(db: Database) -> None:
    """Who joins the organisation later is invited to the next round; who deleted their data
    but is never invited."""
    pid, version, ids = await _setup(db, ngo=1, partner=2)
    async with db.transaction() as session:
        partnership = await session.get(Partnership, pid)
        newcomer = await contacts.create_partner(
            session,
            telegram_user_id=2999,
            display_name="Later",
            organisation_id=partnership.organisation_id,
            language="sw",
            timezone="Africa/Nairobi",
            now=NOW,
        )
        gone = await session.get(Contact, ids[2])
        await contacts.forget(session, gone, NOW)
    round_ = await _open(db, pid, version)
    async with db.sessions() as session:
        sides = {c.id: side for c, side in await partnerships.members(session, pid)}
        invited = dict(
            (
                await session.execute(
                    select(Response.contact_id, Response.language).where(
                        Response.jpat_round_id == round_.id
                    )
                )
            ).all()
        )
    assert sides == {ids[0]: "ngo", ids[1]: "partner", newcomer.id: "partner"}
    assert invited == {ids[0]: "en", ids[1]: "ar", newcomer.id: "sw"}


@pytest.mark.parametrize("cadence", ["monthly", "none"])
async def test_changing_cadence_replans_the_next_check_in(db: Database, cadence: str) -> None:
    pid, _version, _ids = await _setup(db, ngo=1, partner=1)
    async with db.transaction() as session:
        partnership = await session.get(Partnership, pid)
        assert partnership.next_round_at == datetime(2026, 6, 2, 9, tzinfo=UTC)  # quarterly
        await partnerships.set_cadence(session, partnership, cadence, NOW)
    expected = datetime(2026, 4, 2, 9, tzinfo=UTC) if cadence == "monthly" else None
    assert partnership.next_round_at == expected
