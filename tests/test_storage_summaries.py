"""Summary figures computed in SQL, checked by hand, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage import summaries, summary_figures, summary_queries, trends
from storage.db import Database
from storage.models import Response
from storage.scopes import Period, Scope
from storage.summary_figures import QuestionSpec
from tests.summary_data import Person, organisation, seed

Q1 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
Q2 = datetime(2026, 4, 10, 9, 0, tzinfo=UTC)
FIRST_QUARTER = Period(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
SECOND_QUARTER = Period(datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC))
SPECS = [
    QuestionSpec("satisfaction", "scale"),
    QuestionSpec("people", "number"),
    QuestionSpec("consulted", "choice"),
    QuestionSpec("topics", "multi"),
    QuestionSpec("improve", "text"),
    QuestionSpec("rare", "scale"),
]
PEOPLE = [
    Person(
        "Hope",
        {
            "satisfaction": 5,
            "people": 10,
            "consulted": "code:often",
            "topics": ["a", "b"],
            "improve": "Pay on time",
            "rare": 1,
        },
    ),
    Person(
        "Hope",
        {
            "satisfaction": 4,
            "people": 20,
            "consulted": "code:often",
            "topics": ["a"],
            "improve": "More visits",
            "rare": 2,
        },
        attributed=False,
    ),
    Person(
        "Amal",
        {
            "satisfaction": 4,
            "people": 30,
            "consulted": "code:always",
            "topics": ["b", "c"],
            "improve": ("voice", 12),
            "rare": ("skipped",),
        },
    ),
    Person(
        "Amal",
        {
            "satisfaction": 2,
            "people": 40,
            "consulted": "code:never",
            "topics": ["a"],
            "improve": "Shorter forms",
        },
        status="partial",
    ),
    Person("Tumaini", {"satisfaction": ("dont_know",), "people": ("skipped",)}),
    Person("Tumaini", {}, status="invited"),
    Person("Tumaini", {}, status="expired"),
]


async def seeded(db: Database) -> dict[str, int]:
    orgs: dict[str, int] = {}
    async with db.transaction() as session:
        await seed(session, "pulse", PEOPLE, invited_at=Q1, orgs=orgs)
        # Outside the first quarter: must not count there.
        await seed(
            session,
            "pulse",
            [Person("Hope", {"satisfaction": 1}), Person("Amal", {"satisfaction": 1})],
            invited_at=Q2,
            orgs=orgs,
        )
    return orgs


async def test_hand_checked_figures_for_everyone(db: Database) -> None:
    await seeded(db)
    async with db.sessions() as session:
        summary = await summaries.summarise(
            session, Scope("pulse", FIRST_QUARTER), SPECS, threshold=3, release=None
        )
    assert (summary.recipients, summary.started, summary.completed) == (7, 5, 4)
    assert summary.response_rate == pytest.approx(4 / 7)
    assert (summary.respondents, summary.organisations, summary.left_out) == (5, 3, 0)
    assert summary.suppressed is None

    satisfaction = summary.question("satisfaction")
    assert satisfaction is not None and not satisfaction.suppressed
    assert (satisfaction.answered, satisfaction.dont_know) == (4, 1)
    assert satisfaction.mean == pytest.approx(15 / 4)  # don't know is not a score
    assert satisfaction.median == 4
    assert [(b.low, b.count) for b in satisfaction.distribution] == [(2, 1), (4, 2), (5, 1)]

    people = summary.question("people")
    assert people is not None
    assert (people.answered, people.skipped) == (4, 1)
    assert (people.mean, people.median) == (25, 25)
    assert (people.minimum, people.maximum) == (10, 40)
    assert [(b.low, b.high, b.count) for b in people.distribution] == [
        (10, 20, 1),
        (20, 30, 1),
        (30, 40, 1),
        (40, 50, 1),
    ]

    consulted = summary.question("consulted")
    assert consulted is not None
    assert consulted.choices == {"often": 2, "always": 1, "never": 1}
    assert consulted.share("often") == 0.5

    topics = summary.question("topics")
    assert topics is not None
    assert topics.choices == {"a": 3, "b": 2, "c": 1}
    assert topics.share("a") == 0.75

    improve = summary.question("improve")
    assert improve is not None
    assert (improve.answered, improve.voice) == (4, 1)
    assert set(improve.latest) == {"Pay on time", "More visits", "Shorter forms"}

    rare = summary.question("rare")  # answered by two people: counted, never shown
    assert rare is not None
    assert rare.answered == 2 and rare.suppressed
    assert rare.mean is None and rare.distribution == []


async def test_an_organisation_counts_only_partners_who_may_be_named(db: Database) -> None:
    orgs = await seeded(db)
    async with db.sessions() as session:
        hope = await summaries.summarise(
            session,
            Scope("pulse", FIRST_QUARTER, "organisation", str(orgs["Hope"])),
            SPECS,
            threshold=1,
            release=None,
        )
    # Every count of a breakdown covers only partners who may be named: a count that included
    # the other would tell that Hope has a partner who asked for totals only.
    assert (hope.recipients, hope.started, hope.respondents, hope.left_out) == (1, 1, 1, 0)
    satisfaction = hope.question("satisfaction")
    assert satisfaction is not None and satisfaction.mean == 5  # the unnamed 4 is left out
    assert hope.question("improve").latest == ["Pay on time"]  # type: ignore[union-attr]


async def test_small_groups_are_suppressed(db: Database) -> None:
    orgs = await seeded(db)
    async with db.sessions() as session:
        amal = await summaries.summarise(
            session,
            Scope("pulse", FIRST_QUARTER, "organisation", str(orgs["Amal"])),
            SPECS,
            threshold=3,
            release=None,
        )
    assert amal.suppressed == summaries.TOO_FEW
    assert amal.respondents == 2
    assert all(q.answered == 0 and q.mean is None for q in amal.questions)


async def test_a_total_of_one_organisation_hides_unnamed_answers(db: Database) -> None:
    async with db.transaction() as session:
        await seed(
            session,
            "pulse",
            [
                Person("Solo", {"satisfaction": 3}),
                Person("Solo", {"satisfaction": 4}),
                Person("Solo", {"satisfaction": 5}, attributed=False),
            ],
            invited_at=Q1,
        )
    async with db.sessions() as session:
        summary = await summaries.summarise(
            session, Scope("pulse", FIRST_QUARTER), SPECS, threshold=3, release=None
        )
    assert summary.suppressed == summaries.ONE_ORGANISATION


async def test_the_threshold_counts_people_not_answer_sheets(db: Database) -> None:
    """One partner answering three campaigns in a period is one person, not three."""
    async with db.transaction() as session:
        ids = await seed(
            session,
            "pulse",
            [Person("Solo", {"satisfaction": s, "improve": f"Note {s}"}) for s in (2, 3, 4)],
            invited_at=Q1,
        )
        first = await session.get(Response, ids[0])
        for response_id in ids[1:]:
            (await session.get(Response, response_id)).contact_id = first.contact_id
    async with db.sessions() as session:
        alone = await summaries.summarise(
            session, Scope("pulse", FIRST_QUARTER), SPECS, threshold=3, release=None
        )
        [point] = await trends.trend(
            session,
            Scope("pulse", FIRST_QUARTER),
            [FIRST_QUARTER],
            ["satisfaction"],
            threshold=3,
            release=None,
        )
    assert (alone.respondents, alone.people, alone.suppressed) == (3, 1, summaries.TOO_FEW)
    assert point.suppressed == summaries.TOO_FEW and point.means == {}

    async with db.transaction() as session:  # two more people, who rate but write nothing
        await seed(
            session,
            "pulse",
            [Person("Amal", {"satisfaction": 5}), Person("Amal", {"satisfaction": 5})],
            invited_at=Q1,
        )
    async with db.sessions() as session:
        summary = await summaries.summarise(
            session, Scope("pulse", FIRST_QUARTER), SPECS, threshold=3, release=None
        )
        [point] = await trends.trend(
            session,
            Scope("pulse", FIRST_QUARTER),
            [FIRST_QUARTER],
            ["satisfaction"],
            threshold=3,
            release=None,
        )
    assert (summary.people, summary.suppressed) == (3, None)
    rated = summary.question("satisfaction")
    written = summary.question("improve")
    assert rated is not None and (rated.answered, rated.people, rated.mean) == (5, 3, 3.8)
    assert written is not None and (written.answered, written.people) == (3, 1)
    assert written.suppressed and written.latest == []  # one person's words: never quoted
    assert point.suppressed is None and point.means == {"satisfaction": 3.8}


async def test_a_question_only_one_organisation_answered_keeps_its_unnamed_partners_hidden(
    db: Database,
) -> None:
    """Two organisations in the total, but a follow-up only one of them reached: its answers
    would all be that organisation's, including a partner who asked for totals only."""
    hope = [
        Person("Hope", {"satisfaction": 2, "improve": "Pay on time"}),
        Person("Hope", {"satisfaction": 2, "improve": "More visits"}),
        Person("Hope", {"satisfaction": 1, "improve": "Listen to us"}, attributed=False),
    ]
    async with db.transaction() as session:
        await seed(session, "pulse", [*hope, Person("Amal", {"satisfaction": 5})], invited_at=Q1)
    async with db.sessions() as session:
        summary = await summaries.summarise(
            session, Scope("pulse", FIRST_QUARTER), SPECS, threshold=3, release=None
        )
    assert (summary.people, summary.organisations, summary.suppressed) == (4, 2, None)
    rated, written = summary.question("satisfaction"), summary.question("improve")
    assert rated is not None and not rated.suppressed and rated.mean == 2.5
    assert written is not None and written.alone and written.suppressed
    assert written.people == 3 and written.latest == []


