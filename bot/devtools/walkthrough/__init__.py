"""The scripted demo: staff and partner phones acting out the bot's main journeys.

Each act is a short scene; every feature adds its act here so a newcomer sees it working.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO

from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import MESSAGE_KINDS, Event, Phone
from bot.devtools.sandbox.transcript import format_event

#: How long, in real seconds, the walkthrough waits for a reply it expects. Generous on purpose:
#: on a busy machine the bot is slow, and it paces itself at about one message a second per
#: chat; a reply that never comes still ends the demo with the chat's recent events.
WAIT = 180.0
#: What a press can do to the chat: change the message it is on, or bring a new one.
CHANGES = ("edit", *MESSAGE_KINDS)

# (Telegram user id, first name) of the demo's people; the staff member is also the admin.
DEMO_PEOPLE = {
    "staff": (500001, "Grace"),
    "partner": (700001, "Amina"),
    "partner_fr": (700002, "Jean"),
    "stranger": (900001, "Visitor"),
}


def button_data(message: object) -> list[str]:
    markup = getattr(message, "reply_markup", None) or {}
    return [
        b["callback_data"]
        for row in markup.get("inline_keyboard", [])
        for b in row
        if "callback_data" in b
    ]


LINK = re.compile(r"https://t\.me/\S+\?start=(\S+)")


async def replied(
    phone: Phone, *, count: int = 1, kinds: str | tuple[str, ...] = MESSAGE_KINDS
) -> list[Event]:
    """Wait for the bot's next ``count`` events of ``kinds`` in this chat (its reply), however
    slowly they come, then take whatever else it sends while still handling the same update."""
    first = await phone.wait(count, kinds=kinds, timeout=WAIT)
    rest = await phone.settle(quiet=0.3, timeout=WAIT)
    return sorted([*first, *rest], key=lambda e: e.index)


async def until_button(
    phone: Phone, wanted: Callable[[str], bool], *, timeout: float = WAIT
) -> tuple[Any, str]:
    """The newest live button whose callback data ``wanted`` accepts (waiting for it to come):
    the message it is on and its data."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for message in reversed(phone.messages):
            for data in button_data(message):
                if wanted(data):
                    return message, data
        if loop.time() >= deadline:
            raise TimeoutError(
                f"chat {phone.chat_id}: no such button after {timeout}s:\n"
                f"{phone.transcript()[-1500:]}"
            )
        await asyncio.sleep(0.05)


