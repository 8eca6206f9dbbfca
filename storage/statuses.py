"""The values each ``status`` column may hold, one ``StrEnum`` per table.

Why enums over bare strings: a typo in a query (``"in-progress"``) used to match nothing and
go unnoticed; now the column type refuses it (``LookupError``) the moment the query is built.
Why ``StrEnum``: a member *is* its string (``ResponseStatus.OPEN == "open"``, same hash, same
``str()`` and JSON), so code that still compares with, stores or shows the plain words keeps
working, and the database holds exactly the words it held before.

The columns stay ``VARCHAR`` without a CHECK constraint (see ``storage.models.base.
status_column``), so adding a value here needs no migration. Never remove or rename a value
that rows may still hold: reading such a row would fail.
"""

from __future__ import annotations

from enum import StrEnum


class ContactStatus(StrEnum):
    """Whether pushes may reach a person (``contacts.status``)."""

    #: Receives invitations, nudges and reminders.
    ACTIVE = "active"
    #: Asked for no pushes with /stop; still answers what they open themselves.
    STOPPED = "stopped"
    #: Telegram answered 403 (the person blocked the bot): nothing can reach them.
    BLOCKED = "blocked"
    #: Used /forget: the row stays, anonymous, so counts stay right.
    FORGOTTEN = "forgotten"


class CampaignStatus(StrEnum):
    """A campaign takes answers until its due date (``campaigns.status``)."""

    OPEN = "open"
    CLOSED = "closed"


class ResponseStatus(StrEnum):
    """One person's pass through one survey (``responses.status``)."""

    #: Sent, not yet started.
    INVITED = "invited"
    #: The person is answering now.
    IN_PROGRESS = "in_progress"
    #: Started, then set aside; may be taken up again.
    PAUSED = "paused"
    #: Every question answered or skipped.
    COMPLETED = "completed"
    #: Started but not finished by the due date (or by /forget): its answers still count.
    PARTIAL = "partial"
    #: Never started by the due date.
    EXPIRED = "expired"


class AnswerRowStatus(StrEnum):
    """What kind of answer one row is (``answers.status``); the same words as
    ``conversations.state.AnswerStatus``, which knows nothing of the database."""

    ANSWERED = "answered"
    SKIPPED = "skipped"
    DONT_KNOW = "dont_know"


class JpatRoundStatus(StrEnum):
    """A J-PAT round: open → closed → consolidated → final, or disputed on the way
    (``jpat_rounds.status``)."""

    #: Both sides are scoring.
    OPEN = "open"
    #: Deadline passed or closed by staff; the joint meeting agrees the scores.
    CLOSED = "closed"
    #: Agreed scores recorded, waiting for the partner's sign-off.
    CONSOLIDATED = "consolidated"
    #: The partner disputed the consolidated scores.
    DISPUTED = "disputed"
    #: Signed off: the round's figures are final.
    FINAL = "final"


class MeetingStatus(StrEnum):
    """A meeting of a partnership (``meetings.status``)."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class SafeguardingReportStatus(StrEnum):
    """A confidential report (``safeguarding_reports.status``)."""

    #: Being typed, not yet sent to the focal points.
    DRAFT = "draft"
    #: Sent, waiting for a focal point (again, when the person writes after it was handled).
    OPEN = "open"
    #: A focal point marked it handled.
    HANDLED = "handled"
