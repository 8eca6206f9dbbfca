"""Issue 4 end to end: staff run campaigns: quiet hours, nudges, stopping and closing, the
response-rate figures of /campaigns, and what a pulse survey costs in messages.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

from bot.clock import ManualClock
from bot.dispatch import TickReport
from storage import campaigns
from storage.models import Campaign, Delivery
from tests.e2e import ADMIN_ID, settle
from tests.survey_steps import (
    CLOSED,
    START,
    THANKS,
    answer_pulse,
    answers_of,
    command,
    go_button,
    notices,
    only_message,
    open_invitation,
    partner,
    press,
    pulse_campaign,
    response_of,
    run_tick,
    snapshot,
    start_button_message,
    survey_world,
    tap,
)

# ------------------------------------------------------------------------------ 10. campaign


async def test_campaign_with_quiet_hours_nudges_stop_and_closing(database_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(database_url, clock) as world:
        silent = await partner(world, clock, 5001, name="Silent")
        finisher = await partner(world, clock, 5002, name="Finisher")
        stopped = await partner(world, clock, 5003, name="Stopped")
        halfway = await partner(world, clock, 5004, name="Halfway")
        late_stop = await partner(world, clock, 5005, name="LateStop")
        paused = await partner(world, clock, 5006, name="Paused")
        phones = [silent, finisher, stopped, halfway, late_stop, paused]
        await command(stopped, "stop")
        admin = world.sandbox.user(ADMIN_ID, first_name="Ada")
        await command(admin, "start")

        def counts() -> list[int]:
            return [sum(1 for e in p.events if e.kind == "message") for p in phones]

        # 22:00 in Nairobi: staff send the pulse through the /send wizard.
        clock.set(datetime(2026, 3, 2, 19, 0, tzinfo=UTC))
        await command(admin, "send")
        await press(admin, "Partnership pulse")
        await press(admin, "All partners")
        confirm = only_message(await press(admin, "In 14 days"))
        assert "Recipients: 5 partners" in confirm.text
        assert "Skipped: 1 who stopped reminders, 0 who blocked the bot." in confirm.text
        sent = only_message(await press(admin, "Send now"))
        assert "invitations are going out to 5 partners now" in sent.text
        await asyncio.gather(*world.bot.application.bot_data.get("tasks", set()))
        async with world.db.sessions() as session:
            campaign = await session.scalar(select(Campaign))
            invites = list(await session.scalars(select(Delivery).order_by(Delivery.id)))
        assert campaign is not None and campaign.due_at == datetime(2026, 3, 16, 19, 0, tzinfo=UTC)
        assert len(invites) == 5  # the partner who used /stop gets no invitation
        morning = datetime(2026, 3, 3, 5, 0, tzinfo=UTC)  # 08:00 in Nairobi
        assert {(d.state, d.due_at) for d in invites} == {("pending", morning)}

        # Still quiet an hour later: nothing due, nothing sent. Late-stop uses /stop meanwhile.
        clock.set(datetime(2026, 3, 2, 20, 0, tzinfo=UTC))
        assert await run_tick(world) == TickReport()
        await command(late_stop, "stop")
        before = counts()

        clock.set(datetime(2026, 3, 3, 5, 30, tzinfo=UTC))  # 08:30 in Nairobi
        report = await run_tick(world)
        assert (report.sent, report.skipped, report.postponed) == (4, 1, 0)
        assert [n - b for n, b in zip(counts(), before, strict=True)] == [1, 1, 0, 1, 0, 1]
        for phone in (silent, finisher, halfway, paused):
            invitation = only_message(await settle(phone))
            assert "Partnership pulse" in invitation.text
            assert "Please answer by March 16, 2026." in invitation.text
        after = counts()
        assert await run_tick(world) == TickReport()  # a second tick sends nothing again
        assert counts() == after

        await press(finisher, data=go_button(start_button_message(finisher)), expect="edit")
        await answer_pulse(finisher)
        await press(halfway, data=go_button(start_button_message(halfway)), expect="edit")
        await tap(halfway, "c", 4)
        await press(paused, data=go_button(start_button_message(paused)), expect="edit")
        await tap(paused, "c", 3)
        assert "Survey paused." in only_message(await command(paused, "cancel")).text
        for phone in phones:
            await settle(phone)
        before = counts()

        # Three days on: the first nudge to those who have not finished (not to the finisher).
        clock.set(datetime(2026, 3, 6, 5, 30, tzinfo=UTC))
        report = await run_tick(world)
        # The partner who stopped reminders after launch is not even scheduled a nudge.
        assert (report.nudges_scheduled, report.sent, report.skipped) == (3, 3, 0)
        assert [n - b for n, b in zip(counts(), before, strict=True)] == [1, 0, 0, 1, 0, 1]
        nudge = only_message(await settle(silent))
        assert 'A friendly reminder: the survey "Partnership pulse" is waiting' in nudge.text
        assert nudge.buttons == [["Start the survey"]]
        assert only_message(await settle(halfway)).buttons == [["Continue the survey"]]
        assert only_message(await settle(paused)).buttons == [["Continue the survey"]]
        assert (await run_tick(world)).sent == 0
        assert (await response_of(world, 5001)).nudges_sent == 1

        # The second nudge falls due in quiet hours (21:30 in Nairobi): postponed to 08:00.
        before = counts()
        clock.set(datetime(2026, 3, 9, 18, 30, tzinfo=UTC))
        report = await run_tick(world)
        assert (report.nudges_scheduled, report.sent, report.postponed) == (3, 0, 3)
        assert counts() == before
        clock.set(datetime(2026, 3, 10, 5, 0, tzinfo=UTC))
        report = await run_tick(world)
        assert report.sent == 3
        assert [n - b for n, b in zip(counts(), before, strict=True)] == [1, 0, 0, 1, 0, 1]
        assert (await run_tick(world)).sent == 0

        # Never a third nudge.
        before = counts()
        for moment in (
            datetime(2026, 3, 13, 6, 0, tzinfo=UTC),
            datetime(2026, 3, 16, 6, 0, tzinfo=UTC),
        ):
            clock.set(moment)
            report = await run_tick(world)
            assert (report.nudges_scheduled, report.sent) == (0, 0)
        assert counts() == before
        assert (await response_of(world, 5001)).nudges_sent == 2
        assert (await response_of(world, 5002)).nudges_sent == 0

        # Past the due date the campaign closes: started → partial, never started → expired.
        clock.set(datetime(2026, 3, 16, 19, 0, tzinfo=UTC))
        report = await run_tick(world)
        assert report.closed == [campaign.id]
        assert report.sent == 0
        statuses = [
            (await response_of(world, p.user_id)).status for p in phones if p is not stopped
        ]
        assert statuses == ["expired", "completed", "partial", "expired", "partial"]
        assert await run_tick(world) == TickReport()
        assert counts() == before
        async with world.db.sessions() as session:
            closed = await session.get(Campaign, campaign.id)
            assert closed is not None and closed.status == "closed"
            nudges = list(await session.scalars(select(Delivery).where(Delivery.kind == "nudge")))
        assert sorted(d.state for d in nudges) == ["sent"] * 6  # none for the stopped partner

        # The halfway partner's old nudge now says the survey is closed, and changes nothing.
        halfway_response = await response_of(world, 5004)
        before_press = await snapshot(world, halfway_response.id)
        events = await press(halfway, "Continue the survey", expect="callback_answer")
        assert notices(events) == [CLOSED]
        assert await snapshot(world, halfway_response.id) == before_press
        assert (
            "There is no survey waiting for you right now."
            in only_message(await command(halfway, "surveys")).text
        )


# ------------------------------------------------------------------------------ 11. figures


async def test_campaigns_shows_response_rate_figures(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phones = [await partner(world, clock, 5101 + i) for i in range(4)]
        await pulse_campaign(world, clock, *phones)
        done, started = phones[0], phones[1]
        await open_invitation(done)
        await answer_pulse(done)
        await open_invitation(started)
        await tap(started, "c", 3)

        admin = world.sandbox.user(ADMIN_ID, first_name="Ada")
        await command(admin, "start")
        listing = only_message(await command(admin, "campaigns"))
        async with world.db.sessions() as session:
            [figures] = await campaigns.figures(session)
        # "started" counts everyone who began, finished or not: here one of each.
        assert (figures.recipients, figures.sent, figures.started, figures.completed) == (
            4,
            4,
            2,
            1,
        )
        assert figures.response_rate == 0.25
        assert listing.text == (
            "Campaigns (newest first):\n\n"
            f"#{figures.campaign.id} Partnership pulse (open, due Mar 16, 2026): "
            "sent 4 of 4, started 2, completed 1, response rate 25%"
        )
        # A partner cannot see the figures.
        await settle(phones[2])
        refused = only_message(await command(phones[2], "campaigns"))
        assert "Partnership pulse" not in refused.text and "25%" not in refused.text


# ------------------------------------------------------------------------------ 12. messages


async def test_a_pulse_survey_costs_at_most_nine_messages(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phone = await partner(world, clock, 5201)
        first = len(phone.events)
        await pulse_campaign(world, clock, phone)
        await open_invitation(phone)
        await answer_pulse(phone, satisfaction=2)  # the longest path: 8 questions
        events = phone.events[first:]
        new = [e for e in events if e.kind == "message"]
        assert len(new) <= 9, [e.text for e in new]
        assert go_button(new[0])  # the invitation (its edit becomes the first question)
        assert new[-1].text.startswith(THANKS)
        # Each of the 8 questions was put on screen once (an edit for the first, then a new
        # message each); no refusal, repeat or extra notice on the way.
        headers = [
            line
            for e in events
            if e.kind in ("message", "edit")
            for line in (e.text or "").split("\n")
            if line.startswith("Question ")
        ]
        # (the total grows from 7 to 8 when the low score reveals the follow-up question)
        assert headers == ["Question 1 of 7"] + [f"Question {n} of 8" for n in range(2, 9)]
        assert len(new) == 1 + 7 + 1
        rows = await answers_of(world, (await response_of(world, 5201)).id)
        assert len(rows) == 8
        assert world.sandbox.stats.http_429 == 0