async def test_a_tag_groups_organisations(db: Database) -> None:
    async with db.transaction() as session:
        orgs = {
            "A": await organisation(session, "A", Q1, ["women"]),
            "B": await organisation(session, "B", Q1, ["women"]),
            "C": await organisation(session, "C", Q1, ["youth"]),
        }
        await seed(
            session,
            "pulse",
            [
                Person("A", {"satisfaction": 2}),
                Person("A", {"satisfaction": 4}),
                Person("B", {"satisfaction": 3}),
                Person("B", {"satisfaction": 5}, attributed=False),
                Person("C", {"satisfaction": 1}),
            ],
            invited_at=Q1,
            orgs=orgs,
        )
    scope = Scope("pulse", FIRST_QUARTER, "tag", "women")
    async with db.sessions() as session:
        women = await summaries.summarise(session, scope, SPECS, threshold=3, release=None)
    # Outside the tag only two people answered (B's unnamed partner and C): "all partners"
    # minus "women" would be their answers, so the breakdown is hidden (complementary
    # suppression), though the tag itself has three named people.
    assert (women.recipients, women.respondents, women.left_out) == (3, 3, 0)
    assert women.question("satisfaction").reason == summaries.COMPLEMENT  # type: ignore[union-attr]
    assert women.question("satisfaction").mean is None  # type: ignore[union-attr]
    async with db.transaction() as session:
        await seed(
            session,
            "pulse",
            [Person("C", {"satisfaction": 1}), Person("C", {"satisfaction": 2})],
            invited_at=Q1,
            orgs=orgs,
        )
    async with db.sessions() as session:
        women = await summaries.summarise(session, scope, SPECS, threshold=3, release=None)
    assert women.question("satisfaction").mean == 3  # type: ignore[union-attr]


