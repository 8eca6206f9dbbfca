"""The release record on SQLite and PostgreSQL: what was released is read back as it was, each
set stored once, and a summary decided against it holds back what would single someone out."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from storage import disclosure, releases, summaries, surveys
from storage.db import Database
from storage.disclosure import Release
from storage.models import Contact, DisclosureCell, DisclosureRelease, JpatRound, Partnership
from storage.scopes import Period, Scope
from storage.statuses import JpatRoundStatus
from storage.summary_figures import QuestionFigures, QuestionSpec
from tests.summary_data import Person, organisation, seed, version_id

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
QUARTER = Period(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
SPECS = [QuestionSpec("satisfaction", "scale")]


async def test_cells_are_read_back_as_released_and_stored_once(db: Database) -> None:
    cell = {11: 1, 12: 2, 13: 3}
    release = Release("summary", "2026-01-01/2026-04-01", "all", None)
    async with releases.releasing(db) as session:
        await releases.record(session, "pulse", release, [("q", cell), ("r", cell)], NOW)
    async with releases.releasing(db) as session:
        await releases.record(session, "pulse", release, [("q", dict(cell))], NOW)
    async with db.sessions() as session:
        found = await releases.released(session, "pulse", ["q", "r", "s"])
        stored = await session.scalar(select(func.count(DisclosureCell.id)))
        made = await session.scalar(select(func.count(DisclosureRelease.id)))
    assert found == {"q": [cell], "r": [cell], "s": []}
    assert (stored, made) == (2, 2)  # the same set again is not stored twice


async def test_a_summary_one_person_later_is_held_back(db: Database) -> None:
    orgs: dict[str, int] = {}
    async with db.transaction() as session:
        await seed(
            session,
            "pulse",
            [Person(f"O{i}", {"satisfaction": 4}) for i in range(3)],
            invited_at=NOW,
            orgs=orgs,
        )
    scope = Scope("pulse", QUARTER)
    release = Release("summary", "q1", "all", None)
    async with releases.releasing(db) as session:
        first = await summaries.summarise(session, scope, SPECS, threshold=3, release=release)
    assert first.question("satisfaction").mean == 4  # type: ignore[union-attr]
    async with db.transaction() as session:
        await seed(session, "pulse", [Person("O9", {"satisfaction": 1})], invited_at=NOW, orgs=orgs)
    async with releases.releasing(db) as session:
        second = await summaries.summarise(session, scope, SPECS, threshold=3, release=release)
    held = second.question("satisfaction")
    assert held is not None and held.reason == disclosure.OVERLAP and held.mean is None
    # Asked again without anything new: the first figures' set is still the only one recorded.
    async with db.sessions() as session:
        recorded = await releases.released(session, "pulse", ["satisfaction"])
    assert [disclosure.people(c) for c in recorded["satisfaction"]] == [3]


async def test_a_newcomer_who_only_said_dont_know_is_not_revealed(db: Database) -> None:
    """The "don't know" and skipped counts are shown beside the figures: a sheet with only
    those is part of the cell, so its arrival changes the cell and is held back too."""
    orgs: dict[str, int] = {}
    async with db.transaction() as session:
        await seed(
            session,
            "pulse",
            [Person(f"O{i}", {"satisfaction": 4}) for i in range(3)],
            invited_at=NOW,
            orgs=orgs,
        )
    scope = Scope("pulse", QUARTER)
    release = Release("summary", "q1", "all", None)
    async with releases.releasing(db) as session:
        first = await summaries.summarise(session, scope, SPECS, threshold=3, release=release)
    assert first.question("satisfaction").dont_know == 0  # type: ignore[union-attr]
    async with db.transaction() as session:
        await seed(
            session,
            "pulse",
            [Person("O9", {"satisfaction": ("dont_know",)})],
            invited_at=NOW,
            orgs=orgs,
        )
    async with releases.releasing(db) as session:
        second = await summaries.summarise(session, scope, SPECS, threshold=3, release=release)
    held = second.question("satisfaction")
    assert held is not None and held.reason == disclosure.OVERLAP


async def _three_organisations(db: Database) -> None:
    """A: three named partners and one who asked for totals only; B and C, tagged "east":
    three named partners each."""
    async with db.transaction() as session:
        orgs = {
            "A": await organisation(session, "A", NOW),
            "B": await organisation(session, "B", NOW, ["east"]),
            "C": await organisation(session, "C", NOW, ["east"]),
        }
        people = [Person("A", {"satisfaction": 1}) for _ in range(3)]
        people.append(Person("A", {"satisfaction": 1}, attributed=False))
        people += [Person(org, {"satisfaction": 5}) for org in ("B", "C") for _ in range(3)]
        await seed(session, "pulse", people, invited_at=NOW, orgs=orgs)


async def _satisfaction(db: Database, scope: Scope, audience: str) -> QuestionFigures:
    release = Release("summary", "q1", audience, None)
    async with releases.releasing(db) as session:
        summary = await summaries.summarise(session, scope, SPECS, threshold=3, release=release)
    figures = summary.question("satisfaction")
    assert figures is not None
    return figures


async def test_all_partners_then_a_tag_of_every_other_organisation_is_held_back(
    db: Database,
) -> None:
    """All partners minus the "east" breakdown would be organisation A's figures, with the
    answer of A's partner who asked to be counted only in totals among them."""
    await _three_organisations(db)
    everyone = await _satisfaction(db, Scope("pulse", QUARTER), "all")
    assert everyone.mean is not None and everyone.people == 10
    east = await _satisfaction(db, Scope("pulse", QUARTER, "tag", "east"), "tag:east")
    assert east.reason == disclosure.OVERLAP_ORGANISATION
    assert east.suppressed and east.mean is None and east.distribution == []
    async with db.sessions() as session:
        recorded = await releases.released(session, "pulse", ["satisfaction"])
    assert [disclosure.people(c) for c in recorded["satisfaction"]] == [10]


