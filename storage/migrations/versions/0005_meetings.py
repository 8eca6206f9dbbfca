"""Meetings: meetings of a partnership, their invitation list with RSVPs, and reminders as
deliveries tied to a meeting.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "partnership_id",
            sa.Integer,
            sa.ForeignKey("partnerships.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("starts_at", UTCDateTime, nullable=False),
        sa.Column("previous_starts_at", UTCDateTime),
        sa.Column("organiser_timezone", sa.String(64), nullable=False),
        sa.Column("organiser_telegram_id", sa.BigInteger),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("contacts.id", ondelete="SET NULL")),
        sa.Column("place", sa.String(300)),
        sa.Column("agenda", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reminder_offsets", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("cancelled_at", UTCDateTime),
    )
    op.create_index("ix_meetings_status_starts", "meetings", ["status", "starts_at"])
    op.create_table(
        "meeting_rsvps",
        sa.Column(
            "meeting_id",
            sa.Integer,
            sa.ForeignKey("meetings.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "contact_id",
            sa.Integer,
            sa.ForeignKey("contacts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("answer", sa.String(16)),
        sa.Column("answered_at", UTCDateTime),
        sa.Column("invited_at", UTCDateTime, nullable=False),
    )
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(
            sa.Column(
                "meeting_id",
                sa.Integer,
                sa.ForeignKey("meetings.id", ondelete="CASCADE", name="fk_deliveries_meeting"),
            )
        )
        batch.create_index("ix_deliveries_meeting", ["meeting_id", "contact_id"])


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index("ix_deliveries_meeting")
        batch.drop_constraint("fk_deliveries_meeting", type_="foreignkey")
        batch.drop_column("meeting_id")
    op.drop_table("meeting_rsvps")
    op.drop_index("ix_meetings_status_starts", "meetings")
    op.drop_table("meetings")
