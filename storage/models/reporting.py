"""What left the database for people to read: report-backs to partners with their replies,
and the disclosure record that differencing control checks new releases against."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime, utcnow


class ReportBack(Base):
    """What staff sent back to the partners who were asked: a frozen copy of the aggregate
    figures (so late answers never change what partners already read) and an optional note."""

    __tablename__ = "report_backs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), index=True
    )
    #: A report-back is about a campaign or, for J-PAT, about one round.
    jpat_round_id: Mapped[int | None] = mapped_column(
        ForeignKey("jpat_rounds.id", ondelete="SET NULL"), index=True
    )
    survey_id: Mapped[str] = mapped_column(String(64))
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    note: Mapped[str | None] = mapped_column(Text)
    note_language: Mapped[str | None] = mapped_column(String(8))
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReportBackReply(Base):
    """A partner's reaction (one per person, the latest counts) or comment on a report-back."""

    __tablename__ = "report_back_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_back_id: Mapped[int] = mapped_column(ForeignKey("report_backs.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_report_back_replies_rb", "report_back_id", "kind", "contact_id"),)


class DisclosureRelease(Base):
    """One release of figures, rows or quotes that left the database (a summary, a trend, an
    export, a report-back): the record that differencing control checks new releases against."""

    __tablename__ = "disclosure_releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    window: Mapped[str] = mapped_column(String(64))
    audience: Mapped[str] = mapped_column(String(80))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DisclosureCell(Base):
    """A set of people whose answers to one question (``cell``) were released together. Sets
    are stored once per survey and cell (``digest`` of the sorted ids) however often shown."""

    __tablename__ = "disclosure_cells"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[str] = mapped_column(String(64))
    cell: Mapped[str] = mapped_column(String(80))
    digest: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    people: Mapped[list[int]] = mapped_column(JSON)
    release_id: Mapped[int | None] = mapped_column(
        ForeignKey("disclosure_releases.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("uq_disclosure_cells_set", "survey_id", "cell", "digest", unique=True),)
