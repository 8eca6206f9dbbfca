"""Foundation tables on SQLite and PostgreSQL: migrations, update claims, contact status."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import func, select

from storage import audit, contacts
from storage.db import Database
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from storage.models import Contact, Organisation, ReportBackReply
from storage.types import UTCDateTime
from storage.updates import claim_update, forget_old_updates

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def test_migrations_reach_head_and_go_back_down(db: Database) -> None:
    assert await current_revision(db.engine) == head_revision()
    await downgrade(db.engine, "base")
    assert await current_revision(db.engine) is None
    await upgrade(db.engine)
    assert await current_revision(db.engine) == head_revision()


async def test_migrations_that_rebuild_a_table_keep_the_rows_pointing_at_it(
    database_url: str,
) -> None:
    """0008 rebuilds report_backs on SQLite; the replies that point at it must survive."""
    db = Database.connect(database_url)
    try:
        await upgrade(db.engine, "0007")
        versions = sa.table(
            "survey_versions",
            *(sa.column(c) for c in ("id", "survey_id", "version", "fingerprint")),
            sa.column("definition", sa.JSON),
            sa.column("created_at", UTCDateTime),
        )
        report_backs = sa.table(
            "report_backs",
            *(sa.column(c) for c in ("id", "survey_id", "survey_version_id", "recipients")),
            sa.column("figures", sa.JSON),
            sa.column("created_at", UTCDateTime),
        )
        replies = sa.table(
            "report_back_replies",
            *(sa.column(c) for c in ("id", "report_back_id", "kind", "value")),
            sa.column("at", UTCDateTime),
        )
        async with db.engine.begin() as conn:
            await conn.execute(
                versions.insert().values(
                    id=1, survey_id="s", version=1, fingerprint="f", definition={}, created_at=NOW
                )
            )
            await conn.execute(
                report_backs.insert().values(
                    id=1,
                    survey_id="s",
                    survey_version_id=1,
                    recipients=3,
                    figures={},
                    created_at=NOW,
                )
            )
            await conn.execute(
                replies.insert().values(id=1, report_back_id=1, kind="reaction", value="up", at=NOW)
            )
        await upgrade(db.engine)
        async with db.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(ReportBackReply)) == 1
        await downgrade(db.engine, "0007")
        async with db.engine.connect() as conn:
            assert await conn.scalar(select(func.count()).select_from(replies)) == 1
            if conn.dialect.name == "sqlite":  # the pool hands back connections with keys on
                assert await conn.scalar(sa.text("PRAGMA foreign_keys")) == 1
    finally:
        await db.close()


async def test_an_update_is_claimed_once(db: Database) -> None:
    assert await claim_update(db, 1001, NOW) is True
    assert await claim_update(db, 1001, NOW) is False
    assert await claim_update(db, 1002, NOW) is True


async def test_concurrent_claims_have_one_winner(db: Database) -> None:
    results = await asyncio.gather(*(claim_update(db, 77, NOW) for _ in range(8)))
    assert results.count(True) == 1


async def test_old_update_ids_are_forgotten(db: Database) -> None:
    await claim_update(db, 1, NOW - timedelta(days=10))
    await claim_update(db, 2, NOW)
    assert await forget_old_updates(db, NOW, keep=timedelta(days=3)) == 1
    assert await claim_update(db, 2, NOW) is False


async def test_block_and_unblock_return_to_the_persons_choice(db: Database) -> None:
    async with db.transaction() as session:
        org = Organisation(name="Hope RLO", country="KE")
        session.add(org)
        await session.flush()
        session.add(Contact(telegram_user_id=5, organisation_id=org.id, role="partner"))
        session.add(Contact(telegram_user_id=6, role="partner", status="stopped", stopped_at=NOW))
    async with db.transaction() as session:
        assert await contacts.mark_blocked(session, 5, NOW)
        assert await contacts.mark_blocked(session, 6, NOW)
        assert not await contacts.mark_blocked(session, 5, NOW)  # already blocked
    async with db.sessions() as session:
        assert sorted(await contacts.blocked_telegram_ids(session)) == [5, 6]
    async with db.transaction() as session:
        assert await contacts.mark_unblocked(session, 5, NOW)
        assert await contacts.mark_unblocked(session, 6, NOW)
    async with db.sessions() as session:
        five = await contacts.by_telegram_id(session, 5)
        six = await contacts.by_telegram_id(session, 6)
        assert five is not None and five.status == "active"
        assert six is not None and six.status == "stopped"


async def test_times_come_back_aware_utc(db: Database) -> None:
    async with db.transaction() as session:
        session.add(Contact(telegram_user_id=9, consent_at=NOW.astimezone()))
    async with db.sessions() as session:
        contact = await session.scalar(select(Contact).where(Contact.telegram_user_id == 9))
        assert contact is not None
        assert contact.consent_at == NOW
        assert contact.consent_at.tzinfo is not None


async def test_audit_entries_are_listed_newest_first(db: Database) -> None:
    async with db.transaction() as session:
        await audit.record(session, at=NOW, actor_telegram_id=1, action="first")
        await audit.record(
            session, at=NOW + timedelta(minutes=1), actor_telegram_id=1, action="second"
        )
    async with db.sessions() as session:
        entries = await audit.recent(session)
        assert [(e.action, name) for e, name in entries] == [("second", None), ("first", None)]
