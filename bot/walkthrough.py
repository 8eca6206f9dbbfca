"""The scripted demo: staff and partner phones acting out the bot's main journeys.

Each act is a short scene; every feature adds its act here so a newcomer sees it working.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from bot.local import LocalWorld
from bot.sandbox import Event, Phone
from bot.sandbox.transcript import format_event

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
        replies trickle out, and a scene that paused for "quiet" would read a reply late.
        """
        path = self.world.services.send_path
        for phone in phones:
            missing = messages - path.chat_allowance(phone.user_id)
            if missing > 0:
                await asyncio.sleep(missing / path.chat_rate)
            await phone.settle(quiet=0.5, timeout=60)
            self.show(phone)

    async def play(self) -> int:
        for number, (title, act) in enumerate(self.acts, start=1):
            await self.rest(self.phone("staff"), self.phone("partner", "ar"))
            print(f"\n=== {number}. {title} ===", file=self.out)
            await act()
        print("\nWalkthrough complete.", file=self.out)
        return 0

    async def act_invite(self) -> None:
        staff = self.phone("staff")
        await staff.send_command("start")
        await staff.settle()
        await staff.send_command("invite")
        await staff.settle()
        await staff.press("+ New organisation")
        await staff.settle()
        await staff.send_text("Amal Refugee Women's Network")
        await staff.settle()
        await staff.send_text("Lebanon")
        await staff.settle()
        await staff.send_text("refugee-led, women")
        await staff.settle()
        await staff.press("1")
        await staff.settle()
        await staff.press("14 days")
        events = await staff.settle()
        for event in events:
            match = LINK.search(event.text or "")
            if match:
                self.invite_token = match.group(1)
        self.show(staff)

    async def act_onboard(self) -> None:
        partner = self.phone("partner", "ar")
        await partner.start(self.invite_token)
        await partner.settle()
        await partner.press("العربية")
        await partner.settle()
        await partner.press(data="ob:consent:yes")
        await partner.settle()
        await partner.press(data="ob:tz:Asia/Beirut")
        await partner.settle()
        await partner.press(data="ob:quiet:21:00-08:00")
        await partner.settle()
        await partner.press(data="ob:attr:no")
        await partner.settle()
        self.show(partner)

    async def act_send_survey(self) -> None:
        staff = self.phone("staff")
        await staff.send_command("send")
        await staff.settle()
        await staff.press(data="snd:sv:partner_feedback")
        await staff.settle()
        await staff.press(data="snd:aud:all")
        await staff.settle()
        await staff.press(data="snd:due:14")
        await staff.settle()
        await staff.press(data="snd:go")
        await staff.settle(quiet=0.5)
        self.show(staff)

    async def act_answer_survey(self) -> None:
        partner = self.phone("partner", "ar")
        await partner.settle(quiet=0.5)
        invitation = partner.last_message
        start = next(d for d in button_data(invitation) if d.endswith(":go"))
        await partner.press(data=start)
        await partner.settle()
        typed = iter(["الدفعات تتأخر أحياناً، ونود أن نعرف المواعيد مسبقاً."])
        for _ in range(12):
            message = partner.last_message
            if message is None or not message.reply_markup:
                break
            data = button_data(message)
            answers = [d for d in data if ":c:" in d]
            if answers:
                await partner.press(data=answers[min(3, len(answers) - 1)])
            elif any(d.endswith(":s") for d in data):
                await partner.press(data=next(d for d in data if d.endswith(":s")))
            else:
                await partner.send_text(next(typed, "شكراً"))
            # Telegram allows about one message a second in a chat; the bot paces itself,
            # so wait for the next question rather than for a fixed time.
            await partner.wait(1, kinds=("message",), timeout=20)
            await partner.settle()
        self.show(partner)

    async def act_campaigns(self) -> None:
        staff = self.phone("staff")
        await staff.send_command("campaigns")
        await staff.settle()
        self.show(staff)

    async def act_mydata(self) -> None:
        partner = self.phone("partner", "ar")
        await partner.send_command("mydata")
        events = await partner.wait(1, kinds=("document",), timeout=20)
        events += await partner.settle()
        self.show(partner)
        for event in events:
            if event.file is not None and event.file.data is not None:
                path = self.files_dir / "my-data-amina.txt"
                path.write_bytes(event.file.data)
                print(f"  (the document is saved as {path})", file=self.out)

    async def act_jpat(self) -> None:
        from bot.walkthrough_jpat import act_jpat  # issue 5

        await act_jpat(self)

    async def act_meeting(self) -> None:
        from bot.walkthrough_meeting import act_meeting  # issue 6

        await act_meeting(self)

    async def act_summary(self) -> None:
        from bot.walkthrough_summary import act_summary  # issue 7

        await act_summary(self)

    async def act_stranger(self) -> None:
        stranger = self.phone("stranger")
        await stranger.start("not-a-real-invitation")
        await stranger.settle()
        await stranger.send_command("invite")
        await stranger.settle()
        self.show(stranger)
