"""What /share reads and writes: which campaign or J-PAT round a report-back is about, the
figures partners will read (decided by ``storage.disclosure`` and recorded as a release), and
the report-back itself. Each use case opens one transaction."""

from __future__ import annotations

from bot.access import Person
from bot.handlers import pickers
from bot.reports.wording import specs
from bot.services import Services
from storage import disclosure, flows, releases, reportbacks, summaries
from storage.disclosure import Release
from storage.jpat_rules import JPAT_SURVEY, VIEWABLE_STATUSES
from storage.models import Campaign, Contact, JpatRound, Organisation, ReportBack
from storage.scopes import Scope
from storage.summary_figures import Summary, to_json

# A report-back is about a closed campaign or a J-PAT round; the flow names one of them.
Source = Campaign | JpatRound


async def load_source(svc: Services, data: dict) -> Source | None:
    async with svc.db.sessions() as session:
        if "round" in data:
            round_ = await session.get(JpatRound, int(data["round"]))
            return round_ if round_ is not None and round_.status in VIEWABLE_STATUSES else None
        campaign = await session.get(Campaign, int(data.get("campaign", 0)))
        return campaign if campaign is not None and campaign.status == "closed" else None


def flow_data(source: Source) -> dict:
    return {"round": source.id} if isinstance(source, JpatRound) else {"campaign": source.id}


def tag(data: dict) -> str:
    """The report-back's source in its buttons ("j5", "c3"): a button left from a preview of
    another campaign or round is then recognised as stale instead of sending this one."""
    return f"j{data['round']}" if "round" in data else f"c{data.get('campaign')}"


def subject(source: Source) -> str:
    kind = "jpat_round" if isinstance(source, JpatRound) else "campaign"
    return f"{kind}:{source.id}"


def survey_id(source: Source) -> str:
    return JPAT_SURVEY if isinstance(source, JpatRound) else source.survey_id


async def clear(svc: Services, person: Person) -> None:
    async with svc.db.transaction() as session:
        await flows.clear(session, person.user_id)


async def figures(svc: Services, source: Source, person: Person | None = None) -> Summary | None:
    """The aggregate figures partners will read, decided by disclosure control and recorded
    as a release (the preview staff see is the same release: the same answer sheets); for a
    J-PAT round, both sides' answers together."""
    survey = await svc.surveys.for_version(svc.db, source.survey_version_id)
    if survey is None:
        return None
    if isinstance(source, JpatRound):
        scope = Scope(JPAT_SURVEY, jpat_round_id=source.id)
    else:
        scope = Scope(source.survey_id, campaign_id=source.id)
    release = Release(
        kind="reportback",
        window=pickers.window_name(scope.period, scope.campaign_id, scope.jpat_round_id),
        audience="asked",
        contact_id=person.contact.id if person is not None and person.contact else None,
    )
    # A question confidential now stays out even of figures given under an older version.
    current = svc.surveys.get(survey.id)
    hidden = {q.key for q in current[0].questions if q.confidential} if current else set()
    async with releases.releasing(svc.db) as session:
        figures = await summaries.summarise(
            session,
            scope,
            [spec for spec in specs(survey) if spec.key not in hidden],
            threshold=svc.settings.privacy_threshold,
            release=release,
            latest=0,
            for_the_round=isinstance(source, JpatRound),
        )
    answered = [q for q in figures.questions if q.answered]
    if figures.suppressed is None and answered and all(q.suppressed for q in answered):
        # Every answered question held back: partners would get a report with no figures.
        held = {q.reason for q in answered}
        figures.suppressed = (
            disclosure.OVERLAP_ORGANISATION
            if held == {disclosure.OVERLAP_ORGANISATION}
            else disclosure.OVERLAP
        )
    return figures


async def start(svc: Services, person: Person, flow: str) -> tuple[list[Campaign], list]:
    """The closed campaigns and J-PAT rounds to choose from; the wizard starts."""
    async with svc.db.transaction() as session:
        closed = await reportbacks.closed_campaigns(session)
        rounds = await reportbacks.closed_rounds(session)
        await flows.put(session, person.user_id, flow, "campaign", {}, svc.clock.now())
    return closed, rounds


async def count_asked(svc: Services, source: Source) -> int:
    async with svc.db.sessions() as session:
        return await reportbacks.count_asked(session, source)


async def send(
    svc: Services, person: Person, source: Source, figures: Summary, note: str | None
) -> tuple[int, int]:
    """The report-back created (its pushes queued) and the wizard ended: (id, recipients)."""
    async with svc.db.transaction() as session:
        report = await reportbacks.create(
            session,
            source=source,
            figures=to_json(figures),
            note=note,
            note_language=person.lang,
            created_by=person.contact_id,
            now=svc.clock.now(),
        )
        await flows.clear(session, person.user_id)
        return report.id, report.recipients


async def replies(svc: Services) -> list:
    async with svc.db.sessions() as session:
        return await reportbacks.replies(session)


async def comment(
    svc: Services, person: Person, report_id: int, text: str
) -> tuple[ReportBack | None, Contact | None, str | None]:
    """A partner's comment kept and their step ended: the report-back, who sent it, and the
    partner's organisation where they agreed to be named."""
    async with svc.db.transaction() as session:
        await reportbacks.comment(session, report_id, person.contact_id, text, svc.clock.now())
        await flows.clear(session, person.user_id)
        report = await reportbacks.get(session, report_id)
        author = (
            await session.get(Contact, report.created_by) if report and report.created_by else None
        )
        organisation = None
        if person.contact is not None and person.contact.attribution == "attributed":
            org = (
                await session.get(Organisation, person.contact.organisation_id)
                if person.contact.organisation_id
                else None
            )
            organisation = org.name if org else None
    return report, author, organisation
