"""The scripted demo: staff and partner phones acting out the bot's main journeys.

Each act is a short scene; every feature adds its act here so a newcomer sees it working.
"""

from __future__ import annotations

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
            ("The partner asks for a copy of their data", self.act_mydata),
            ("A stranger without a valid invitation learns nothing", self.act_stranger),
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

    async def play(self) -> int:
        for number, (title, act) in enumerate(self.acts, start=1):
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

    async def act_mydata(self) -> None:
        partner = self.phone("partner", "ar")
        await partner.send_command("mydata")
        events = await partner.settle()
        self.show(partner)
        for event in events:
            if event.file is not None and event.file.data is not None:
                path = self.files_dir / "my-data-amina.txt"
                path.write_bytes(event.file.data)
                print(f"  (the document is saved as {path})", file=self.out)

    async def act_stranger(self) -> None:
        stranger = self.phone("stranger")
        await stranger.start("not-a-real-invitation")
        await stranger.settle()
        await stranger.send_command("invite")
        await stranger.settle()
        self.show(stranger)