class Walkthrough:
    def __init__(self, world: LocalWorld, out: TextIO, files_dir: Path) -> None:
        self.world = world
        self.out = out
        self.files_dir = files_dir
        self._printed: dict[int, int] = {}
        self.acts: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("Staff invite a partner organisation", self.act_invite),
            (
                "A partner joins in Arabic: language, consent, time zone, quiet hours",
                self.act_onboard,
            ),
            ("Staff send the quarterly partnership survey", self.act_send_survey),
            ("The partner answers the survey in Arabic", self.act_answer_survey),
            ("Staff follow the response rate", self.act_campaigns),
            ("The partner asks for a copy of their data", self.act_mydata),
            ("A stranger without a valid invitation learns nothing", self.act_stranger),
            ("A J-PAT round: each side rates the partnership, then both sign", self.act_jpat),
            ("Staff schedule a review meeting; the partner answers a reminder", self.act_meeting),
            ("Staff read the quarter's summary and its chart", self.act_summary),
        ]
        self.invite_token: str | None = None

    def phone(self, who: str, language: str = "en") -> Phone:
        user_id, name = DEMO_PEOPLE[who]
        return self.world.sandbox.user(user_id, first_name=name, language_code=language)

    def render_event(self, event: Event) -> str:
        return "\n".join(format_event(event))

    def show(self, phone: Phone) -> None:
        """Print the part of this phone's transcript not printed yet."""
        lines = self.world.sandbox.transcript(phone.user_id).splitlines()
        start = self._printed.get(phone.user_id, 1)  # line 0 is the transcript's heading
        for line in lines[start:]:
            print(f"  {line}", file=self.out)
        self._printed[phone.user_id] = len(lines)

    async def rest(self, *phones: Phone, messages: float = 12) -> None:
        """Wait until the bot may send each phone ``messages`` replies without pacing.

        Telegram allows about one message a second per chat; after a busy scene the bot's
        replies trickle out, and the next scene reads better when they have all arrived.
        """
        path = self.world.services.send_path
        for phone in phones:
            missing = messages - path.chat_allowance(phone.user_id)
            if missing > 0:
                await asyncio.sleep(missing / path.chat_rate)
            await phone.settle(quiet=0.5, timeout=WAIT)
            self.show(phone)

    async def command(
        self, phone: Phone, name: str, args: str = "", *, count: int = 1
    ) -> list[Event]:
        """Send ``/name args`` and wait for the bot's ``count`` reply messages."""
        phone.consume_all()  # what came before is not the reply
        await phone.send_command(name, args)
        return await replied(phone, count=count)

    async def say(self, phone: Phone, text: str, *, count: int = 1) -> list[Event]:
        """Type ``text`` and wait for the bot's ``count`` reply messages."""
        phone.consume_all()
        await phone.send_text(text)
        return await replied(phone, count=count)

    async def press(
        self,
        phone: Phone,
        text: str | None = None,
        *,
        data: str | None = None,
        count: int = 1,
        kinds: str | tuple[str, ...] = MESSAGE_KINDS,
    ) -> list[Event]:
        """Press a button and wait for the bot's ``count`` replies of ``kinds`` (by default
        its next message: most buttons close their keyboard and ask the next question)."""
        phone.consume_all()
        if data is not None:
            await phone.press(data=data)
        else:
            await phone.press(text)
        return await replied(phone, count=count, kinds=kinds)

    async def press_in_turn(self, phone: Phone, *data: str) -> None:
        """Press buttons by callback data, one after another, each after the bot's next message.

        A wizard asks one question per message, so a run of answers is a run of presses.
        """
        for one in data:
            await self.press(phone, data=one)

    async def play(self) -> int:
        for number, (title, act) in enumerate(self.acts, start=1):
            await self.rest(self.phone("staff"), self.phone("partner", "ar"))
            print(f"\n=== {number}. {title} ===", file=self.out)
            await act()
        print("\nWalkthrough complete.", file=self.out)
        return 0

    async def act_invite(self) -> None:
        staff = self.phone("staff")
        await self.command(staff, "start")
        await self.command(staff, "invite")
        await self.press(staff, "+ New organisation")
        await self.say(staff, "Amal Refugee Women's Network")
        await self.say(staff, "Lebanon")
        await self.say(staff, "refugee-led, women", count=2)  # created; how many uses?
        await self.press(staff, "1")
        events = await self.press(staff, "14 days")
        for event in events:
            match = LINK.search(event.text or "")
            if match:
                self.invite_token = match.group(1)
        self.show(staff)

    async def act_onboard(self) -> None:
        partner = self.phone("partner", "ar")
        await partner.start(self.invite_token)
        await replied(partner)
        await self.press(partner, "العربية")
        await self.press_in_turn(
            partner, "ob:consent:yes", "ob:tz:Asia/Beirut", "ob:quiet:21:00-08:00", "ob:attr:no"
        )
        self.show(partner)

    async def act_send_survey(self) -> None:
        staff = self.phone("staff")
        await self.command(staff, "send")
        await self.press_in_turn(
            staff, "snd:sv:partner_feedback", "snd:aud:all", "snd:due:14", "snd:go"
        )
        self.show(staff)

    async def act_answer_survey(self) -> None:
        partner = self.phone("partner", "ar")
        # The invitation is pushed through the paced send path: wait for its Start button.
        invitation, start = await until_button(partner, lambda d: d.endswith(":go"))
        partner.consume_all()
        await partner.press(data=start, message_id=invitation.message_id)
        await replied(partner, kinds=CHANGES)  # the invitation turns into the first question
        typed = iter(["الدفعات تتأخر أحياناً، ونود أن نعرف المواعيد مسبقاً."])
        for _ in range(12):
            message = partner.last_message
            if message is None or not message.reply_markup:
                break
            data = button_data(message)
            answers = [d for d in data if ":c:" in d]
            partner.consume_all()
            if answers:
                await partner.press(data=answers[min(3, len(answers) - 1)])
            elif any(d.endswith(":s") for d in data):
                await partner.press(data=next(d for d in data if d.endswith(":s")))
            else:
                await partner.send_text(next(typed, "شكراً"))
            # Each answer marks the question answered and brings the next one (or the
            # thanks): wait for that, however slowly the bot's paced messages arrive.
            await replied(partner, kinds=CHANGES)
        self.show(partner)

    async def act_campaigns(self) -> None:
        staff = self.phone("staff")
        await self.command(staff, "campaigns")
        self.show(staff)

    async def act_mydata(self) -> None:
        partner = self.phone("partner", "ar")
        partner.consume_all()
        await partner.send_command("mydata")
        events = await replied(partner, kinds=("document",))
        self.show(partner)
        for event in events:
            if event.file is not None and event.file.data is not None:
                path = self.files_dir / "my-data-amina.txt"
                path.write_bytes(event.file.data)
                print(f"  (the document is saved as {path})", file=self.out)

    async def act_jpat(self) -> None:
        from bot.devtools.walkthrough.jpat import act_jpat  # issue 5

        await act_jpat(self)

    async def act_meeting(self) -> None:
        from bot.devtools.walkthrough.meeting import act_meeting  # issue 6

        await act_meeting(self)

    async def act_summary(self) -> None:
        from bot.devtools.walkthrough.summary import act_summary  # issue 7

        await act_summary(self)

    async def act_stranger(self) -> None:
        stranger = self.phone("stranger")
        await stranger.start("not-a-real-invitation")
        await replied(stranger)
        await self.command(stranger, "invite")
        self.show(stranger)
