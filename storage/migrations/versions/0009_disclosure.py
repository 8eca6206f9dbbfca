"""Disclosure control: the record of released respondent sets.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disclosure_releases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("window", sa.String(64), nullable=False),
        sa.Column("audience", sa.String(80), nullable=False),
        sa.Column(
            "contact_id",
            sa.Integer,
            sa.ForeignKey(
                "contacts.id", name="fk_disclosure_releases_contact_id", ondelete="SET NULL"
            ),
        ),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "disclosure_cells",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column("cell", sa.String(80), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("people", sa.JSON, nullable=False),
        sa.Column(
            "release_id",
            sa.Integer,
            sa.ForeignKey(
                "disclosure_releases.id",
                name="fk_disclosure_cells_release_id",
                ondelete="SET NULL",
            ),
        ),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index(
        "uq_disclosure_cells_set",
        "disclosure_cells",
        ["survey_id", "cell", "digest"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_disclosure_cells_set", table_name="disclosure_cells")
    op.drop_table("disclosure_cells")
    op.drop_table("disclosure_releases")
