"""J-PAT end to end over time: the deadline closes a round with one side missing after bounded
reminders, a partner who joins during an open round is invited to it, and the cadence opens
the next round on time with a history spanning both rounds.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from storage import contacts, invites, partnerships
from storage.models import AuditEntry, Partnership, Response
from tests.jpat_world import (
    EXPIRED,
    ITEMS,
    START,
    after_background,
    answer_jpat,
    assert_sane_png,
    command,
    consolidate,
    datas,
    go_button,
    item_lines,
    jpat_world,
    make_partnership,
    notices,
    onboard,
    open_round,
    partners,
    plain,
    press,
    round_of,
    run_tick,
    say,
    settle,
    shown,
    staff,
    t,
    view,
    with_chart,
)

# ------------------------------------------------------------------------------ deadline, nudges


async def test_the_deadline_closes_a_round_with_one_side_missing_after_bounded_reminders(
    database_url: str,
) -> None:
    clock = ManualClock(START)
    async with jpat_world(database_url, clock) as world:
        grace = await staff(world, 9111, "Grace")
        org_id, (amina,) = await partners(world, clock, "Sunrise RLO", [(9211, "أمينة", "ar")])
        pid = await make_partnership(world, org_id, [grace])
        await open_round(world, grace, days=7)  # closes 9 March, 09:00 UTC (12:00 in Nairobi)
        assert "تقييم J-PAT للشراكة" in shown(await settle(amina))
        go = go_button(amina)
        await answer_jpat(grace, [4] * 13)
        await after_background(world, grace)
        reminder = t(
            "ar",
            "A friendly reminder: the J-PAT check-in for {name} is waiting for your answers. The round closes on {date}.",
            name="Sunrise RLO",
            date="9 مارس 2026",
        )

        clock.set(START + timedelta(days=2))  # too early for a reminder
        assert (await run_tick(world)).sent == 0
        clock.set(START + timedelta(days=3))  # 12:00 in Nairobi: Amina only
        assert (await run_tick(world)).sent == 1
        assert reminder in shown(await settle(amina))
        assert shown(await settle(grace)) == ""

        clock.set(datetime(2026, 3, 8, 19, 0, tzinfo=UTC))  # 22:00 in Nairobi: quiet hours
        report = await run_tick(world)
        assert (report.sent, report.postponed) == (0, 1)
        assert shown(await settle(amina)) == ""
        clock.set(datetime(2026, 3, 9, 5, 0, tzinfo=UTC))  # 08:00 in Nairobi
        assert (await run_tick(world)).sent == 1
        assert reminder in shown(await settle(amina))
        clock.set(datetime(2026, 3, 9, 8, 59, tzinfo=UTC))
        assert (await run_tick(world)).sent == 0  # two reminders at most

        clock.set(datetime(2026, 3, 9, 9, 0, tzinfo=UTC))  # the deadline
        assert (await run_tick(world)).sent == 2  # both sides hear the round is closed
        round_ = await round_of(world, pid, 1)
        assert (round_.status, round_.closed_at) == ("closed", clock.now())
        async with world.db.sessions() as session:
            statuses = {
                r.side: (r.status, r.nudges_sent)
                for r in await session.scalars(
                    select(Response).where(Response.jpat_round_id == round_.id)
                )
            }
        assert statuses == {"ngo": ("completed", 0), "partner": ("expired", 2)}
        events = await press(amina, data=go)  # too late
        assert notices(events) == [t("ar", "This survey is closed. Thank you!")]

        text, events = await view(grace)
        assert "Answers: NGO side 1 of 1, partner side 0 of 1." in text
        assert "Partner side: no answers before the deadline" in text
        for code, _flag, figures in item_lines(text):
            assert figures == "NGO side 4 (n=1) · partner side – (n=0) · gap –", code
        assert "What the partner side wrote:\nNo answers." in text
        assert_sane_png(await with_chart(grace, events))
        text, events = await view(amina)
        assert "Sunrise RLO" in text
        assert_sane_png(await with_chart(amina, events))


# ------------------------------------------------------------------------------ cadence, history


async def test_a_partner_who_joins_during_an_open_round_is_invited_to_it(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with jpat_world(sqlite_url, clock) as world:
        grace = await staff(world, 9121, "Grace")
        org_id, (amina,) = await partners(world, clock, "Joiners RLO", [(9221, "Amina", "en")])
        pid = await make_partnership(world, org_id, [grace])
        await open_round(world, grace)
        await after_background(world, amina)
        async with world.db.transaction() as session:  # a colleague is invited later
            created = await invites.create(
                session,
                role="partner",
                organisation_id=org_id,
                max_uses=1,
                valid_for=timedelta(days=14),
                created_by=None,
                now=clock.now(),
            )
        jean = await onboard(world, 9222, created.token, "fr", "Jean")
        jean.consume_all()
        async with world.db.sessions() as session:
            sides = {c.display_name: side for c, side in await partnerships.members(session, pid)}
        assert sides == {"Grace": "ngo", "Amina": "partner", "Jean": "partner"}
        # onboarding first: the invitation comes a few minutes later, in French
        assert (await run_tick(world)).sent == 0
        clock.set(START + timedelta(minutes=10))
        assert (await run_tick(world)).sent == 1
        assert "Bilan J-PAT du partenariat" in shown(await settle(jean))
        await answer_jpat(jean, [4] * 13)
        round_ = await round_of(world, pid, 1)
        async with world.db.sessions() as session:
            jeans = await session.scalar(
                select(Response).where(
                    Response.jpat_round_id == round_.id,
                    Response.contact_id == (await contacts.by_telegram_id(session, 9222)).id,
                )
            )
        assert (jeans.side, jeans.status) == ("partner", "completed")


async def test_cadence_opens_the_next_round_on_time_and_history_spans_two_rounds(
    database_url: str,
) -> None:
    clock = ManualClock(START)
    async with jpat_world(database_url, clock) as world:
        grace = await staff(world, 9121, "Grace")
        org_id, (jeanne,) = await partners(world, clock, "Espoir RLO", [(9221, "Jeanne", "fr")])
        pid = await make_partnership(world, org_id, [grace], cadence="monthly")

        # round 1, by hand: everyone rates 4, agreed as 4, confirmed at once
        await open_round(world, grace, days=7)
        await settle(jeanne)
        await answer_jpat(grace, [4] * 13)
        await answer_jpat(jeanne, [4] * 13)
        await after_background(world, grace, jeanne)
        events = await command(grace, "jpat", "close")
        assert "Round 1 is closed." in shown(events)
        await command(grace, "jpat", "consolidate")
        await consolidate(world, grace, {key: 4 for key in ITEMS}, {})
        await press(grace, "Send to the partner side to confirm")
        await after_background(world, jeanne)
        await press(jeanne, t("fr", "Confirm ✓"))
        await after_background(world, grace)
        async with world.db.sessions() as session:
            planned = (await session.get(Partnership, pid)).next_round_at
        assert planned == datetime(2026, 4, 2, 9, 0, tzinfo=UTC)  # a month after it was final

        # the cadence opens round 2 on time, not a minute before
        clock.set(planned - timedelta(minutes=1))
        assert (await run_tick(world)).sent == 0
        assert shown(await settle(grace)) == shown(await settle(jeanne)) == ""
        clock.set(planned)
        assert (await run_tick(world)).sent == 2
        assert "Round 2 of the J-PAT check-in for Espoir RLO is open." in shown(await settle(grace))
        invitation = shown(await settle(jeanne))
        assert "Bilan J-PAT du partenariat" in invitation
        round_2 = await round_of(world, pid, 2)
        assert (round_2.opened_at, round_2.deadline) == (planned, planned + timedelta(days=14))
        assert (await run_tick(world)).sent == 0  # opened once
        async with world.db.sessions() as session:
            assert (await session.get(Partnership, pid)).next_round_at is None
            opened_by = await session.scalar(
                select(AuditEntry.subject).where(AuditEntry.action == "jpat.open_by_cadence")
            )
        assert opened_by == f"partnership:{pid}"

        # round 2 closes at its deadline; a flagged statement gets an action with a typed date
        await answer_jpat(grace, [5] * 13)
        await answer_jpat(jeanne, [4, 4, 4, 4, 2, 4, 4, 4, 4, 4, 4, 4, 4])
        clock.set(round_2.deadline)
        await run_tick(world)
        await settle(grace)
        await command(grace, "jpat", "consolidate")
        agreed = {key: 5 for key in ITEMS} | {"e2b": 3}
        for key in ITEMS:
            card = next(m for m in reversed(grace.messages) if any(":sc:" in d for d in datas(m)))
            key = "e" + re.search(r"\n(?:⚑ )?(\d[a-z]) · ", plain(card.text)).group(1)
            await press(grace, str(agreed[key]))
            if key == "e2b":
                await say(grace, "Co-design the budget of the next phase.")
                await press(grace, "NGO side")
                await say(grace, "yesterday")  # not a date: asked again
                events = await say(grace, "30/04/2026")
                assert "Statement 2 of 13" in shown(events)
        await press(grace, "Send to the partner side to confirm")
        await after_background(world, jeanne)
        await press(jeanne, t("fr", "Confirm ✓"))
        await after_background(world, grace)

        # history: agreed scores per element across both rounds, the open action, a chart
        expected = {
            "1": "4 → 5",
            "2": "4 → 4.33",  # (5 + 3 + 5) / 3
            "3": "4 → 5",
            "4": "4 → 5",
            "5": "4 → 5",
        }
        text, events = await view(grace, "history")
        assert "Agreed score per element, round by round (1 → 2):" in text
        for number, trend in expected.items():
            assert re.search(rf"\n{number}\. [^\n]*: {trend}(\n|$)", text), number
        action = "2b: Co-design the budget of the next phase. — NGO side, due April 30, 2026"
        assert f"Open actions:\n• round 2 · {action}" in text
        assert "Overdue" not in text
        assert_sane_png(await with_chart(grace, events))
        text, events = await view(jeanne, "history")
        assert "2. Appropriation et voix partagées: 4 → 4,33" in text
        assert "Co-design the budget of the next phase." in text
        assert_sane_png(await with_chart(jeanne, events))

        # past its due date the action is listed as overdue, for both sides
        clock.set(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
        text, _events = await view(grace, "history")
        assert f"Overdue actions:\n⚠ round 2 · {action}" in text
        text, _events = await view(jeanne, "history")
        overdue = t("fr", "Overdue actions:") + "\n⚠ " + t("fr", "round {n}", n=2)
        assert re.search(re.escape(overdue) + r" · 2b\W+Co-design the budget", text), text
        history = next(m for m in reversed(grace.messages) if "jp:dn:" in str(datas(m)))
        [done] = [d for d in datas(history) if d.startswith("jp:dn:")]
        events = await press(grace, data=done)
        assert notices(events) == ["Action 2b marked as done."]
        await grace.press_data(done)  # twice: nothing more to do
        assert notices(await settle(grace)) == [EXPIRED]
        text, _events = await view(grace, "history")
        assert "No open actions." in text
        async with world.db.sessions() as session:
            assert (await session.get(Partnership, pid)).next_round_at == datetime(
                2026, 5, 16, 9, 0, tzinfo=UTC
            )
