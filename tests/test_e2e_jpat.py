"""Issue 5 end to end: J-PAT check-ins through the sandbox over real HTTP, with time under the
test's control (``ManualClock`` and explicit ``tick`` calls; ``tick_seconds=0``).

The main scenario is one full round: the NGO side answers in English, the partner side in
Arabic; nobody can look before the round closes; the comparison is checked against medians
and gaps computed by hand; staff record the agreed J-PAT with actions; the partner side
disputes, then confirms the revised version. The other J-PAT scenarios are in
``test_e2e_jpat_*.py``; shared helpers in ``tests/jpat_world.py``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from bot.clock import ManualClock
from bot.devtools.sandbox import Event
from storage.models import Contact, JpatItem, JpatSignoff, Partnership, Response
from tests.jpat_world import (
    BLIND,
    DK,
    ITEMS,
    NOT_WAITING,
    START,
    UNKNOWN,
    after_background,
    answer_jpat,
    assert_sane_png,
    audit_actions,
    command,
    consolidate,
    item_lines,
    jpat_world,
    notices,
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

# ------------------------------------------------------------------------------ the full round

# NGO side (English) and partner side (Arabic), statement by statement (see ITEMS).
GRACE = [4, 4, 5, 4, 4, 4, 4, DK, 4, 3, 4, 4, 4]
SAM = [4, 3, 5, 4, 5, 4, 4, 4, 4, 3, 4, 4, 5]
AMINA = [3, 2, 4, 2, 2, 4, 4, 4, 4, 4, 4, 3, 3]
LAYLA = [3, 3, 4, 3, 2, 5, 4, 4, 5, 4, 4, 3, 4]
# Worked out by hand: (NGO median, n, partner median, n, gap, flagged)
EXPECTED = {
    "e2b": ("4.5", 2, "2", 2, "2.5", True),
    "e2a": ("4", 2, "2.5", 2, "1.5", True),
    "e1a": ("4", 2, "3", 2, "1", False),
    "e1b": ("3.5", 2, "2.5", 2, "1", True),  # someone rated 2
    "e1c": ("5", 2, "4", 2, "1", False),
    "e4a": ("3", 2, "4", 2, "1", False),
    "e5a": ("4", 2, "3", 2, "1", False),
    "e5b": ("4.5", 2, "3.5", 2, "1", False),
    "e2c": ("4", 2, "4.5", 2, "0.5", False),
    "e3c": ("4", 2, "4.5", 2, "0.5", False),
    "e3a": ("4", 2, "4", 2, "0", False),
    "e3b": ("4", 1, "4", 2, "0", False),  # Grace said "don't know"
    "e4b": ("4", 2, "4", 2, "0", False),
}
# Per element: mean of every rating (NGO, partner)
AVERAGES = {
    "1": ("4.17", "3.17"),  # 25/6, 19/6
    "2": ("4.17", "3"),  # 25/6, 18/6
    "3": ("4", "4.17"),  # 20/5, 25/6
    "4": ("3.5", "4"),  # 14/4, 16/4
    "5": ("4.25", "3.25"),  # 17/4, 13/4
}
AGREED = {key: 4 for key in ITEMS} | {"e2b": 3, "e2a": 3, "e1b": 3}
ACTIONS = {
    "e2b": ("Decide the next budget together in one meeting.", "Both sides", "In 1 month"),
    "e2a": ("Draft indicators with the partner before the proposal.", "NGO side", "In 2 weeks"),
    "e1b": ("Name power differences in the quarterly call.", "Partner side", "In 3 months"),
}


async def test_a_full_round_english_and_arabic_blind_compare_consolidate_dispute_confirm(
    database_url: str,
) -> None:
    clock = ManualClock(START)
    async with jpat_world(database_url, clock) as world:
        grace = await staff(world, 9101, "Grace")
        sam = await staff(world, 9102, "Sam")
        _org, (amina, layla) = await partners(
            world, clock, "Hope RLO", [(9201, "أمينة", "ar"), (9202, "ليلى", "ar")]
        )
        stranger = world.sandbox.user(9301, first_name="Curious", language_code="en")

        # -- the partnership, made in chat
        events = await command(grace, "partnership", "new")
        assert "Which partner organisation is it with?" in shown(events)
        await press(grace, "Hope RLO")
        await press(grace, "Today")
        await press(grace, "ongoing")
        events = await press(grace, "every 3 months")
        card = shown(events)
        assert "Partnership #1 with Hope RLO created." in card
        assert "NGO side: Grace" in card and "Partner side: أمينة, ليلى" in card
        assert "Next J-PAT check-in: June 2, 2026" in card
        events = await press(grace, "Add an NGO colleague")
        events = await press(grace, "Sam")
        assert "Sam joined the NGO side." in shown(events)
        assert "NGO side: Grace, Sam" in shown(events)
        async with world.db.sessions() as session:
            [partnership] = list(await session.scalars(select(Partnership)))
        pid = partnership.id

        # -- partners and strangers cannot use staff commands
        for phone, name, args, lang in (
            (amina, "partnership", "", "ar"),
            (amina, "jpat", "open", "ar"),
            (amina, "jpat", "close", "ar"),
            (stranger, "jpat", "", "en"),
        ):
            reply = shown(await command(phone, name, args))
            assert reply == t(lang, UNKNOWN), (name, args, reply)

        # -- open: every member invited in their own language
        events = await open_round(world, grace)
        assert "Round 1 of the J-PAT for Hope RLO is open until March 16, 2026." in shown(events)
        assert "2 on the NGO side, 2 on the partner side" in shown(events)
        for phone, earlier in ((grace, events), (sam, [])):
            invitation = shown(earlier + await settle(phone))  # Grace's came with her reply
            assert "J-PAT partnership check-in" in invitation
            assert "Round 1 of the J-PAT check-in for Hope RLO is open." in invitation
        for phone in (amina, layla):
            invitation = shown(await settle(phone))
            assert "تقييم J-PAT للشراكة" in invitation
            assert t("ar", "Please answer by {date}.", date="16 مارس 2026") in invitation

        # -- blind: nobody sees anything before the round closes
        blind = BLIND.format(n=1, date="March 16, 2026")
        assert shown(await command(grace, "jpat", "view")) == blind
        assert shown(await command(amina, "jpat", "view")) == t(
            "ar", BLIND, n=1, date="16 مارس 2026"
        )
        await answer_jpat(layla, LAYLA, low_reason="التمويل يصل متأخرًا.")
        await grace.press_data(f"jp:vw:{pid}")  # a forged button: the same answer
        events = await settle(grace)
        assert shown(events) == blind
        events = await command(sam, "jpat", "consolidate")
        assert "Round 1 is still open." in shown(events)
        status = shown(await command(amina, "jpat", "status"))
        assert (
            t(
                "ar",
                "{side}: has submitted ({n} of {total} answered).",
                side=t("ar", "Partner side"),
                n=1,
                total=2,
            )
            in status
        )
        assert t("ar", "NGO side") not in status  # a side sees only its own submission
        status = shown(await command(grace, "jpat", "status"))
        assert "NGO side: has not submitted yet." in status
        assert "Partner side: has submitted (1 of 2 answered)." in status
        assert "Close the round now" not in status

        # -- both sides answer, each in their language
        seen = await answer_jpat(grace, GRACE, working_well="Trust between the teams.")
        await run_tick(world)
        later = await settle(grace)
        # one thank-you, with when the answers can be seen
        thanks = [plain(e.content) for e in seen if "answers are saved" in plain(e.content)]
        assert thanks == [
            "Thank you! All your answers are saved.\n\n"
            "Nobody sees your J-PAT answers before the round closes on March 16, 2026. "
            "Then both sides can compare them with /jpat view."
        ]
        # with Layla's answers in, both sides have submitted: the NGO side may close early
        both = "Both sides have submitted their J-PAT answers for Hope RLO (round 1)."
        assert both in shown(seen + later)
        seen = await answer_jpat(sam, SAM, one_change="Pay advances on time.")
        seen = await answer_jpat(
            amina,
            AMINA,
            low_reason="لا نشارك في قرارات الميزانية.",
            working_well="التواصل الأسبوعي.",
            one_change="تصميم المؤشرات معًا.",
        )
        assert t("ar", "Thank you! All your answers are saved.") in shown(seen)
        async with world.db.sessions() as session:
            languages = dict(
                (
                    await session.execute(
                        select(Contact.telegram_user_id, Response.language).join(
                            Contact, Contact.id == Response.contact_id
                        )
                    )
                ).all()
            )
        assert languages == {9101: "en", 9102: "en", 9201: "ar", 9202: "ar"}
        # still nobody can look, and the NGO side was told only once
        [grace_events, amina_events] = await after_background(world, grace, amina)
        assert shown(grace_events) == "" and shown(amina_events) == ""
        assert shown(await command(grace, "jpat", "view")) == blind

        # -- staff close early; everyone hears the comparison is ready
        events = await press(grace, "Close the round now")
        assert "Round 1 is closed." in shown(events)
        [sam_events, amina_events] = await after_background(world, sam, amina)
        assert "Round 1 of the J-PAT for Hope RLO is closed." in shown(sam_events)
        assert t("ar", "See the comparison") in str(amina_events[-1].buttons)

        # -- the comparison, checked against the hand-computed figures
        text, events = await view(grace)
        lines = item_lines(text)
        assert [code for code, _f, _l in lines] == [k[1:] for k in EXPECTED]
        for (code, flag, figures), (key, (ngo, ngo_n, partner, partner_n, gap, flagged)) in zip(
            lines, EXPECTED.items(), strict=True
        ):
            assert code == key[1:]
            assert figures == (
                f"NGO side {ngo} (n={ngo_n}) · partner side {partner} (n={partner_n}) · gap {gap}"
            ), code
            assert (flag == "⚑") == flagged, code
        for number, (ngo, partner) in AVERAGES.items():
            assert re.search(
                rf"\n{number}\. [^\n]*: {re.escape(ngo)} · {re.escape(partner)}\n", text
            )
        assert "Answers: NGO side 2 of 2, partner side 2 of 2." in text
        ngo_part, partner_part = text.split("What the partner side wrote:")
        assert "Trust between the teams." in ngo_part and "Pay advances on time." in ngo_part
        assert "لا نشارك في قرارات الميزانية." in partner_part
        assert "التمويل يصل متأخرًا." in partner_part
        assert "أمينة" not in text and "ليلى" not in text  # answers are not attributed
        assert_sane_png(await with_chart(grace, events))

        text, events = await view(amina)
        assert (
            t(
                "ar",
                "NGO side {ngo} (n={ngo_n}) · partner side {partner} (n={partner_n}) · gap {gap}",
                ngo="4.5",
                ngo_n=2,
                partner="2",
                partner_n=2,
                gap="2.5",
            )
            in text
        )
        assert "2b · نتخذ القرارات بقيادة مشتركة" in text  # statements in Arabic
        assert "Decisions are led jointly" not in text
        assert_sane_png(await with_chart(amina, events))

        # -- consolidation after the joint meeting
        events = await command(grace, "jpat", "consolidate")
        assert "largest gaps first" in shown(events)
        events = await consolidate(world, grace, AGREED, ACTIONS)
        review = shown(events)
        assert "Consolidated J-PAT · round 1 · Hope RLO" in review
        assert "• 2b: 3/5 · Decisions are led jointly, not only by the funding partner." in review
        assert (
            "2b: Decide the next budget together in one meeting. — Both sides, due April 1, 2026"
            in review
        )
        assert (
            "2a: Draft indicators with the partner before the proposal. — NGO side, due March 16, 2026"
            in review
        )
        async with world.db.sessions() as session:
            items = {
                i.item_key: i
                for i in await session.scalars(select(JpatItem).order_by(JpatItem.item_key))
            }
        assert {k: i.agreed_score for k, i in items.items()} == AGREED
        assert {k: i.action_owner for k, i in items.items() if i.action_text} == {
            "e2b": "both",
            "e2a": "ngo",
            "e1b": "partner",
        }
        await press(grace, "Send to the partner side to confirm")
        [amina_events, layla_events] = await after_background(world, amina, layla)
        for events in (amina_events, layla_events):
            message = shown(events)
            assert (
                t("ar", "Consolidated J-PAT · round {n} · {name}", n=1, name="Hope RLO") in message
            )
            assert "نقرر الميزانية القادمة" not in message  # actions stay in the words typed
            assert "Decide the next budget together in one meeting." in message
            assert events[-1].buttons == [[t("ar", "Confirm ✓"), t("ar", "Dispute")]]
        old_confirm = layla_events[-1].button_data[t("ar", "Confirm ✓")]

        # -- a dispute returns the round to staff, with the comment
        await press(amina, t("ar", "Dispute"))
        events = await say(amina, "درجة 2ب يجب أن تكون 2.")
        assert t(
            "ar",
            "Thank you. The NGO team has your comment and will send you a revised J-PAT to confirm.",
        ) in shown(events)
        [grace_events] = await after_background(world, grace)
        assert "The partner side disputed the consolidated J-PAT for Hope RLO (round 1)." in shown(
            grace_events
        )
        assert "درجة 2ب يجب أن تكون 2." in shown(grace_events)
        events = await press(layla, data=old_confirm)
        assert notices(events) == [t("ar", NOT_WAITING)]
        assert (await round_of(world, pid, 1)).status == "disputed"

        # -- staff record it again (keeping the actions), the partner side confirms
        events = await press(grace, "Record the agreed J-PAT again")
        assert "The partner side disputed the last version." in shown(events)
        again = {**AGREED, "e2b": 2}
        keep = {key: (None, owner, due) for key, (_text, owner, due) in ACTIONS.items()}
        await consolidate(world, grace, again, keep)
        await press(grace, "Send to the partner side to confirm")
        [layla_events] = await after_background(world, layla)
        assert events_have_buttons(layla_events)
        # the message can be found again from /jpat (a lost message is no dead end)
        menu = await command(layla, "jpat")
        assert t("ar", "J-PAT · {name}", name="Hope RLO") in shown(menu)
        again = await press(layla, t("ar", "Confirm or dispute"))
        assert "• 2b: 2/5 · " in shown(again)
        events = await press(layla, t("ar", "Confirm ✓"))
        assert t(
            "ar", "Thank you: round {n} of the J-PAT is now final, agreed by both sides.", n=1
        ) in shown(events)
        events = await press(layla, data=old_confirm)
        assert notices(events) == [t("ar", NOT_WAITING)]
        [grace_events] = await after_background(world, grace)
        assert "confirmed the consolidated J-PAT for Hope RLO (round 1): it is final." in shown(
            grace_events
        )

        round_ = await round_of(world, pid, 1)
        assert round_.status == "final" and round_.finalised_at == START
        async with world.db.sessions() as session:
            partnership = await session.get(Partnership, pid)
            decisions = [
                (s.decision, s.comment)
                for s in await session.scalars(select(JpatSignoff).order_by(JpatSignoff.id))
            ]
            agreed_e2b = await session.get(JpatItem, (round_.id, "e2b"))
        assert partnership.next_round_at == datetime(2026, 6, 2, 9, tzinfo=UTC)
        assert [d for d, _c in decisions] == ["sent", "disputed", "sent", "confirmed"]
        assert decisions[1][1] == "درجة 2ب يجب أن تكون 2."
        assert agreed_e2b.agreed_score == 2
        assert agreed_e2b.action_text == ACTIONS["e2b"][0]

        actions = await audit_actions(world, 9101)
        for expected in (
            "partnership.create",
            "partnership.member_add",
            "jpat.open",
            "jpat.view_refused",
            "jpat.status",
            "jpat.close",
            "jpat.view",
            "jpat.consolidate_start",
            "jpat.consolidate",
        ):
            assert expected in actions, expected
        assert "jpat.view" not in await audit_actions(world, 9201)  # partners are not audited


def events_have_buttons(events: list[Event]) -> bool:
    return any(e.buttons for e in events if e.kind == "message")
