"""J-PAT: partnerships and their members, rounds, consolidated items, sign-offs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partnerships",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "organisation_id",
            sa.Integer,
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(200)),
        sa.Column("start_date", sa.Date),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("cadence", sa.String(16), nullable=False),
        sa.Column("next_round_at", UTCDateTime),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("contacts.id", ondelete="SET NULL")),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "partnership_members",
        sa.Column(
            "partnership_id",
            sa.Integer,
            sa.ForeignKey("partnerships.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "contact_id",
            sa.Integer,
            sa.ForeignKey("contacts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("side", sa.String(8), nullable=False),
    )
    op.create_table(
        "jpat_rounds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "partnership_id",
            sa.Integer,
            sa.ForeignKey("partnerships.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column(
            "survey_version_id", sa.Integer, sa.ForeignKey("survey_versions.id"), nullable=False
        ),
        sa.Column("opened_at", UTCDateTime, nullable=False),
        sa.Column("deadline", UTCDateTime, nullable=False),
        sa.Column("closed_at", UTCDateTime),
        sa.Column("opened_by", sa.Integer, sa.ForeignKey("contacts.id", ondelete="SET NULL")),
        sa.Column("consolidated_at", UTCDateTime),
        sa.Column("consolidated_by", sa.Integer, sa.ForeignKey("contacts.id", ondelete="SET NULL")),
        sa.Column("finalised_at", UTCDateTime),
        sa.Column("dispute_comment", sa.Text),
    )
    op.create_index(
        "ix_jpat_rounds_partnership", "jpat_rounds", ["partnership_id", "number"], unique=True
    )
    op.create_table(
        "jpat_items",
        sa.Column(
            "round_id",
            sa.Integer,
            sa.ForeignKey("jpat_rounds.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("item_key", sa.String(64), primary_key=True),
        sa.Column("agreed_score", sa.Integer),
        sa.Column("action_text", sa.Text),
        sa.Column("action_owner", sa.String(8)),
        sa.Column("action_due", sa.Date),
        sa.Column("action_done_at", UTCDateTime),
        sa.Column("recorded_by", sa.Integer, sa.ForeignKey("contacts.id", ondelete="SET NULL")),
        sa.Column("recorded_at", UTCDateTime),
    )
    op.create_table(
        "jpat_signoffs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "round_id",
            sa.Integer,
            sa.ForeignKey("jpat_rounds.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("contact_id", sa.Integer, sa.ForeignKey("contacts.id", ondelete="SET NULL")),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    with op.batch_alter_table("responses") as batch:
        batch.add_column(
            sa.Column(
                "jpat_round_id",
                sa.Integer,
                sa.ForeignKey("jpat_rounds.id", ondelete="CASCADE", name="fk_responses_jpat_round"),
            )
        )
        batch.add_column(sa.Column("side", sa.String(8)))
        batch.create_index("ix_responses_jpat_round_id", ["jpat_round_id"])


def downgrade() -> None:
    with op.batch_alter_table("responses") as batch:
        batch.drop_index("ix_responses_jpat_round_id")
        batch.drop_constraint("fk_responses_jpat_round", type_="foreignkey")
        batch.drop_column("side")
        batch.drop_column("jpat_round_id")
    op.drop_table("jpat_signoffs")
    op.drop_table("jpat_items")
    op.drop_index("ix_jpat_rounds_partnership", "jpat_rounds")
    op.drop_table("jpat_rounds")
    op.drop_table("partnership_members")
    op.drop_table("partnerships")
