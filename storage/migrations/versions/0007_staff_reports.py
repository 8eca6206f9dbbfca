"""Staff reports: report-backs to partners and their replies; the index summaries need.

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_backs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id", ondelete="SET NULL")),
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column(
            "survey_version_id", sa.Integer, sa.ForeignKey("survey_versions.id"), nullable=False
        ),
        sa.Column("note", sa.Text),
        sa.Column("note_language", sa.String(8)),
        sa.Column("figures", sa.JSON, nullable=False),
        sa.Column("recipients", sa.Integer, nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("contacts.id", ondelete="SET NULL")),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_report_backs_campaign_id", "report_backs", ["campaign_id"])
    op.create_table(
        "report_back_replies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "report_back_id",
            sa.Integer,
            sa.ForeignKey("report_backs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("contact_id", sa.Integer, sa.ForeignKey("contacts.id", ondelete="SET NULL")),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(16)),
        sa.Column("text", sa.Text),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    op.create_index(
        "ix_report_back_replies_rb",
        "report_back_replies",
        ["report_back_id", "kind", "contact_id"],
    )
    op.create_index("ix_responses_survey_invited", "responses", ["survey_id", "invited_at"])


def downgrade() -> None:
    op.drop_index("ix_responses_survey_invited", "responses")
    op.drop_index("ix_report_back_replies_rb", "report_back_replies")
    op.drop_table("report_back_replies")
    op.drop_index("ix_report_backs_campaign_id", "report_backs")
    op.drop_table("report_backs")
