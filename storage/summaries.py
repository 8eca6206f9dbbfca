"""Survey summaries computed in the database, private by default.

Why SQL: a summary of a year of answers must come back in well under a second on a small VPS
and must never pull a million answer rows into the bot's memory. Every figure here is a
GROUP BY with COUNT / AVG / MIN / MAX (medians come from a window over per-value counts); Python
only arranges the handful of rows that come back.

Privacy is not decided here: this module gathers the sets of people behind each figure and
``storage.disclosure`` decides (the privacy model is written there), against the record of
earlier releases (``storage.releases``). What this module adds is who is in scope:

* Only finished answer sheets count (``disclosure.FINISHED``); started ones only in the
  "started" count.
* A partner who chose "only in totals" (``Contact.attribution == "aggregate"``) is never counted
  in a breakdown by organisation or tag.
* J-PAT answers count only once their round is closed: while it is open each side answers
  without seeing the other's, and a summary must not break that. A round reported back to
  its own members (``for_the_round``) still needs ``threshold`` respondents.

A response belongs to the period in which it was invited (``Response.invited_at``), so a
quarterly survey answered a few days into the next quarter still counts for its own quarter.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import disclosure, releases
from storage.disclosure import (
    COMPLEMENT,
    FINISHED,
    ONE_ORGANISATION,
    OVERLAP,
    OVERLAP_ORGANISATION,
    TOO_FEW,
    Cell,
)
from storage.models import AnswerRow, Response
from storage.scopes import (
    Scope,
    asdict_shallow,
    attributed,
    group,
    included_ids,
    origins,
    respondent,
)
from storage.summary_figures import KINDS, QuestionFigures, QuestionSpec, Summary
from storage.summary_queries import (
    answered_rows,
    latest_texts,
    multi,
    numbers,
    question_counts,
)
from storage.types import utcnow

__all__ = [
    "COMPLEMENT",
    "FINISHED",
    "ONE_ORGANISATION",
    "OVERLAP",
    "OVERLAP_ORGANISATION",
    "TOO_FEW",
]


# ---------------------------------------------------------------------------- the summary


async def summarise(
    session: AsyncSession,
    scope: Scope,
    questions: list[QuestionSpec],
    *,
    threshold: int,
    release: disclosure.Release | None,
    latest: int = 3,
    for_the_round: bool = False,
) -> Summary:
    """All figures of one scope; per-question figures only where ``storage.disclosure`` allows.

    ``release`` names who is releasing what: the sets of people behind the figures shown are
    checked against, then added to, the release record, in ``session``'s transaction (use
    ``releases.releasing``). ``None`` is for tests and benchmarks only: it decides without
    the record.

    ``for_the_round``: the figures go back only to the people asked in this J-PAT round, on
    both sides. The round is theirs (both sides see its comparison anyway) and it is not a
    report to funders, so the "one organisation" rule for partners who asked to be counted
    only in totals does not apply; the threshold of respondents still does.
    """
    if for_the_round and scope.jpat_round_id is None:
        raise ValueError("for_the_round needs a J-PAT round scope")
    counts = await group(session, scope)
    unattributed = 0 if for_the_round else counts.unattributed
    reason = disclosure.group_verdict(counts.people, counts.organisations, unattributed, threshold)
    summary = Summary(
        survey_id=scope.survey_id,
        recipients=counts.recipients,
        started=counts.started,
        completed=counts.completed,
        respondents=counts.respondents,
        organisations=counts.organisations,
        left_out=counts.started - counts.respondents,
        threshold=threshold,
        suppressed=reason,
        questions=[QuestionFigures(q.key, q.kind) for q in questions if q.kind in KINDS],
        people=counts.people,
    )
    if reason is not None or not summary.questions:
        for figures in summary.questions:
            figures.suppressed, figures.reason = True, reason
        return summary
    ids = included_ids(scope)
    by_key = {q.key: q for q in summary.questions}
    await question_counts(session, ids, by_key)
    one_organisation = await _answerers(session, ids, by_key)
    lonely: list[str] = []
    if unattributed and one_organisation:
        lonely = await _with_unnamed(session, ids, one_organisation)
    candidates = [k for k, q in by_key.items() if q.people >= threshold and k not in lonely]
    cells = await people_sets(session, ids, candidates)
    parents = None
    if scope.audience != "all" and candidates:
        whole = Scope(**{**asdict_shallow(scope), "audience": "all", "value": None})
        parents = await people_sets(session, included_ids(whole), candidates)
    earlier = await releases.released(session, scope.survey_id, candidates) if release else None
    # A first release of a question needs no origins: rule 2 judged it (``lonely`` above).
    sources = await origins(session, scope.survey_id) if earlier and any(earlier.values()) else None
    verdicts: dict[str, str | None] = {
        key: TOO_FEW if figures.people < threshold else ONE_ORGANISATION
        for key, figures in by_key.items()
        if key not in candidates
    }
    verdicts |= disclosure.decide(
        cells, threshold, parents=parents, released=earlier, origins=sources
    )
    for key, figures in by_key.items():
        figures.reason = verdicts[key]
        figures.alone = figures.reason == ONE_ORGANISATION
        figures.suppressed = figures.reason is not None
        if figures.suppressed:  # counted, never shown
            figures.mean = figures.median = figures.minimum = figures.maximum = None
            figures.distribution, figures.choices = [], {}
    shown = {k: q for k, q in by_key.items() if not q.suppressed}
    if release is not None:
        await releases.record(
            session, scope.survey_id, release, [(k, cells[k]) for k in shown], utcnow()
        )

    def keys(*kinds: str) -> list[str]:
        return [k for k, q in shown.items() if q.kind in kinds]

    if keys("number"):
        await numbers(session, ids, keys("number"), shown)
    if keys("multi"):
        await multi(session, ids, keys("multi"), shown)
    if keys("text") and latest > 0:
        await latest_texts(session, ids, keys("text"), latest, shown)
    return summary


async def people_sets(session: AsyncSession, ids: Any, keys: list[str]) -> dict[str, Cell]:
    """Per question, the answer sheets (and whose) that would be in its figures: what
    disclosure control judges. One row per answer sheet with the keys it answered, joined in
    the database (a row per answer would be many times more rows to carry over)."""
    found: dict[str, dict[int, int]] = {key: {} for key in keys}
    if not keys:
        return {}
    rows = await session.execute(
        select(Response.id, respondent(), func.aggregate_strings(AnswerRow.question_key, ","))
        .join(Response, Response.id == AnswerRow.response_id)
        # Every sheet with a row for the question, "don't know" and skipped too: their
        # counts are shown beside the figures, so they are part of what is released.
        .where(AnswerRow.response_id.in_(ids), AnswerRow.question_key.in_(keys))
        .group_by(Response.id)
    )
    for response, person, answered in rows.all():
        for key in str(answered).split(","):
            found[key][int(response)] = int(person)
    return found


async def _answerers(
    session: AsyncSession, ids: Any, by_key: dict[str, QuestionFigures]
) -> list[str]:
    """Per question, how many distinct people gave an answer (the threshold counts people);
    returns the questions whose answers all come from one organisation."""
    result = await session.execute(
        select(
            AnswerRow.question_key,
            func.count(distinct(respondent())),
            func.count(distinct(Response.organisation_id)),
        )
        .join(Response, Response.id == AnswerRow.response_id)
        .where(*answered_rows(ids, list(by_key)))
        .group_by(AnswerRow.question_key)
    )
    one_organisation = []
    for key, people, organisations in result.all():
        by_key[key].people = int(people)
        if int(organisations) < 2:
            one_organisation.append(key)
    return one_organisation


async def _with_unnamed(session: AsyncSession, ids: Any, keys: list[str]) -> list[str]:
    """Of these questions, those answered by someone who asked to be counted only in totals
    (a second look only where one organisation answered, usually none)."""
    result = await session.scalars(
        select(AnswerRow.question_key)
        .join(Response, Response.id == AnswerRow.response_id)
        .where(*answered_rows(ids, keys), ~attributed())
        .distinct()
    )
    return list(result)
