"""Safeguarding: named focal points, confidential reports and the messages about them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _contact(column: str, table: str, ondelete: str = "SET NULL") -> sa.Column:
    return sa.Column(
        column,
        sa.Integer,
        sa.ForeignKey("contacts.id", name=f"fk_{table}_{column}", ondelete=ondelete),
    )


def upgrade() -> None:
    op.create_table(
        "safeguarding_focal_points",
        sa.Column(
            "contact_id",
            sa.Integer,
            sa.ForeignKey(
                "contacts.id", name="fk_safeguarding_focal_points_contact_id", ondelete="CASCADE"
            ),
            primary_key=True,
        ),
        sa.Column("shown_name", sa.String(200)),
        _contact("added_by", "safeguarding_focal_points"),
        sa.Column("added_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "safeguarding_reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        _contact("contact_id", "safeguarding_reports"),
        sa.Column(
            "organisation_id",
            sa.Integer,
            sa.ForeignKey(
                "organisations.id",
                name="fk_safeguarding_reports_organisation_id",
                ondelete="SET NULL",
            ),
        ),
        sa.Column("anonymous", sa.Boolean, nullable=False),
        sa.Column("survey_id", sa.String(64)),
        sa.Column(
            "response_id",
            sa.Integer,
            sa.ForeignKey(
                "responses.id", name="fk_safeguarding_reports_response_id", ondelete="SET NULL"
            ),
        ),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("submitted_at", UTCDateTime),
        sa.Column("handled_at", UTCDateTime),
        _contact("handled_by", "safeguarding_reports"),
        sa.Column("erased_at", UTCDateTime),
    )
    op.create_index(
        "ix_safeguarding_reports_contact", "safeguarding_reports", ["contact_id", "status"]
    )
    op.create_table(
        "safeguarding_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "report_id",
            sa.Integer,
            sa.ForeignKey(
                "safeguarding_reports.id",
                name="fk_safeguarding_messages_report_id",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("author", sa.String(16), nullable=False),
        _contact("author_contact_id", "safeguarding_messages"),
        sa.Column("text", sa.Text),
        sa.Column("voice_file_id", sa.String(200)),
        sa.Column("voice_duration", sa.Integer),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_safeguarding_messages_report_id", "safeguarding_messages", ["report_id"])


def downgrade() -> None:
    op.drop_index("ix_safeguarding_messages_report_id", table_name="safeguarding_messages")
    op.drop_table("safeguarding_messages")
    op.drop_index("ix_safeguarding_reports_contact", table_name="safeguarding_reports")
    op.drop_table("safeguarding_reports")
    op.drop_table("safeguarding_focal_points")
