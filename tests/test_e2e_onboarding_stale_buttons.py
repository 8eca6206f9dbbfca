"""Issue 3 end to end: stale and forged onboarding, invitation and staff buttons change
nothing and are audited as refused.
"""

from __future__ import annotations

from bot.devtools.sandbox import Phone
from tests.e2e import command_and_wait as command
from tests.e2e import make_invite, settle_after
from tests.e2e import press_and_wait as press
from tests.onboarding_steps import (
    EXPIRED_BUTTON,
    UNKNOWN,
    answers,
    audit_of,
    contact_of,
    edits,
    flow_of,
    invite_for,
    invite_row,
    messages,
    only_message,
    quick_world,
    t,
)

# ------------------------------------------------------------------------------ stale buttons


async def test_stale_and_forged_buttons_change_nothing(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        token, _ = await make_invite(world.db)
        phone = world.sandbox.user(8001, first_name="Tap", language_code="en")
        picker = only_message(await command(phone, "start", token))
        await press(phone, "English")
        consent = phone.last_message
        assert consent is not None
        await onboard_rest(phone)
        contact = await contact_of(world.db, 8001)
        assert contact is not None and contact.language == "en"

        # a tap on keyboards the bot already closed, after onboarding finished
        await phone.press("العربية", message_id=picker.message_id)
        events = await settle_after(phone, expect="callback_answer")
        assert answers(events) == [EXPIRED_BUTTON] and messages(events) == []
        await phone.press("I agree", message_id=consent.message_id)
        events = await settle_after(phone, expect="callback_answer")
        assert answers(events) == [EXPIRED_BUTTON] and messages(events) == []
        for data in ("ob:lang:xx", "ob:consent:yes", "set:forget:maybe", "help:nothing"):
            await phone.press_data(data)
            events = await settle_after(phone, expect="callback_answer")
            assert answers(events) == [EXPIRED_BUTTON], data
            assert messages(events) == [] and edits(events) == [], data
        contact = await contact_of(world.db, 8001)
        assert contact is not None and contact.language == "en"
        assert contact.telegram_user_id == 8001
        assert (await invite_for(world.db, token)).uses == 1

        # someone mid-onboarding forging an unknown language gets the notice in Arabic
        second, _ = await make_invite(world.db)
        arabic = world.sandbox.user(8002, first_name="ف", language_code="ar")
        await command(arabic, "start", second)
        await arabic.press_data("ob:lang:xx")
        events = await settle_after(arabic, expect="callback_answer")
        assert answers(events) == [t("ar", EXPIRED_BUTTON)]
        flow = await flow_of(world.db, 8002)
        assert flow is not None and flow.step == "language"
        assert await contact_of(world.db, 8002) is None

        # staff buttons forged by a partner and by a stranger: refused and logged, nothing done
        victim_id = (await invite_for(world.db, second)).id
        for actor, data in (
            (phone, "inv:revoke:999999"),
            (phone, f"inv:revoke:{victim_id}"),
            (arabic, f"inv:revoke:{victim_id}"),
            (phone, "stf:rm:8001"),
        ):
            await actor.press_data(data)
            events = await settle_after(actor, expect="callback_answer")
            lang = "en" if actor is phone else "ar"
            assert answers(events) == [t(lang, UNKNOWN)], data
            assert messages(events) == [], data
        assert (await invite_row(world.db, victim_id)).revoked_at is None
        refused = [a.subject for a in await audit_of(world.db, 8001) if a.outcome == "refused"]
        assert refused == ["inv:revoke:999999", f"inv:revoke:{victim_id}", "stf:rm:8001"]
        assert [a.subject for a in await audit_of(world.db, 8002)] == [f"inv:revoke:{victim_id}"]


async def onboard_rest(phone: Phone) -> None:
    """From the consent question to the welcome, with the buttons."""
    await press(phone, "I agree")
    await press(phone, "Nairobi (UTC+3)")
    await press(phone, "Yes, keep 21:00–08:00")
    await press(phone, "No, only in totals")
