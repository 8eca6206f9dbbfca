"""Issue 7 end to end: a report-back reaches partners in their languages, and a campaign below
the threshold cannot be shared.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.dispatch import tick
from storage import contacts
from storage.models import Campaign, Delivery, ReportBack, ReportBackReply
from tests.e2e import (
    ADMIN_ID,
    command_and_wait,
    make_invite,
    onboard_and_wait,
    press_and_wait,
    say_and_wait,
    settle,
    settle_after,
)
from tests.summary_world import (
    STAFF_ID,
    START,
    answer,
    audit_actions,
    buttons,
    launch,
    partners,
    photos,
    plain,
    shown,
    staff_world,
    t,
)

# ------------------------------------------------------------------------------ report-back


async def test_a_report_back_reaches_partners_in_their_languages(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        phones = await partners(
            world,
            clock,
            [
                (811, "en", "Hope RLO"),
                (812, "fr", "Amal Network"),
                (813, "fr", "Tumaini Group"),
                (814, "en", "Baraka Women"),
            ],
        )
        async with world.db.transaction() as session:
            await contacts.make_staff(
                session,
                telegram_user_id=STAFF_ID,
                display_name="Grace",
                language="en",
                timezone="Africa/Nairobi",
                now=clock.now(),
            )
            named = await contacts.by_telegram_id(session, 812)
            assert named is not None
            named.attribution = "attributed"
        campaign_id = await launch(world, clock, days=7)
        for score, user_id in zip((5, 4, 2), (811, 812, 813), strict=True):
            await answer(
                world,
                user_id,
                {"satisfaction": score, "communication": 4, "consulted": "code:often"},
            )
        clock.advance(days=8)
        assert world.bot is not None
        await tick(world.bot.application)  # closes the campaign
        for phone in phones:
            await settle(phone)
            phone.consume_all()

        staff = world.sandbox.user(STAFF_ID, first_name="Grace", language_code="en")
        events = await command_and_wait(staff, "share")
        assert f"#{campaign_id} Partnership pulse (closed Mar 10, 2026)" in buttons(events)
        await press_and_wait(staff, data=f"shr:c:{campaign_id}")
        events = await say_and_wait(
            staff, "We will pay within 30 days.", expect=("message", "photo"), count=4
        )
        text = shown(events)
        assert "Preview: this is what each partner will receive" in text
        assert "What we heard: Partnership pulse" in text
        assert "3 partners of 4 answered." in text
        assert "Average: 3.7 out of 5" in text
        assert "What we will do (a note from the team, written in English):" in text
        assert "Send it to the 4 partners who were asked?" in text
        assert len(photos(events)) == 1

        # a Send button from the preview of another campaign is stale: nothing is sent
        await staff.press_data(f"shr:go:c{campaign_id + 1}")
        events = await settle_after(staff, expect=("callback_answer",))
        assert [plain(e.text) for e in events if e.kind == "callback_answer"] == [
            "This button is no longer active. Send /help to see what you can do."
        ]
        async with world.db.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(ReportBack)) == 0
        events = await press_and_wait(staff, "Send to partners")
        assert "Report-back #1 is on its way to 4 partners" in shown(events)
        english, french = phones[0], phones[1]
        got = await english.wait(2, kinds=("photo", "message"), timeout=10)
        assert [e.kind for e in got] == ["photo", "message"]
        assert got[0].file is not None and got[0].file.size > 10_000
        assert "Overall, how satisfied are you with our partnership?" in plain(got[1].text)
        assert "We will pay within 30 days." in plain(got[1].text)
        got = await french.wait(2, kinds=("photo", "message"), timeout=10)
        text = plain(got[1].text)
        assert (
            "Dans l'ensemble, quel est votre niveau de satisfaction à l'égard de notre partenariat ?"
            in text
        )
        assert "anglais" in text  # the note is labelled with its language, in French
        assert "We will pay within 30 days." in text
        assert "Late" not in text  # no quotes in a report-back, ever
        for phone in phones[2:]:
            assert len(await phone.wait(2, kinds=("photo", "message"), timeout=10)) == 2

        # Partners reply: a reaction (pressing twice counts once) and a comment.
        await press_and_wait(english, data="rb:r:1:up", expect=("callback_answer",))
        await press_and_wait(english, data="rb:r:1:up", expect=("callback_answer",))
        await press_and_wait(french, data="rb:r:1:down", expect=("callback_answer",))
        await press_and_wait(french, data="rb:c:1")
        events = await say_and_wait(french, "Merci, mais les retards continuent.")
        assert t("fr", "Thank you! Your comment was passed on to the team.") in shown(events)
        [notice] = await staff.wait(1, kinds=("message",), timeout=10)
        assert "Amal Network commented on report-back #1" in plain(notice.text)
        async with world.db.sessions() as session:
            replies = list(await session.scalars(select(ReportBackReply)))
        assert sorted((r.kind, r.value) for r in replies) == [
            ("comment", None),
            ("reaction", "down"),
            ("reaction", "up"),
        ]
        await settle(staff)
        await command_and_wait(staff, "share")
        events = await press_and_wait(staff, "Replies from partners")
        text = shown(events)
        assert "👍 1 · 👎 1 · 💬 1" in text
        assert "Amal Network: “Merci, mais les retards continuent.”" in text

        # Someone who was not asked cannot react.
        stranger_token, _ = await make_invite(world.db, org_name="Late RLO", now=clock.now())
        late = await onboard_and_wait(world, 815, stranger_token)
        late.consume_all()
        await late.press_data("rb:r:1:up")
        await settle(late)
        async with world.db.sessions() as session:
            assert len(list(await session.scalars(select(ReportBackReply)))) == 3
        assert {"reportback.send", "reportback.replies"} <= set(await audit_actions(world))


async def test_a_campaign_below_the_threshold_cannot_be_shared(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        await partners(world, clock, [(821, "en", "Hope RLO"), (822, "en", "Amal Network")])
        campaign_id = await launch(world, clock, days=7)
        await answer(world, 821, {"satisfaction": 5})
        clock.advance(days=8)
        assert world.bot is not None
        await tick(world.bot.application)
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        await command_and_wait(admin, "share")
        events = await press_and_wait(admin, data=f"shr:c:{campaign_id}")
        text = shown(events)
        assert "This campaign cannot be reported back to partners." in text
        assert "only 1 person answered here, fewer than 3" in text
        async with world.db.sessions() as session:
            assert (await session.get(Campaign, campaign_id)) is not None
            assert (
                await session.scalar(select(Delivery).where(Delivery.kind == "reportback")) is None
            )
