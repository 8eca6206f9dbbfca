"""What a survey summary hands over: figures per question and for the whole group, as
numbers and codes (``bot.reports.summary_view`` puts them into words), and the plain-JSON
copy a report-back keeps of what partners were told."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = ("scale", "number", "choice", "multi", "text", "other")


@dataclass(frozen=True)
class QuestionSpec:
    """A question as the summary sees it: ``kind`` is one of ``KINDS``."""

    key: str
    kind: str


@dataclass
class Bucket:
    """``count`` answers from ``low`` to ``high`` (equal for a scale point)."""

    low: float
    high: float
    count: int


@dataclass
class QuestionFigures:
    key: str
    kind: str
    answered: int = 0
    dont_know: int = 0
    skipped: int = 0
    voice: int = 0
    suppressed: bool = False
    people: int = 0  # distinct people among ``answered`` (one person may answer twice)
    #: Suppressed because every answer comes from one organisation and some of those people
    #: asked to be counted only in totals (a follow-up only one organisation reached).
    alone: bool = False
    #: Why the figures are held back (a ``storage.disclosure`` verdict), None when shown.
    reason: str | None = None
    mean: float | None = None
    median: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    distribution: list[Bucket] = field(default_factory=list)
    choices: dict[str, int] = field(default_factory=dict)
    latest: list[str] = field(default_factory=list)

    def share(self, code: str) -> float:
        """Share of the people who answered that chose ``code`` (multiple choice can sum > 1)."""
        return self.choices.get(code, 0) / self.answered if self.answered else 0.0


@dataclass
class Summary:
    survey_id: str
    recipients: int
    started: int
    completed: int
    respondents: int  # started responses counted in the figures
    organisations: int  # distinct organisations among them
    left_out: int  # started responses left out of a breakdown by the partner's own choice
    threshold: int
    suppressed: str | None  # None, TOO_FEW or ONE_ORGANISATION
    questions: list[QuestionFigures] = field(default_factory=list)
    #: Distinct people among ``respondents``: what the privacy threshold counts, since one
    #: partner answering every quarter is still one person.
    people: int = 0

    @property
    def response_rate(self) -> float:
        return self.completed / self.recipients if self.recipients else 0.0

    def question(self, key: str) -> QuestionFigures | None:
        return next((q for q in self.questions if q.key == key), None)


# ---------------------------------------------------------------------------- snapshots


def to_json(summary: Summary) -> dict[str, Any]:
    """A summary as plain JSON, for a report-back's frozen copy of what partners were told."""
    return asdict(summary)


def from_json(data: dict[str, Any]) -> Summary:
    questions = [
        QuestionFigures(
            **{
                **q,
                "distribution": [Bucket(**b) for b in q.get("distribution", [])],
            }
        )
        for q in data.get("questions", [])
    ]
    return Summary(**{**data, "questions": questions})
