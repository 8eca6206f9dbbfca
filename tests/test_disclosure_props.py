"""Disclosure control holds against differencing, whatever staff ask and in whatever order.

Two levels, the same invariant: any two cells (one question's answers in one release) that
were ever shown for the same survey and question hold the same answer sheets, or differ by
sheets from at least k people; no shown cell has fewer than k people; no breakdown shows a
partner who asked to be counted only in totals.

* A model of the data and of every window and audience staff can pick, run through
  ``storage.disclosure`` thousands of times (fast, pure).
* The real thing: generated partners answer over quarters in a SQLite database, and
  generated sequences of /summary, breakdown, trend and export requests go through
  ``storage.summaries`` with the release record, between arrivals of new answers; the cells
  shown are recomputed independently from the generated data and checked pairwise.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import disclosure, releases, summaries, trends
from storage.db import Database
from storage.disclosure import Cell, Origins, Release
from storage.models import Contact
from storage.scopes import Period, Scope
from storage.summary_figures import QuestionSpec
from tests.summary_data import organisation, version_id

K = 3
QUESTIONS = ("q1", "q2")
TAGS = {0: ("east",), 1: ("east", "women"), 2: ("women",), 3: ()}
START = datetime(2026, 1, 1, tzinfo=UTC)
QUARTERS = [
    Period(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)),
    Period(datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)),
    Period(datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC)),
]


@dataclass(frozen=True)
class Sheet:
    """One finished answer sheet of the generated data."""

    rid: int
    person: int
    org: int
    attributed: bool
    quarter: int
    campaign: int
    answered: frozenset[str]
    arrives: int  # the request step from which it is finished


def people_st() -> st.SearchStrategy[list[tuple[int, bool]]]:
    """Per person: organisation and whether they agreed to be named."""
    return st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from([True, True, False])), min_size=3, max_size=14
    )


@st.composite
def data_st(draw: st.DrawFn) -> list[Sheet]:
    people = draw(people_st())
    sheets = []
    count = draw(st.integers(6, 36))
    for rid in range(1, count + 1):
        person = draw(st.integers(0, len(people) - 1))
        org, attributed = people[person]
        answered = frozenset(
            q for q in QUESTIONS if draw(st.booleans()) or (q == "q1" and draw(st.booleans()))
        )
        sheets.append(
            Sheet(
                rid=rid,
                person=person + 1,
                org=org,
                attributed=attributed,
                quarter=draw(st.integers(0, 2)),
                campaign=draw(st.integers(1, 3)),
                answered=answered,
                arrives=draw(st.sampled_from([0, 0, 0, 1, 2, 3, 4, 5])),
            )
        )
    return sheets


WINDOWS = ("q0", "q1", "q2", "all", "year", "c1", "c2", "c3")
AUDIENCES = ("all", "org0", "org1", "org2", "org3", "tag:east", "tag:women")
request_st = st.tuples(st.sampled_from(WINDOWS), st.sampled_from(AUDIENCES))


def in_window(sheet: Sheet, window: str) -> bool:
    if window == "all":
        return True
    if window == "year":
        return sheet.quarter in (0, 1)
    if window.startswith("c"):
        return sheet.campaign == int(window[1:])
    return sheet.quarter == int(window[1:])


def in_audience(sheet: Sheet, audience: str) -> bool:
    if audience == "all":
        return True
    if not sheet.attributed:  # totals only: never in a breakdown
        return False
    if audience.startswith("org"):
        return sheet.org == int(audience[3:])
    return audience.removeprefix("tag:") in TAGS[sheet.org]


def model_cells(
    sheets: list[Sheet], step: int, window: str, audience: str
) -> tuple[dict[str, Cell], dict[str, Cell]]:
    """What a request would show, and its parent (everyone in the window)."""
    cells: dict[str, dict[int, int]] = {q: {} for q in QUESTIONS}
    parents: dict[str, dict[int, int]] = {q: {} for q in QUESTIONS}
    for sheet in sheets:
        if sheet.arrives > step or not in_window(sheet, window):
            continue
        for q in sheet.answered:
            parents[q][sheet.rid] = sheet.person
            if in_audience(sheet, audience):
                cells[q][sheet.rid] = sheet.person
    return cells, parents


def check_invariant(shown: dict[str, list[Cell]], origins: Origins) -> None:
    """Pairwise: any two shown cells of a question hold the same sheets or differ by at least
    k people. Beyond pairs: every atom of all shown cells (sheets no combination of releases
    can tell apart) holds at least k people, and an atom with a totals-only partner's sheet
    holds answers from at least two organisations (else "all" minus the rest would be one
    organisation's figures, that partner's among them)."""
    for question, cells in shown.items():
        for cell in cells:
            assert disclosure.people(cell) >= K, (question, cell)
        for first, second in itertools.combinations(cells, 2):
            difference = disclosure.difference(first, second)
            assert first.keys() == second.keys() or difference >= K, (question, first, second)
        for where, people in disclosure.atoms(cells).items():
            assert len(people) >= K, (question, bin(where), people)
        for where, inside in disclosure.atom_sheets(cells)[0].items():
            if inside & origins.unnamed:
                organisations = {origins.organisation.get(r) for r in inside} - {None}
                assert len(organisations) >= 2, (question, bin(where), inside)


def model_origins(sheets: list[Sheet], ids: Mapping[int, int] | None = None) -> Origins:
    """Each sheet's organisation and the totals-only partners' sheets, keyed by the model's
    sheet numbers or, given ``ids``, by the database's response ids."""
    key = (lambda rid: rid) if ids is None else ids.__getitem__
    present = [s for s in sheets if ids is None or s.rid in ids]
    return Origins(
        {key(s.rid): s.org for s in present},
        frozenset(key(s.rid) for s in present if not s.attributed),
    )


