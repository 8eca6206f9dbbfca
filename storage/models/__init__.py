"""The tables, one module per area; this package gathers them.

Importing ``storage.models`` imports every table module, so ``Base.metadata`` is complete
for ``create_all``, the Alembic environment (``storage/migrations/env.py``) and the schema
test, and ``from storage.models import Contact`` works as it did when this was one file.
Each later feature adds its tables by an Alembic migration in ``storage/migrations/``.
The values of the ``status`` columns are the enums of ``storage.statuses``.
"""

from __future__ import annotations

from storage.models.base import Base, status_column
from storage.models.bookkeeping import (
    AppMeta,
    AuditEntry,
    ChatFlow,
    InboxUpdate,
    ProcessedUpdate,
)
from storage.models.partnerships import (
    JpatItem,
    JpatRound,
    JpatSignoff,
    Meeting,
    MeetingRsvp,
    Partnership,
    PartnershipMember,
)
from storage.models.people import Contact, Invite, Organisation, OrganisationTag
from storage.models.reporting import (
    DisclosureCell,
    DisclosureRelease,
    ReportBack,
    ReportBackReply,
)
from storage.models.safeguarding import (
    SafeguardingFocalPoint,
    SafeguardingMessage,
    SafeguardingReport,
)
from storage.models.surveys import (
    AnswerRow,
    Campaign,
    Delivery,
    Response,
    SurveyInstall,
    SurveyVersion,
)

__all__ = [
    "AnswerRow",
    "AppMeta",
    "AuditEntry",
    "Base",
    "Campaign",
    "ChatFlow",
    "Contact",
    "Delivery",
    "DisclosureCell",
    "DisclosureRelease",
    "InboxUpdate",
    "Invite",
    "JpatItem",
    "JpatRound",
    "JpatSignoff",
    "Meeting",
    "MeetingRsvp",
    "Organisation",
    "OrganisationTag",
    "Partnership",
    "PartnershipMember",
    "ProcessedUpdate",
    "ReportBack",
    "ReportBackReply",
    "Response",
    "SafeguardingFocalPoint",
    "SafeguardingMessage",
    "SafeguardingReport",
    "SurveyInstall",
    "SurveyVersion",
    "status_column",
]