async def test_a_tag_of_every_other_organisation_then_all_partners_is_held_back(
    db: Database,
) -> None:
    await _three_organisations(db)
    east = await _satisfaction(db, Scope("pulse", QUARTER, "tag", "east"), "tag:east")
    assert east.mean == 5 and east.people == 6
    everyone = await _satisfaction(db, Scope("pulse", QUARTER), "all")
    assert everyone.reason == disclosure.OVERLAP_ORGANISATION and everyone.mean is None


async def test_all_partners_then_a_tag_is_shown_when_the_rest_spans_two_organisations(
    db: Database,
) -> None:
    """The same, with one more organisation outside "east": the rest is two organisations."""
    await _three_organisations(db)
    async with db.transaction() as session:
        await seed(session, "pulse", [Person("D", {"satisfaction": 3})], invited_at=NOW)
    everyone = await _satisfaction(db, Scope("pulse", QUARTER), "all")
    assert everyone.mean is not None and everyone.people == 11
    east = await _satisfaction(db, Scope("pulse", QUARTER, "tag", "east"), "tag:east")
    assert east.reason is None and east.mean == 5


async def test_staff_see_a_j_pat_side_after_the_round_was_reported_back(db: Database) -> None:
    """The round's report-back to both sides records the whole round; the NGO's side then
    leaves the partner side, one organisation with a member counted only in totals. The J-PAT
    is exempt from the organisation check: /jpat view shows both parties that side anyway."""
    async with db.transaction() as session:
        version = await version_id(session, "jpat", NOW)
        partner_org = await organisation(session, "Hope RLO", NOW)
        partnership = Partnership(organisation_id=partner_org)
        session.add(partnership)
        await session.flush()
        jpat_round = JpatRound(
            partnership_id=partnership.id,
            number=1,
            status=JpatRoundStatus.CLOSED,
            survey_version_id=version,
            opened_at=NOW,
            deadline=NOW,
        )
        session.add(jpat_round)
        await session.flush()
        for n in range(6):
            side = "partner" if n < 3 else "ngo"
            contact = Contact(
                organisation_id=partner_org if side == "partner" else None,
                role="partner" if side == "partner" else "staff",
                status="active",
                attribution="aggregate" if n == 0 else "attributed",
            )
            session.add(contact)
            await session.flush()
            response = await surveys.create_response(
                session,
                survey_id="jpat",
                survey_version_id=version,
                contact_id=contact.id,
                organisation_id=contact.organisation_id,
                language="en",
                now=NOW,
                status="completed",
            )
            response.side, response.jpat_round_id = side, jpat_round.id
            await surveys.save_answer(
                session,
                response_id=response.id,
                key="e1a",
                now=NOW,
                language="en",
                raw_text=None,
                status="answered",
                value_num=float(n % 4 + 1),
                value_text=None,
                choice_codes=None,
                voice_file_id=None,
                voice_duration=None,
            )
    specs = [QuestionSpec("e1a", "scale")]
    back = Release("reportback", f"round:{jpat_round.id}", "asked", None)
    staff = Release("summary", "all", "side:ngo", None)
    async with releases.releasing(db) as session:
        whole = await summaries.summarise(
            session,
            Scope("jpat", jpat_round_id=jpat_round.id),
            specs,
            threshold=3,
            release=back,
            for_the_round=True,
        )
    assert whole.question("e1a").people == 6 and not whole.question("e1a").suppressed  # type: ignore[union-attr]
    async with releases.releasing(db) as session:
        ngo = await summaries.summarise(
            session, Scope("jpat", side="ngo"), specs, threshold=3, release=staff
        )
    figures = ngo.question("e1a")
    assert figures is not None and figures.people == 3
    assert figures.reason is None and figures.mean is not None