async def test_trend_by_quarter(db: Database) -> None:
    async with db.transaction() as session:
        orgs: dict[str, int] = {}
        await seed(
            session,
            "pulse",
            [Person(f"O{i}", {"satisfaction": s}) for i, s in enumerate([2, 3, 4])],
            invited_at=Q1,
            orgs=orgs,
        )
        await seed(
            session,
            "pulse",
            [
                Person("O0", {"satisfaction": 5}),
                Person("O1", {"satisfaction": 4}),
                Person("O2", {}, status="invited"),
            ],
            invited_at=Q2,
            orgs=orgs,
        )
    async with db.sessions() as session:
        points = await trends.trend(
            session,
            Scope("pulse"),
            [FIRST_QUARTER, SECOND_QUARTER],
            ["satisfaction"],
            threshold=2,
            release=None,
        )
        strict = await trends.trend(
            session,
            Scope("pulse"),
            [FIRST_QUARTER, SECOND_QUARTER],
            ["satisfaction"],
            threshold=3,
            release=None,
        )
    first, second = points
    assert (first.recipients, first.completed, first.respondents) == (3, 3, 3)
    assert first.means == {"satisfaction": 3}
    assert (second.recipients, second.completed, second.respondents) == (3, 2, 2)
    assert second.means == {"satisfaction": 4.5}
    assert strict[0].means == {"satisfaction": 3}
    assert strict[1].suppressed == summaries.TOO_FEW and strict[1].means == {}


async def test_a_summary_survives_its_json_copy(db: Database) -> None:
    await seeded(db)
    async with db.sessions() as session:
        summary = await summaries.summarise(
            session, Scope("pulse", FIRST_QUARTER), SPECS, threshold=3, release=None
        )
    assert summary_figures.from_json(summary_figures.to_json(summary)) == summary


def test_median_and_bins() -> None:
    assert summary_queries.median_of_counts([(1, 1), (2, 1), (3, 1), (4, 1)]) == 2.5
    assert summary_queries.median_of_counts([(1, 3), (5, 1)]) == 1
    assert summary_queries.median_of_counts([]) is None
    assert summary_queries.bin_edges(0, 1000) == [0, 200, 400, 600, 800, 1000, 1200]
    assert summary_queries.bin_edges(3, 3) == [3, 3]
