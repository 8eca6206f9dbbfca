"""The export stream on SQLite and PostgreSQL: shuffled rows still carry their own answers, and
an organisation is named only where enough of its people agreed."""

from __future__ import annotations

from datetime import UTC, datetime

from storage import exports
from storage.db import Database
from storage.scopes import Scope
from tests.summary_data import Person, seed

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


async def test_shuffled_rows_keep_their_answers_and_small_groups_stay_unnamed(
    db: Database,
) -> None:
    orgs: dict[str, int] = {}
    people = [Person("Big", {"satisfaction": s, "people": 10 * s}) for s in (1, 2, 3, 4)]
    people += [Person("Small", {"satisfaction": 5, "people": 50})]
    people += [Person("Big", {"satisfaction": 6, "people": 60}, attributed=False)]
    async with db.transaction() as session:
        await seed(session, "pulse", people, invited_at=NOW, orgs=orgs)
    found = [r async for r in exports.stream(db, Scope("pulse"), threshold=3, salt=123456789)]
    assert len(found) == 6
    for row in found:  # every row got its own answers back from the merge
        score = row.answers["satisfaction"].value_num
        assert score is not None and row.answers["people"].value_num == 10 * score
    named = {int(r.answers["satisfaction"].value_num or 0): r.organisation for r in found}
    assert named == {1: "Big", 2: "Big", 3: "Big", 4: "Big", 5: None, 6: None}
    raw = [r async for r in exports.stream(db, Scope("pulse"))]
    assert [r.id for r in raw] == sorted(r.id for r in raw)  # the admins' file: in order
    assert {r.organisation for r in raw} == {"Big", "Small", None}