def one_organisation_hidden(sheets: list[Sheet], cell: Cell) -> bool:
    """The one-organisation rule a breakdown-free total still needs: a cell with a totals-only
    partner must hold at least two organisations."""
    rows = [s for s in sheets if s.rid in cell]
    return any(not s.attributed for s in rows) and len({s.org for s in rows}) < 2


@settings(max_examples=3000, deadline=None)
@given(data_st(), st.lists(request_st, min_size=1, max_size=12))
def test_no_two_releases_differ_by_fewer_than_k_people_in_the_model(
    sheets: list[Sheet], requests: list[tuple[str, str]]
) -> None:
    record: dict[str, list[Cell]] = {q: [] for q in QUESTIONS}
    origins = model_origins(sheets)
    for step, (window, audience) in enumerate(requests):
        cells, parents = model_cells(sheets, step, window, audience)
        lonely = [q for q in QUESTIONS if one_organisation_hidden(sheets, cells[q])]
        verdicts = disclosure.decide(
            cells,
            K,
            alone=lonely,
            parents=parents if audience != "all" else None,
            released=record,
            origins=origins,
        )
        for q, verdict in verdicts.items():
            if verdict is None:
                record[q].append(cells[q])
                assert not (
                    audience != "all" and any(not s.attributed for s in sheets if s.rid in cells[q])
                )
    check_invariant(record, origins)


def test_the_two_attacks_of_the_issue_fail_in_the_model() -> None:
    """Feb 1–28 against Feb 11–28 (one person apart), and all partners against a tag that
    leaves out one totals-only partner."""
    early = {1: 1, 2: 2, 3: 3}
    late = {**early, 4: 4}
    assert disclosure.decide({"q": late}, K, released={"q": [early]}) == {"q": disclosure.OVERLAP}
    everyone = {1: 1, 2: 2, 3: 3, 4: 4}
    named = {1: 1, 2: 2, 3: 3}
    assert disclosure.cell_verdict(named, K, parent=everyone) == disclosure.COMPLEMENT
    assert disclosure.cell_verdict(named, K, parent=everyone, released=[]) is not None
    # The same person's next answer sheet in place of the last one: one person apart.
    swapped = {1: 1, 2: 2, 5: 3}
    assert not disclosure.differs_safely(named, swapped, K)
    # A later quarter with the same people is a different set of answers by three people.
    next_quarter = {6: 1, 7: 2, 8: 3}
    assert disclosure.differs_safely(named, next_quarter, K)
    # All partners, then organisation A, then organisation B: each pair differs by at least
    # three people, but all minus A minus B is the one partner who asked for totals only.
    a, b = {1: 1, 2: 2, 3: 3}, {4: 4, 5: 5, 6: 6}
    everyone = {**a, **b, 7: 7}
    assert disclosure.cell_verdict(a, K, released=[everyone]) is None
    assert disclosure.cell_verdict(b, K, released=[everyone, a]) == disclosure.OVERLAP


