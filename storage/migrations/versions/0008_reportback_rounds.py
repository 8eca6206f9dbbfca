"""Report-backs of J-PAT rounds: a report-back names a campaign or a J-PAT round.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_backs") as batch:
        batch.add_column(
            sa.Column(
                "jpat_round_id",
                sa.Integer,
                sa.ForeignKey(
                    "jpat_rounds.id",
                    name="fk_report_backs_jpat_round_id",
                    ondelete="SET NULL",
                ),
            )
        )
        batch.create_index("ix_report_backs_jpat_round_id", ["jpat_round_id"])


def downgrade() -> None:
    with op.batch_alter_table("report_backs") as batch:
        batch.drop_index("ix_report_backs_jpat_round_id")
        batch.drop_constraint("fk_report_backs_jpat_round_id", type_="foreignkey")
        batch.drop_column("jpat_round_id")
