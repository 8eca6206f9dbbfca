"""The tables. Each later feature adds its own by an Alembic migration in ``migrations/``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.types import UTCDateTime, utcnow


class Base(DeclarativeBase):
    pass


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Contact(Base):
    """A person who talks to the bot: partner contact, staff member or admin.

    ``status`` is about delivery: ``active``, ``stopped`` (asked for no pushes with /stop) or
    ``blocked`` (Telegram answered 403). ``stopped_at`` remembers the wish to stop across a
    block and unblock.
    """

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    role: Mapped[str] = mapped_column(String(16), default="partner")
    language: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    status: Mapped[str] = mapped_column(String(16), default="active")
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    quiet_start: Mapped[str] = mapped_column(String(5), default="21:00")
    quiet_end: Mapped[str] = mapped_column(String(5), default="08:00")
    attribution: Mapped[str] = mapped_column(String(16), default="aggregate")
    forgotten_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_contacts_org_role", "organisation_id", "role"),)


class ProcessedUpdate(Base):
    """Update ids already applied, so a re-delivered update changes nothing."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class AuditEntry(Base):
    """Who did what to partner data, and refused attempts at staff commands."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(16), default="ok")


class AppMeta(Base):
    """Small facts about this installation, such as the key that signs callback data."""

    __tablename__ = "app_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class OrganisationTag(Base):
    __tablename__ = "organisation_tags"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class Invite(Base):
    """An invitation link. Only a hash of the token is kept, so a leaked database opens nothing."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16), default="partner")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChatFlow(Base):
    """Where a person is in a multi-step chat (onboarding, a staff wizard), kept in the database
    so a restart or a second bot process carries on from the same step."""

    __tablename__ = "chat_flows"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    flow: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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
    status: Mapped[str] = mapped_column(String(16), default="open")
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
    status: Mapped[str] = mapped_column(String(16), default="invited")
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
    status: Mapped[str] = mapped_column(String(16), default="answered")
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
    status: Mapped[str] = mapped_column(String(24), default="open")
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


# Summaries pick a survey's responses by the time they were invited (issue 7).
Index("ix_responses_survey_invited", Response.survey_id, Response.invited_at)


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
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
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
    for a report sent with the person's name. ``status``: draft (typed, not yet sent), open,
    handled.
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
    status: Mapped[str] = mapped_column(String(16), default="draft")
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