def test_all_minus_a_tag_of_every_other_organisation_fails_in_the_model() -> None:
    """Organisation 1: sheets 1-4, sheet 4 a partner counted only in totals; organisations 2
    and 3 (the tag): sheets 5-10. All minus the tag would be organisation 1 alone."""
    origins = Origins(
        {r: 1 if r <= 4 else 2 if r <= 7 else 3 for r in range(1, 12)}, frozenset({4})
    )
    everyone = {r: r for r in range(1, 11)}
    tag = {r: r for r in range(5, 11)}
    assert disclosure.cell_verdict(tag, K, released=[everyone], origins=origins) == (
        disclosure.OVERLAP_ORGANISATION
    )
    assert disclosure.cell_verdict(everyone, K, released=[tag], origins=origins) == (
        disclosure.OVERLAP_ORGANISATION
    )
    assert disclosure.cell_verdict(tag, K, released=[everyone]) is None  # people alone: fine
    # One more organisation outside the tag (sheet 11): the rest spans two organisations.
    everyone_and_one = {**everyone, 11: 11}
    assert disclosure.cell_verdict(tag, K, released=[everyone_and_one], origins=origins) is None
    # Released before the check existed, the pair holds nothing else back: only atoms a new
    # cell makes are judged (here organisation 2 alone, which has no totals-only partner).
    organisation_two = {5: 5, 6: 6, 7: 7}
    assert (
        disclosure.cell_verdict(organisation_two, K, released=[everyone, tag], origins=origins)
        is None
    )


def test_a_partner_who_chose_totals_only_later_is_not_isolated_by_the_next_release() -> None:
    """Q1 of all partners (sheets 1-7) and a year of the tag (5-10) were released while sheet
    4's partner was named; then they chose totals only. Organisation 2 in Q1 (5-7) would make
    Q1 less it organisation 1's figures: held back. The atom 1-4 was never given by the two
    releases (neither holds the other), so it is not an atom already out."""
    origins = Origins(
        {r: 1 if r <= 4 else 2 if r <= 7 else 3 for r in range(1, 11)}, frozenset({4})
    )
    quarter = {r: r for r in range(1, 8)}
    tag_year = {r: r for r in range(5, 11)}
    organisation_two = {5: 5, 6: 6, 7: 7}
    assert disclosure.cell_verdict(
        organisation_two, K, released=[quarter, tag_year], origins=origins
    ) == (disclosure.OVERLAP_ORGANISATION)


# ---------------------------------------------------------------------------- the real thing


async def _seed(db: Database, sheets: list[Sheet], step: int, contacts: dict[int, int]) -> None:
    """Write the sheets that arrive at ``step`` as finished responses with their answers."""
    from storage import surveys

    async with db.transaction() as session:
        version = await version_id(session, "pulse", START)
        orgs = {}
        for org in range(4):
            orgs[org] = contacts.get(-(org + 1)) or await organisation(
                session, f"org{org}", START, list(TAGS[org])
            )
            contacts[-(org + 1)] = orgs[org]
        for sheet in sheets:
            if sheet.arrives != step:
                continue
            if sheet.person not in contacts:
                contact = Contact(
                    organisation_id=orgs[sheet.org],
                    role="partner",
                    status="active",
                    consent_at=START,
                    attribution="attributed" if sheet.attributed else "aggregate",
                )
                session.add(contact)
                await session.flush()
                contacts[sheet.person] = contact.id
            invited = QUARTERS[sheet.quarter].start + timedelta(days=3, minutes=sheet.rid)
            response = await surveys.create_response(
                session,
                survey_id="pulse",
                survey_version_id=version,
                contact_id=contacts[sheet.person],
                organisation_id=orgs[sheet.org],
                language="en",
                now=invited,
                status="completed",
            )
            response.completed_at = invited
            for q in sheet.answered:
                await surveys.save_answer(
                    session,
                    response_id=response.id,
                    key=q,
                    now=invited,
                    language="en",
                    raw_text=None,
                    status="answered",
                    value_num=float(sheet.rid % 5 + 1),
                    value_text=None,
                    choice_codes=None,
                    voice_file_id=None,
                    voice_duration=None,
                )
            IDS.responses[sheet.rid] = response.id
            IDS.people[sheet.person] = contacts[sheet.person]


