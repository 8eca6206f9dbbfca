"""Shared helpers of the J-PAT storage tests (``test_storage_jpat*.py``): a partnership with
members on both sides, a J-PAT survey version, a round opened, and answers written straight
into storage.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from storage import contacts, jpat_rounds, organisations, partnerships
from storage import surveys as store
from storage.db import Database
from storage.models import JpatRound, Response

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ELEMENTS = {"e1a": "e1", "e1b": "e1", "e2a": "e2"}
ITEMS = list(ELEMENTS)
DK = "dont_know"


async def _version(db: Database) -> int:
    async with db.transaction() as session:
        return await store.register_version(
            session,
            survey_id="jpat",
            version=1,
            fingerprint="test-jpat",
            definition={"id": "jpat"},
            now=NOW,
        )


async def _setup(db: Database, *, ngo: int = 3, partner: int = 3) -> tuple[int, int, list[int]]:
    """A partnership with ``ngo`` staff and ``partner`` partner contacts; returns
    (partnership id, survey version id, contact ids NGO first)."""
    version = await _version(db)
    async with db.transaction() as session:
        org = await organisations.create(session, name="Hope RLO", country="KE", tags=[], now=NOW)
        ids = []
        for i in range(ngo):
            staff = await contacts.make_staff(
                session,
                telegram_user_id=1000 + i,
                display_name=f"Staff {i}",
                language="en",
                timezone="UTC",
                now=NOW,
            )
            ids.append(staff.id)
        for i in range(partner):
            contact = await contacts.create_partner(
                session,
                telegram_user_id=2000 + i,
                display_name=f"Partner {i}",
                organisation_id=org.id,
                language="ar",
                timezone="Africa/Nairobi",
                now=NOW,
            )
            ids.append(contact.id)
        partnership = await partnerships.create(
            session,
            organisation_id=org.id,
            start_date=date(2026, 3, 1),
            stage="ongoing",
            cadence="quarterly",
            created_by=ids[0],
            now=NOW,
        )
        for staff_id in ids[1:ngo]:
            await partnerships.add_member(session, partnership.id, staff_id, "ngo")
    return partnership.id, version, ids


async def _open(db: Database, pid: int, version: int, days: int = 14) -> JpatRound:
    async with db.transaction() as session:
        partnership = await partnerships.get(session, pid)
        opened = await jpat_rounds.open_round(
            session,
            partnership=partnership,
            survey_id="jpat",
            survey_version_id=version,
            deadline=NOW + timedelta(days=days),
            opened_by=None,
            now=NOW,
        )
    return opened.round


async def _answer(
    db: Database, round_id: int, contact_id: int, scores: dict[str, object], *, done: bool = True
) -> None:
    async with db.transaction() as session:
        response = await session.scalar(
            select(Response).where(
                Response.jpat_round_id == round_id, Response.contact_id == contact_id
            )
        )
        assert response is not None
        for key, value in scores.items():
            text = value if isinstance(value, str) and value != DK else None
            await store.save_answer(
                session,
                response_id=response.id,
                key=key,
                status="dont_know" if value == DK else "answered",
                value_num=float(value) if isinstance(value, int) else None,
                value_text=text,
                choice_codes=None,
                raw_text=None,
                voice_file_id=None,
                voice_duration=None,
                language="en",
                now=NOW,
            )
        response.status = "completed" if done else "in_progress"
