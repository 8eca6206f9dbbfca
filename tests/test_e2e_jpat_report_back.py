"""J-PAT end to end: a closed round reported back to both sides in their languages, a round
with too few answers that cannot be, and a half-done dispute that must not take the answers
of a survey started after it.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import Event, Phone
from conversations.loader import SURVEYS_DIR, load_survey
from storage import campaigns
from storage.models import AnswerRow, JpatRound, ReportBack, Response
from tests.jpat_world import (
    ITEMS,
    START,
    after_background,
    answer_jpat,
    audit_actions,
    command,
    consolidate,
    go_button,
    jpat_world,
    make_partnership,
    notices,
    open_round,
    partners,
    photos,
    plain,
    press,
    round_of,
    run_tick,
    say,
    settle,
    shown,
    staff,
)


async def closed_round(
    world: LocalWorld, clock: ManualClock, people: list[tuple[int, str, str]], answering: int
) -> tuple[Phone, list[Phone], JpatRound]:
    """A round of Grace's partnership with ``people``; Grace and the first ``answering``
    partners answer, then Grace closes it early."""
    grace = await staff(world, 9161, "Grace")
    org_id, phones = await partners(world, clock, "Share RLO", people)
    pid = await make_partnership(world, org_id, [grace])
    await open_round(world, grace)
    await after_background(world, *phones)
    await answer_jpat(grace, [4] * 13)
    for phone, scores in zip(phones[:answering], ([3] * 13, [5] * 13), strict=False):
        await answer_jpat(phone, scores)
    await run_tick(world)
    await after_background(world, grace, *phones)
    await grace.press_data(f"jp:cl:{pid}:2")  # a button naming another round changes nothing
    assert notices(await settle(grace)) == [
        "This button is no longer active. Send /help to see what you can do."
    ]
    assert (await round_of(world, pid, 1)).status == "open"
    await grace.press_data(f"jp:cl:{pid}:1")
    assert "Round 1 is closed." in shown(await settle(grace))
    await after_background(world, grace, *phones)
    return grace, phones, await round_of(world, pid, 1)


async def test_a_closed_round_is_reported_back_to_both_sides_in_their_languages(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with jpat_world(sqlite_url, clock) as world:
        people = [(9261, "Amina", "ar"), (9262, "Jean", "fr")]
        grace, (amina, jean), round_ = await closed_round(world, clock, people, answering=2)

        events = await command(grace, "share")
        listed = [label for row in events[-1].buttons for label in row]
        assert "J-PAT round 1 · Share RLO (closed Mar 2, 2026)" in listed
        await press(grace, "J-PAT round 1 · Share RLO (closed Mar 2, 2026)")
        events = await say(grace, "We will plan the budget together in April.")
        text = shown(events)
        assert "Preview: this is what each partner will receive" in text
        assert "What we heard: J-PAT partnership check-in" in text
        assert "Send it to the 3 people who were asked in this round, on both sides?" in text
        assert len(photos(events)) == 1
        sent = await press(grace, "Send to partners")
        assert (
            "Report-back #1 is on its way to the 3 people who were asked in this round, on both sides"
            in shown(sent)
        )

        [grace_got, amina_got, jean_got] = await after_background(world, grace, amina, jean)
        grace_got = [e for e in sent if e.kind == "photo" or "Average" in (e.text or "")] + [
            *grace_got
        ]
        survey = load_survey(SURVEYS_DIR / "jpat.yaml")
        statement = survey.questions[0]
        for got, lang in ((amina_got, "ar"), (jean_got, "fr"), (grace_got, "en")):
            assert len(photos(got)) == 1, lang
            text = shown(got)
            assert plain(survey.text_for(statement.text, lang)) in text, lang
            assert "We will plan the budget together in April." in text, lang
        # 4, 3 and 5 from the three people: the average is 4 on every statement
        assert "Average: 4 out of 5" in shown(grace_got)
        async with world.db.sessions() as session:
            report = await session.scalar(select(ReportBack))
        assert report is not None and report.jpat_round_id == round_.id
        assert report.campaign_id is None and report.recipients == 3

        # a partner's reaction is stored and counted for staff
        await amina.press_data(f"rb:r:{report.id}:up")
        await settle(amina)
        await command(grace, "share")
        events = await press(grace, "Replies from partners")
        assert "👍 1 · 👎 0 · 💬 0" in shown(events)
        assert "reportback.send" in await audit_actions(world, 9161)


async def test_a_half_done_dispute_does_not_take_the_answers_of_a_survey_started_after_it(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with jpat_world(sqlite_url, clock) as world:
        grace, (amina,), round_ = await closed_round(
            world, clock, [(9271, "Amina", "en")], answering=1
        )
        await command(grace, "jpat", "consolidate")
        await consolidate(world, grace, {key: 4 for key in ITEMS}, {})
        await press(grace, "Send to the partner side to confirm")
        await after_background(world, amina)
        await press(amina, "Dispute")  # ... and no comment typed
        entry = world.services.surveys.get("partner_feedback")
        assert entry is not None
        async with world.db.transaction() as session:
            await campaigns.launch(
                session,
                survey_id="partner_feedback",
                survey_version_id=entry[1],
                audience_kind="all",
                audience_value=None,
                due_at=clock.now() + timedelta(days=14),
                created_by=None,
                now=clock.now(),
            )
        await run_tick(world)
        await after_background(world, amina)
        await press(amina, data=go_button(amina))
        await say(amina, "4")  # the first question: a typed rating, not a dispute comment
        assert (await round_of(world, round_.partnership_id, 1)).status == "consolidated"
        async with world.db.sessions() as session:
            survey_answers = await session.scalars(
                select(AnswerRow.question_key)
                .join(Response, Response.id == AnswerRow.response_id)
                .where(Response.survey_id == "partner_feedback")
            )
            assert list(survey_answers) == [entry[0].questions[0].key]


async def test_a_round_with_too_few_answers_cannot_be_reported_back(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with jpat_world(sqlite_url, clock) as world:
        people = [(9271, "Amina", "en"), (9272, "Jean", "en")]
        grace, _phones, round_ = await closed_round(world, clock, people, answering=1)
        await command(grace, "share")
        events = await grace_press_round(grace, round_)
        text = shown(events)
        assert "This J-PAT round cannot be reported back." in text
        assert "fewer than 3" in text
        async with world.db.sessions() as session:
            assert await session.scalar(select(ReportBack)) is None


async def grace_press_round(grace: Phone, round_: JpatRound) -> list[Event]:
    return await press(grace, data=f"shr:j:{round_.id}")
