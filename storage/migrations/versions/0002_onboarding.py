"""Onboarding: invites, organisation tags, contact settings, chat flows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(
            sa.Column("quiet_start", sa.String(5), nullable=False, server_default="21:00")
        )
        batch.add_column(
            sa.Column("quiet_end", sa.String(5), nullable=False, server_default="08:00")
        )
        batch.add_column(
            sa.Column("attribution", sa.String(16), nullable=False, server_default="aggregate")
        )
        batch.add_column(sa.Column("forgotten_at", UTCDateTime))
    op.create_table(
        "organisation_tags",
        sa.Column(
            "organisation_id",
            sa.Integer,
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("tag", sa.String(64), primary_key=True),
    )
    op.create_index("ix_organisation_tags_tag", "organisation_tags", ["tag"])
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column(
            "organisation_id", sa.Integer, sa.ForeignKey("organisations.id", ondelete="CASCADE")
        ),
        sa.Column("max_uses", sa.Integer, nullable=False),
        sa.Column("uses", sa.Integer, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("contacts.id", ondelete="SET NULL")),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "chat_flows",
        sa.Column("telegram_user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("flow", sa.String(32), nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("chat_flows")
    op.drop_table("invites")
    op.drop_index("ix_organisation_tags_tag", "organisation_tags")
    op.drop_table("organisation_tags")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("forgotten_at")
        batch.drop_column("attribution")
        batch.drop_column("quiet_end")
        batch.drop_column("quiet_start")
