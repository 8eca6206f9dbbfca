"""Surveys: stored definitions by version, campaigns, deliveries, responses and answers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
        sa.Column("definition", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_survey_versions_survey_id", "survey_versions", ["survey_id"])
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column(
            "survey_version_id", sa.Integer, sa.ForeignKey("survey_versions.id"), nullable=False
        ),
        sa.Column("audience_kind", sa.String(16), nullable=False),
        sa.Column("audience_value", sa.String(200)),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("max_nudges", sa.Integer, nullable=False),
        sa.Column("nudge_every_days", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("contacts.id", ondelete="SET NULL")),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("closed_at", UTCDateTime),
    )
    op.create_index("ix_campaigns_survey_id", "campaigns", ["survey_id"])
    op.create_table(
        "responses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "survey_version_id", sa.Integer, sa.ForeignKey("survey_versions.id"), nullable=False
        ),
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id", ondelete="SET NULL")),
        sa.Column("contact_id", sa.Integer, sa.ForeignKey("contacts.id", ondelete="SET NULL")),
        sa.Column(
            "organisation_id", sa.Integer, sa.ForeignKey("organisations.id", ondelete="SET NULL")
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("cursor", sa.String(64)),
        sa.Column("pending_toggles", sa.JSON, nullable=False),
        sa.Column("refusals", sa.Integer, nullable=False),
        sa.Column("message_id", sa.BigInteger),
        sa.Column("asked_key", sa.String(64)),
        sa.Column("invited_at", UTCDateTime),
        sa.Column("started_at", UTCDateTime),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("completed_at", UTCDateTime),
        sa.Column("nudges_sent", sa.Integer, nullable=False),
        sa.Column("last_nudge_at", UTCDateTime),
    )
    op.create_index("ix_responses_contact_status", "responses", ["contact_id", "status"])
    op.create_index("ix_responses_campaign_status", "responses", ["campaign_id", "status"])
    op.create_index("ix_responses_survey_completed", "responses", ["survey_id", "completed_at"])
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "response_id",
            sa.Integer,
            sa.ForeignKey("responses.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("question_key", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("value_num", sa.Float),
        sa.Column("value_text", sa.Text),
        sa.Column("choice_codes", sa.JSON),
        sa.Column("raw_text", sa.Text),
        sa.Column("voice_file_id", sa.String(200)),
        sa.Column("voice_duration", sa.Integer),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("answered_at", UTCDateTime, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
    )
    op.create_index(
        "uq_answers_response_question", "answers", ["response_id", "question_key"], unique=True
    )
    op.create_index("ix_answers_question_value", "answers", ["question_key", "value_num"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id", ondelete="CASCADE")),
        sa.Column(
            "contact_id",
            sa.Integer,
            sa.ForeignKey("contacts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("claimed_at", UTCDateTime),
        sa.Column("sent_at", UTCDateTime),
        sa.Column("detail", sa.String(200)),
        sa.Column("response_id", sa.Integer, sa.ForeignKey("responses.id", ondelete="CASCADE")),
        sa.Column("dedupe_key", sa.String(100), nullable=False, unique=True),
    )
    op.create_index("ix_deliveries_due", "deliveries", ["state", "due_at"])
    op.create_index("ix_deliveries_campaign", "deliveries", ["campaign_id", "contact_id"])


def downgrade() -> None:
    op.drop_table("deliveries")
    op.drop_table("answers")
    op.drop_table("responses")
    op.drop_table("campaigns")
    op.drop_table("survey_versions")
