"""The walkthrough's meeting act: a review meeting scheduled, an invitation, a reminder, an RSVP.

Grace (staff) schedules a quarterly review for the partnership set up in the J-PAT act, typing
"tomorrow 10:00" in her own time zone; Amina gets the invitation in Arabic, in Beirut time. To
show the reminder without waiting a day, the act moves the bot's clock to the moment the
2-hour reminder falls due and runs the dispatcher once; Amina answers "Attending" on it and
Grace sees the answer in /meetings.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from bot import dispatch
from bot.clock import Clock
from bot.devtools.sandbox import Phone
from bot.devtools.walkthrough import CHANGES, WAIT, replied
from storage import meetings
from storage.models import Meeting

TIMEOUT = WAIT


class _Ahead(Clock):
    """The real clock, moved forward: the act's way of skipping a day."""

    def __init__(self, moment: datetime) -> None:
        self.offset = moment - Clock().now()

    def now(self) -> datetime:
        return super().now() + self.offset


async def _tap(phone: Phone, prefix: str) -> bool:
    """Press the newest button whose callback data starts with ``prefix``; False if none."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while loop.time() < deadline:
        for message in reversed(phone.messages):
            markup = message.reply_markup or {}
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if str(button.get("callback_data", "")).startswith(prefix):
                        phone.consume_all()  # what came before is not the reply to this press
                        await phone.press(
                            data=button["callback_data"], message_id=message.message_id
                        )
                        await replied(phone, kinds=CHANGES)
                        return True
        await asyncio.sleep(0.05)
    return False


async def _type(phone: Phone, text: str) -> None:
    """Type ``text`` and wait for the bot's next question, however slowly it is paced."""
    phone.consume_all()
    await phone.send_text(text)
    await replied(phone)


async def _new_meeting(world: Any) -> Meeting | None:
    """The meeting just scheduled, once the bot has stored it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while loop.time() < deadline:
        async with world.db.sessions() as session:
            meeting = await meetings.latest(session)
        if meeting is not None:
            return meeting
        await asyncio.sleep(0.1)
    return None


async def act_meeting(walkthrough: Any) -> None:
    world = walkthrough.world
    out = walkthrough.out
    staff = walkthrough.phone("staff")
    partner = walkthrough.phone("partner", "ar")

    partner.consume_all()  # the invitation below is the next message to wait for
    staff.consume_all()
    await staff.send_command("meeting")
    await replied(staff)
    if not await _tap(staff, "mtg:p:"):
        print("  (no partnership to meet about: the J-PAT act creates one)", file=out)
        return
    await _tap(staff, "mtg:k:quarterly")
    await _type(staff, "tomorrow 10:00")
    await _tap(staff, "mtg:ok")
    await _type(staff, "https://meet.example.org/amal-review")
    await _type(staff, "J-PAT results; the next quarter's plan")
    await _tap(staff, "mtg:go")
    meeting = await _new_meeting(world)
    await asyncio.gather(*world.bot.application.bot_data.get("tasks", set()))
    await staff.settle(quiet=0.4, timeout=TIMEOUT)
    walkthrough.show(staff)
    await partner.wait(1, kinds=("message",), timeout=TIMEOUT)  # the invitation
    await partner.settle(quiet=0.4, timeout=TIMEOUT)
    walkthrough.show(partner)
    if meeting is None:
        print("  (the meeting was not scheduled)", file=out)
        return
    services = world.services
    real_clock = services.clock
    services.clock = _Ahead(meeting.starts_at - timedelta(hours=2))
    print("  (the bot's clock moves forward to two hours before the meeting)", file=out)
    try:
        partner.consume_all()
        await dispatch.tick(world.bot.application)
        await replied(partner)  # the reminder
        walkthrough.show(partner)
        await _tap(partner, f"rsvp:{meeting.id}:")
        walkthrough.show(partner)
        staff.consume_all()
        await staff.send_command("meetings")
        await replied(staff)
        walkthrough.show(staff)
    finally:
        services.clock = real_clock
