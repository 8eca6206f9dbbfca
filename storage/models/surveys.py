"""Surveys and their answers: the frozen survey versions, campaigns, the pushes that
deliver them, each person's response and its answers one by one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, status_column
from storage.statuses import AnswerRowStatus, CampaignStatus, ResponseStatus
from storage.types import UTCDateTime, utcnow


class SurveyVersion(Base):
    """A survey definition exactly as it was when answers were given under it.

    A new row appears whenever the file's content changes, so old answers stay readable
    with the questions and labels they were given to.
    """

    __tablename__ = "survey_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyInstall(Base):
    """A survey version a staff member installed from the chat (an uploaded XLSForm).

    The shipped files say which version of their surveys is current; for a survey installed
    from the chat this row does, and the latest install of an id wins over an older file.
    """

    __tablename__ = "survey_installs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[str] = mapped_column(String(64), index=True)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    installed_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Campaign(Base):
    """A survey sent by staff to an audience, with a due date and bounded nudges."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[str] = mapped_column(String(64), index=True)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    audience_kind: Mapped[str] = mapped_column(String(16))
    audience_value: Mapped[str | None] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    max_nudges: Mapped[int] = mapped_column(Integer, default=2)
    nudge_every_days: Mapped[int] = mapped_column(Integer, default=3)
    status: Mapped[CampaignStatus] = status_column(
        CampaignStatus, length=16, default=CampaignStatus.OPEN
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Delivery(Base):
    """One push to one contact (a campaign invitation, a nudge), claimed before it is sent so
    that two processes never send it twice."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    detail: Mapped[str | None] = mapped_column(String(200))
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    dedupe_key: Mapped[str] = mapped_column(String(100), unique=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))

    __table_args__ = (
        Index("ix_deliveries_due", "state", "due_at"),
        Index("ix_deliveries_campaign", "campaign_id", "contact_id"),
        Index("ix_deliveries_meeting", "meeting_id", "contact_id"),
    )


class Response(Base):
    """One person's pass through one survey. Answers hang off it, stored one by one."""

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    survey_id: Mapped[str] = mapped_column(String(64))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    status: Mapped[ResponseStatus] = status_column(
        ResponseStatus, length=16, default=ResponseStatus.INVITED
    )
    language: Mapped[str] = mapped_column(String(8), default="en")
    cursor: Mapped[str | None] = mapped_column(String(64))
    pending_toggles: Mapped[list[str]] = mapped_column(JSON, default=list)
    refusals: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    asked_key: Mapped[str | None] = mapped_column(String(64))
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    nudges_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_nudge_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    jpat_round_id: Mapped[int | None] = mapped_column(
        ForeignKey("jpat_rounds.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[str | None] = mapped_column(String(8))
    #: A staff member trying a survey before installing it: never in results.
    trial: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    __table_args__ = (
        Index("ix_responses_contact_status", "contact_id", "status"),
        Index("ix_responses_campaign_status", "campaign_id", "status"),
        Index("ix_responses_survey_completed", "survey_id", "completed_at"),
    )


class AnswerRow(Base):
    """One answer, stored the moment it is given; a changed answer (Back) replaces it."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[AnswerRowStatus] = status_column(
        AnswerRowStatus, length=16, default=AnswerRowStatus.ANSWERED
    )
    value_num: Mapped[float | None] = mapped_column()
    value_text: Mapped[str | None] = mapped_column(Text)
    choice_codes: Mapped[list[str] | None] = mapped_column(JSON)
    raw_text: Mapped[str | None] = mapped_column(Text)
    voice_file_id: Mapped[str | None] = mapped_column(String(200))
    voice_duration: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(8), default="en")
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seq: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("uq_answers_response_question", "response_id", "question_key", unique=True),
        Index("ix_answers_question_value", "question_key", "value_num"),
    )


# Summaries pick a survey's responses by the time they were invited (issue 7).
Index("ix_responses_survey_invited", Response.survey_id, Response.invited_at)
