"""Surveys installed from the chat, and trial responses that never count in results.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_installs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column(
            "survey_version_id", sa.Integer, sa.ForeignKey("survey_versions.id"), nullable=False
        ),
        sa.Column(
            "installed_by",
            sa.Integer,
            sa.ForeignKey("contacts.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("installed_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_survey_installs_survey_id", "survey_installs", ["survey_id"])
    with op.batch_alter_table("responses") as batch:
        batch.add_column(sa.Column("trial", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("responses") as batch:
        batch.drop_column("trial")
    op.drop_index("ix_survey_installs_survey_id", table_name="survey_installs")
    op.drop_table("survey_installs")
