"""Partnerships, their members on each side, their J-PAT rounds (scores, agreed items,
sign-offs) and their meetings with the invitation lists."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, status_column
from storage.statuses import JpatRoundStatus, MeetingStatus
from storage.types import UTCDateTime, utcnow


class Partnership(Base):
    """The NGO and one partner organisation, with members on each side and a J-PAT cadence."""

    __tablename__ = "partnerships"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    name: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[date | None] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(16), default="inception")
    cadence: Mapped[str] = mapped_column(String(16), default="quarterly")
    next_round_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PartnershipMember(Base):
    __tablename__ = "partnership_members"

    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    side: Mapped[str] = mapped_column(String(8))  # "ngo" or "partner"


class JpatRound(Base):
    """One J-PAT check-in of a partnership: open → closed → consolidated → final (or disputed)."""

    __tablename__ = "jpat_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[JpatRoundStatus] = status_column(
        JpatRoundStatus, length=24, default=JpatRoundStatus.OPEN
    )
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    consolidated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consolidated_by: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispute_comment: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_jpat_rounds_partnership", "partnership_id", "number", unique=True),)


class JpatItem(Base):
    """The agreed score for one statement after the joint meeting, and its action if flagged."""

    __tablename__ = "jpat_items"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("jpat_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    item_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    agreed_score: Mapped[int | None] = mapped_column(Integer)
    action_text: Mapped[str | None] = mapped_column(Text)
    action_owner: Mapped[str | None] = mapped_column(String(8))
    action_due: Mapped[date | None] = mapped_column(Date)
    action_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class JpatSignoff(Base):
    """A partner member's confirmation or dispute of the consolidated J-PAT."""

    __tablename__ = "jpat_signoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("jpat_rounds.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    decision: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class Meeting(Base):
    """A meeting of a partnership (kickoff, review, evaluation), at one moment in UTC.

    ``organiser_timezone`` is the zone the organiser typed the time in, shown beside each
    reader's own time. ``version`` goes up on every reschedule or change of reminders: pushes
    and RSVP buttons carry it, so a button from before a change is recognised as stale.
    """

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    previous_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    organiser_timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    organiser_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    place: Mapped[str | None] = mapped_column(String(300))
    agenda: Mapped[str | None] = mapped_column(Text)
    status: Mapped[MeetingStatus] = status_column(
        MeetingStatus, length=16, default=MeetingStatus.SCHEDULED
    )
    reminder_offsets: Mapped[list[int]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_meetings_status_starts", "status", "starts_at"),)


class MeetingRsvp(Base):
    """One invited person of a meeting and their answer (attending, not_attending, need_info;
    None until they answer). The rows are the invitation list, fixed when it was sent."""

    __tablename__ = "meeting_rsvps"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    side: Mapped[str] = mapped_column(String(8))
    answer: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime)
