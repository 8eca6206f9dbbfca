"""Disclosure control: the one place that decides whether a figure, a quote, an export column
or a chart may leave the database. Pure rules over sets of people; no I/O, so they are tested
with generated data (tests/test_disclosure_props.py).

The privacy model
=================

Who may see what, and why:

* **A partner** sees their own answers (/mydata), exports and deletes them (/forget), and
  receives report-backs: aggregate figures of a campaign or J-PAT round they were asked in.
* **NGO staff** see aggregates (/summary, trends, charts), exports with one row per finished
  answer sheet but nothing that points back to a person, participation lists needed to nudge
  (/pending), and the J-PAT round comparison of the partnerships they are a side of. They fund
  the partners, and a complaint may be about them: so what they see must never single out one
  partner's answer, nor the organisation of a partner who asked to be counted only in totals.
* **Admins** name staff and focal points, read the audit log and may take the raw,
  row-level export (marked as such on the file, audited).
* **The safeguarding focal point(s)** an admin names are the only readers of confidential
  reports; those never enter a summary, an export, a report-back or a chart.
* **Funders and the public** see only what staff put in reports: the same aggregates.

What the threshold ``k`` (``PARTNERBOT_PRIVACY_THRESHOLD``, default 3) protects against: one
staff member, or several comparing notes, learning one partner's answer, or the organisation of
a partner who asked to be counted only in totals, from anything the bot released to any of
them — including by subtracting one release from another ("differencing").

The rules, applied to every release (a summary, a breakdown, a trend point, a chart, an export,
a report-back):

1. **Finished answer sheets only.** A response counts once completed (or closed unfinished):
   its answers are then frozen, so the same person in two releases contributes the same
   answers and a difference between releases can only come from different people.
2. **A group needs k people** (distinct people, not answer sheets) and, when it contains a
   partner who asked to be counted only in totals, answers from at least two organisations.
3. **A cell needs k people.** A cell is one question's answers in one release; its figures
   (distribution, mean, quotes, export column) are shown only if at least k people answered
   it, and not if every answer comes from one organisation that has totals-only partners.
4. **Complementary suppression.** A breakdown (one organisation, a tag) is hidden when the rest
   of its parent set — everyone in the same window — is between 1 and k-1 people: otherwise
   "all partners" minus the breakdown would be those few people.
5. **Fixed windows.** Periods are whole calendar quarters in the organisation's time zone,
   whole campaigns, or whole J-PAT rounds; typed dates are widened to whole quarters. Two
   staff members asking for "this quarter" get the same window wherever they live.
6. **The release record.** Every set of answer sheets whose answers to a question left the
   database is recorded with whose they are (``storage.releases``). Sorting the answer sheets
   by which of these released sets they are in gives *atoms*: sheets no combination of
   releases can tell apart. Adding, subtracting or otherwise combining released figures can
   at best reveal an atom's figures, never a part of one. So a new cell is released only if,
   with it, every atom holds answers from at least k people. In particular any two releases,
   by anyone, of any audience, period or file, differ by nobody or by at least k people (their
   difference is a union of atoms): the invariant tests/test_disclosure_props.py checks over
   thousands of generated request sequences, and it holds for three or more releases too
   ("all partners" minus organisation A minus organisation B is an atom). A cell that would
   break it is "held back" until enough new answers arrive.

   An atom is also what a reader can single out, so rule 2 holds for atoms too: an atom that
   holds the sheet of a partner who asked to be counted only in totals must hold answers from
   at least two organisations. Otherwise "all partners" minus a tag that covers every other
   organisation (or minus each other organisation's breakdown) would be one organisation's
   figures, that partner's answer inside them (:data:`OVERLAP_ORGANISATION`). The J-PAT is
   left out of this check: a round's partner side is one organisation by design, and both
   parties see its figures next to the NGO's in /jpat view.

   The unit is the answer sheet, counted by person: the same partner answering in two
   quarters gives two sheets, and a release of both quarters differs from a release of one by
   every sheet of the other quarter; while two releases with the same people but one partner's
   sheet swapped for their next one differ by that one person, and are refused.

J-PAT rounds: while a round is open nobody sees the other side's answers. Once closed, the
two parties — the NGO (its staff) and the partner side's members — see each side's medians next
to each other in /jpat view: that comparison between the two parties is the purpose of the
J-PAT, and each member was told so when invited; no member's own ratings are listed. Across
rounds (/summary, exports, report-backs) the rules above apply as to any survey.

Confidential reports (``confidential: true`` questions) never reach this module's releases:
their words are stored apart, for the safeguarding focal points only. /forget erases a
person's words; their numbers and choices stay, counted under these rules (in an export, as
a row with no organisation, language or day).

Operational figures (``/metrics``, ``bot.metrics``) are counts of the machinery — updates
handled, messages sent, pushes waiting — for whoever runs the bot, who is not among the
readers above. They name no person, chat, organisation or text; but a label can tell on its
own: a waiting push of a kind that exists only because someone filed a confidential report,
or disputed their funder's account of a J-PAT round, would tell a dashboard's viewer that it
happened, and when. So every push kind is passed through :func:`operational_kind` before it
becomes a label: the routine kinds on :data:`ROUTINE_PUSH_KINDS` (invitations, reminders,
nudges, report-backs, meeting notices, J-PAT round notices) keep their name, and anything
else — a kind added later included, until someone decides it is routine — is counted as
``"other"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from storage.statuses import ResponseStatus

#: The group has fewer than k people.
TOO_FEW = "too_few"
#: All answers come from one organisation, and some of its partners asked for totals only.
ONE_ORGANISATION = "one_organisation"
#: The rest of the parent set (everyone in the window) is between 1 and k-1 people.
COMPLEMENT = "complement"
#: Released, this cell would differ from an earlier release by between 1 and k-1 people.
OVERLAP = "overlap"
#: Released, this cell and earlier ones would single out one organisation's answers, and some
#: of them are from partners who asked to be counted only in totals (rule 6, last paragraph).
OVERLAP_ORGANISATION = "overlap_organisation"

#: What /forget leaves where a person's words were (answers, comments, reports).
REMOVED = "[removed at the person's request]"

#: Response statuses whose answers are frozen and may count.
FINISHED: tuple[ResponseStatus, ...] = (ResponseStatus.COMPLETED, ResponseStatus.PARTIAL)

#: A cell: the answer sheets (response ids) whose answers it holds, each with its person
#: (contact id, which /forget keeps so that a person stays one person).
Cell = Mapping[int, int]


@dataclass(frozen=True)
class Release:
    """Who releases what: written to the release record beside the sets it released."""

    kind: str  # summary | trend | export | reportback | jpat
    window: str  # e.g. "2026-01-01/2026-04-01", "campaign:4", "round:2", "all"
    audience: str  # "all", "organisation:3", "tag:east", "side:partner"...
    contact_id: int | None = None


@dataclass(frozen=True)
class Origins:
    """Where answer sheets come from, for rule 6's organisation check: each sheet's
    organisation (None for an organisation deleted since, or a J-PAT's NGO side), and the
    sheets of people who asked to be counted only in totals (/forget makes a person one).
    Sheets not listed count as from no organisation and named."""

    organisation: Mapping[int, int | None]
    unnamed: frozenset[int]


def group_verdict(people: int, organisations: int, unattributed: int, threshold: int) -> str | None:
    """Why a whole group's figures may not be shown (None when they may): rule 2."""
    if people < threshold:
        return TOO_FEW
    if unattributed and organisations < 2:
        return ONE_ORGANISATION
    return None


def people(cell: Cell) -> int:
    """How many distinct people a cell holds answers from."""
    return len(set(cell.values()))


def difference(first: Cell, second: Cell) -> int:
    """How many people the answer sheets in one cell and not the other come from."""
    return len({first.get(r, second.get(r)) for r in first.keys() ^ second.keys()})


def differs_safely(first: Cell, second: Cell, threshold: int) -> bool:
    """Two released cells may coexist when they hold the same answer sheets, or the sheets
    in one but not the other come from at least k people."""
    if first.keys() == second.keys():
        return True
    return difference(first, second) >= threshold


def atom_sheets(cells: Iterable[Cell]) -> tuple[dict[int, set[int]], dict[int, int]]:
    """The answer sheets in each atom (keyed by a bit mask of the cells holding them), and
    each sheet's person."""
    inside: dict[int, int] = {}
    person: dict[int, int] = {}
    for index, cell in enumerate(cells):
        bit = 1 << index
        for response, who in cell.items():
            inside[response] = inside.get(response, 0) | bit
            person[response] = who
    found: dict[int, set[int]] = {}
    for response, where in inside.items():
        found.setdefault(where, set()).add(response)
    return found, person


def atoms(cells: Iterable[Cell]) -> dict[int, set[int]]:
    """The people in each atom: answer sheets grouped by which of ``cells`` hold them (the
    key is a bit mask of the cells' positions)."""
    sheets, person = atom_sheets(cells)
    return {where: {person[r] for r in inside} for where, inside in sheets.items()}


def atoms_verdict(
    cells: Iterable[Cell],
    threshold: int,
    origins: Origins | None = None,
    known: frozenset[frozenset[int]] = frozenset(),
) -> str | None:
    """Why these cells, released together, would reveal too much (None when they would not):
    an atom of fewer than k people, or with ``origins``, an atom holding a totals-only
    partner's sheet and answers from fewer than two organisations, unless it is in ``known``
    (see :func:`adds_verdict`)."""
    sheets, person = atom_sheets(cells)
    for inside in sheets.values():
        if len({person[r] for r in inside}) < threshold:
            return OVERLAP
    if origins is not None and origins.unnamed:
        for inside in sheets.values():
            if one_organisation(inside, origins) and frozenset(inside) not in known:
                return OVERLAP_ORGANISATION
    return None


def one_organisation(sheets: set[int], origins: Origins) -> bool:
    """A totals-only partner's sheet among answers from fewer than two organisations."""
    if sheets.isdisjoint(origins.unnamed):
        return False
    return len({origins.organisation.get(r) for r in sheets} - {None}) < 2


def _given_already(atom: frozenset[int], released: set[frozenset[int]]) -> bool:
    """Whether releases already give this atom's figures on their own: it was released, or it
    is one release less another inside it. Not every way (three releases can combine too):
    an atom found by neither is treated as hidden, the safe side."""
    if atom in released:
        return True
    return any(atom < e and (e - atom) in released for e in released)


def adds_verdict(
    earlier: list[Cell], cell: Cell, threshold: int, origins: Origins | None = None
) -> str | None:
    """Why releasing ``cell`` after ``earlier`` (themselves safe together) would break rule 6
    (None when it would not). A cell already released adds nothing; otherwise only the atoms
    it cuts can become too small, but finding them needs the atoms of all, so they are built."""
    if any(e.keys() == cell.keys() for e in earlier):
        return None
    distinct: dict[frozenset[int], Cell] = {}
    for e in earlier:
        distinct.setdefault(frozenset(e), e)
    # An atom that breaks the organisation check already, because it was released before
    # the check existed, or its partner chose totals only (or used /forget) since, holds
    # nothing back if the releases gave its figures already: a new cell only repeats them.
    # One they did not give holds back every new cell of the question: any cell might be
    # the one that completes a way to it.
    known: frozenset[frozenset[int]] = frozenset()
    if origins is not None and origins.unnamed:
        released = set(distinct)
        known = frozenset(
            frozenset(a)
            for a in atom_sheets(distinct.values())[0].values()
            if one_organisation(a, origins) and _given_already(frozenset(a), released)
        )
    return atoms_verdict([*distinct.values(), cell], threshold, origins, known)


def rest(parent: Cell, cell: Cell) -> int:
    """People in the parent set whose sheets are not in the cell."""
    return len({person for r, person in parent.items() if r not in cell})


def cell_verdict(
    cell: Cell,
    threshold: int,
    *,
    alone: bool = False,
    parent: Cell | None = None,
    released: Iterable[Cell] = (),
    origins: Origins | None = None,
) -> str | None:
    """Whether one cell (a question in a release) may be shown: rules 3, 4 and 6, in the
    order a reader would want them explained. Without ``origins`` rule 6 counts people only
    (a release that rule 2's organisation check does not apply to)."""
    if people(cell) < threshold:
        return TOO_FEW
    if alone:
        return ONE_ORGANISATION
    if parent is not None and 0 < rest(parent, cell) < threshold:
        return COMPLEMENT
    earlier = list(released)
    if earlier:
        return adds_verdict(earlier, cell, threshold, origins)
    return None


def decide(
    cells: Mapping[str, Cell],
    threshold: int,
    *,
    alone: Iterable[str] = (),
    parents: Mapping[str, Cell] | None = None,
    released: Mapping[str, list[Cell]] | None = None,
    origins: Origins | None = None,
) -> dict[str, str | None]:
    """The verdict for every cell of one release. Cells are judged against what was released
    before, never against each other: two questions are different cells."""
    lonely = set(alone)
    return {
        key: cell_verdict(
            people,
            threshold,
            alone=key in lonely,
            parent=None if parents is None else parents.get(key, {}),
            released=(released or {}).get(key, ()),
            origins=origins,
        )
        for key, people in cells.items()
    }


#: Push kinds whose name may appear in operational figures: each exists for every partner
#: asked, so its count says how busy the bot is, not what one person did.
ROUTINE_PUSH_KINDS: frozenset[str] = frozenset(
    {
        "invite",  # a survey campaign's invitation
        "nudge",  # and its reminder
        "reportback",  # results shared back with the people asked
        "mtg_invite",  # review meetings: invitation, reminder, moved, cancelled
        "reminder",
        "mtg_moved",
        "mtg_cancel",
        "jpat_invite",  # J-PAT rounds: opened, reminder, closed, both sides in, sign-off
        "jpat_nudge",
        "jpat_closed",
        "jpat_both",
        "jpat_sign",
        "jpat_final",
    }
)
#: What every other kind is counted as in operational figures.
OTHER_KIND = "other"


def operational_kind(kind: str | None) -> str:
    """The label a push kind may carry outside the database (metrics): its own name when it
    is routine, else ``"other"`` (see the module docstring)."""
    return kind if kind in ROUTINE_PUSH_KINDS else OTHER_KIND


def export_day(moment: datetime | None) -> date | None:
    """Exports give times at day resolution: a minute shared with a named row would point a
    totals-only partner's row to that organisation."""
    return moment.date() if moment is not None else None