@dataclass
class Ids:
    """Model numbers to database ids, for the run in progress."""

    responses: dict[int, int]
    people: dict[int, int]


IDS = Ids({}, {})

DB_WINDOWS = ("q0", "q1", "all", "all", "year", "trend")
DB_AUDIENCES = ("all", "all", "all", "org0", "org1", "tag:east", "tag:women")


def _scope(window: str, audience: str) -> Scope:
    period = {
        "all": Period(),
        "year": Period(QUARTERS[0].start, QUARTERS[1].end),
    }.get(window) or (QUARTERS[int(window[1:])] if window.startswith("q") else Period())
    if audience == "all":
        return Scope("pulse", period)
    if audience.startswith("org"):
        return Scope("pulse", period, "organisation", None)  # value filled by the caller
    return Scope("pulse", period, "tag", audience.removeprefix("tag:"))


async def _run(sheets: list[Sheet], requests: list[tuple[str, str]], migrated: Path) -> None:
    """One example on a fresh database: a copy of ``migrated``, the schema at head made once
    per run (``tests/conftest.py``), rather than migrating again for each example."""
    specs = [QuestionSpec(q, "scale") for q in QUESTIONS]
    with TemporaryDirectory() as folder:
        path = Path(folder) / "p.sqlite3"
        shutil.copyfile(migrated, path)
        db = Database.connect(f"sqlite+aiosqlite:///{path}")
        contacts: dict[int, int] = {}
        IDS.responses.clear()
        IDS.people.clear()
        shown: dict[str, list[Cell]] = {q: [] for q in QUESTIONS}
        try:
            for step, (window, audience) in enumerate(requests):
                await _seed(db, sheets, step, contacts)
                scope = _scope(window, audience)
                if audience.startswith("org"):
                    scope = Scope(
                        "pulse",
                        scope.period,
                        "organisation",
                        str(contacts[-(int(audience[3:]) + 1)]),
                    )
                release = Release("summary", window, audience)
                model_window = window if window != "trend" else None
                async with releases.releasing(db) as session:
                    if window == "trend":
                        points = await trends.trend(
                            session, scope, QUARTERS, list(QUESTIONS), threshold=K, release=release
                        )
                        for index, point in enumerate(points):
                            for q in point.means:
                                cells, _p = model_cells(sheets, step, f"q{index}", audience)
                                shown[q].append(_as_db(cells[q]))
                        continue
                    summary = await summaries.summarise(
                        session, scope, specs, threshold=K, release=release
                    )
                assert model_window is not None
                cells, _parents = model_cells(sheets, step, model_window, audience)
                for figures in summary.questions:
                    if not figures.suppressed:
                        assert figures.people == disclosure.people(cells[figures.key])
                        shown[figures.key].append(_as_db(cells[figures.key]))
            check_invariant(shown, model_origins(sheets, IDS.responses))
            # What the record holds is what was shown: nothing left the database unrecorded.
            async with db.sessions() as session:
                recorded = await releases.released(session, "pulse", list(QUESTIONS))
            for q in QUESTIONS:
                assert {releases.digest(c) for c in shown[q]} == {
                    releases.digest(c) for c in recorded[q]
                }
        finally:
            await db.close()


def _as_db(cell: Cell) -> Cell:
    """A model cell in database ids (response ids and contact ids)."""
    return {IDS.responses[r]: IDS.people[p] for r, p in cell.items()}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    data_st(),
    st.lists(
        st.tuples(st.sampled_from(DB_WINDOWS), st.sampled_from(DB_AUDIENCES)),
        min_size=1,
        max_size=7,
    ),
)
def test_no_two_releases_differ_by_fewer_than_k_people_in_the_database(
    migrated_sqlite: Path, sheets: list[Sheet], requests: list[tuple[str, str]]
) -> None:
    asyncio.run(_run(sheets, requests, migrated_sqlite))
