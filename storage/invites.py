"""Invitation links: random tokens, stored hashed, used within their limits."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Invite, Organisation


class InviteProblem(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED_UP = "used_up"
    REVOKED = "revoked"


def new_token() -> str:
    """160 random bits, URL-safe, fits Telegram's 64-character deep-link payload."""
    return secrets.token_urlsafe(20)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CreatedInvite:
    invite: Invite
    token: str


async def create(
    session: AsyncSession,
    *,
    role: str,
    organisation_id: int | None,
    max_uses: int,
    valid_for: timedelta,
    created_by: int | None,
    now: datetime,
) -> CreatedInvite:
    token = new_token()
    invite = Invite(
        token_hash=hash_token(token),
        role=role,
        organisation_id=organisation_id,
        max_uses=max_uses,
        uses=0,
        expires_at=now + valid_for,
        created_by=created_by,
        created_at=now,
    )
    session.add(invite)
    await session.flush()
    return CreatedInvite(invite=invite, token=token)


def problem_with(invite: Invite | None, now: datetime) -> InviteProblem | None:
    if invite is None:
        return InviteProblem.UNKNOWN
    if invite.revoked_at is not None:
        return InviteProblem.REVOKED
    if invite.expires_at <= now:
        return InviteProblem.EXPIRED
    if invite.uses >= invite.max_uses:
        return InviteProblem.USED_UP
    return None


async def find(session: AsyncSession, token: str) -> Invite | None:
    if not token or len(token) > 64:
        return None
    return await session.scalar(select(Invite).where(Invite.token_hash == hash_token(token)))


async def use(session: AsyncSession, invite_id: int, now: datetime) -> bool:
    """Count one use, atomically: two people racing for the last use cannot both win."""
    result = await session.execute(
        update(Invite)
        .where(
            Invite.id == invite_id,
            Invite.uses < Invite.max_uses,
            Invite.revoked_at.is_(None),
            Invite.expires_at > now,
        )
        .values(uses=Invite.uses + 1)
    )
    return bool(result.rowcount)


async def revoke(
    session: AsyncSession,
    invite_id: int,
    now: datetime,
    *,
    roles: Collection[str] | None = None,
) -> bool:
    """Withdraw an invitation; with ``roles``, only one that makes one of those roles (so a
    staff member who is not an admin cannot withdraw the staff links admins made)."""
    conditions = [Invite.id == invite_id, Invite.revoked_at.is_(None)]
    if roles is not None:
        conditions.append(Invite.role.in_(list(roles)))
    result = await session.execute(update(Invite).where(*conditions).values(revoked_at=now))
    return bool(result.rowcount)


async def open_invites(
    session: AsyncSession, now: datetime, *, roles: Collection[str] | None = None
) -> list[tuple[Invite, str | None]]:
    """Invites that can still be used, newest first, with their organisation's name; with
    ``roles``, only those that make one of these roles."""
    conditions = [
        Invite.revoked_at.is_(None),
        Invite.expires_at > now,
        Invite.uses < Invite.max_uses,
    ]
    if roles is not None:
        conditions.append(Invite.role.in_(list(roles)))
    rows = await session.execute(
        select(Invite, Organisation.name)
        .outerjoin(Organisation, Organisation.id == Invite.organisation_id)
        .where(*conditions)
        .order_by(Invite.created_at.desc(), Invite.id.desc())
    )
    return [(invite, name) for invite, name in rows.all()]
