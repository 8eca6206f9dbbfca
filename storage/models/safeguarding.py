"""Confidential reports (safeguarding, complaints): the focal points who read them, the
reports and the words exchanged about each. Nothing here reaches summaries or exports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, status_column
from storage.statuses import SafeguardingReportStatus
from storage.types import UTCDateTime, utcnow


class SafeguardingFocalPoint(Base):
    """A person named by an admin to receive confidential reports (safeguarding, complaints).

    A table of its own rather than a value of ``Contact.role``: the focal point is usually
    also staff or an admin, and being one must not change what else they may do. The row
    records who named them and when; ``shown_name`` is how partners are told who will read.
    """

    __tablename__ = "safeguarding_focal_points"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    shown_name: Mapped[str | None] = mapped_column(String(200))
    added_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SafeguardingReport(Base):
    """One confidential report: read only by focal points, never by summaries or exports.

    ``contact_id`` is kept even for an anonymous report, only so that replies reach the person
    and /forget can erase their words; it is never shown. ``organisation_id`` is kept only
    for a report sent with the person's name. ``status``
    (``SafeguardingReportStatus``): draft (typed, not yet sent), open, handled.
    """

    __tablename__ = "safeguarding_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    anonymous: Mapped[bool] = mapped_column(default=False)
    survey_id: Mapped[str | None] = mapped_column(String(64))
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[SafeguardingReportStatus] = status_column(
        SafeguardingReportStatus, length=16, default=SafeguardingReportStatus.DRAFT
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_safeguarding_reports_contact", "contact_id", "status"),)


class SafeguardingMessage(Base):
    """The words of a report and of the conversation about it: ``author`` is ``reporter`` or
    ``focal_point``."""

    __tablename__ = "safeguarding_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("safeguarding_reports.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(16))
    author_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    text: Mapped[str | None] = mapped_column(Text)
    voice_file_id: Mapped[str | None] = mapped_column(String(200))
    voice_duration: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
