"""Charts on a phone, end to end: a staff member asks for one organisation's summary through the
sandbox over real HTTP, and the chart photo that arrives is 1080 px wide, draws no text under
24 px, labels its share axis in %, says n, and keeps the organisation's name on one line.

What the chart draws is read back from the photo the sandbox recorded: the PNG's metadata
carries the texts drawn and the smallest font size (``bot.charts.png``).
"""

from __future__ import annotations

import io
import json

from PIL import Image

from bot.charts import MIN_FONT_PX, NBSP
from bot.clock import ManualClock
from tests.e2e import ADMIN_ID, command_and_wait, press_and_wait
from tests.summary_data import Person
from tests.summary_world import START, photos, seed_pulse, staff_world

ORG = "Women's Refugee Leadership Network of Kakuma and Kalobeyei"


async def test_a_staff_member_gets_a_phone_readable_chart_for_one_organisation(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with staff_world(sqlite_url, clock) as world:
        people = [
            Person(ORG, {"satisfaction": 5, "consulted": "code:often"}),
            Person(ORG, {"satisfaction": 3, "consulted": "code:often"}),
            Person(ORG, {"satisfaction": 4, "consulted": "code:always"}),
            Person("Amal Network", {"satisfaction": 2, "consulted": "code:rarely"}),
            Person("Amal Network", {"satisfaction": 2, "consulted": "code:never"}),
            Person("Amal Network", {"satisfaction": 1, "consulted": "code:never"}),
        ]
        await seed_pulse(world, people)
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="en")
        await command_and_wait(admin, "summary")
        await press_and_wait(admin, "Partnership pulse")
        await press_and_wait(admin, "This quarter")
        events = await press_and_wait(admin, "One organisation")
        [label] = [b for e in events for row in e.buttons for b in row if b.startswith("Women")]
        events = await press_and_wait(admin, label, expect=("message", "photo"), count=2)
        [chart] = photos(events)
        assert chart.file is not None and chart.file.data is not None
        assert chart.file.width == 1080

        image = Image.open(io.BytesIO(chart.file.data))
        assert image.width == 1080
        assert json.loads(image.info["partnerbot"])["min_font_px"] >= MIN_FONT_PX
        drawn = image.info["Description"].replace(NBSP, " ").split("\n")
        assert "Partnership pulse" in drawn
        assert any(line.endswith(ORG) for line in drawn)  # the name whole, on one line
        assert not any("…" in line for line in drawn)
        assert "0%" in drawn and "100%" in drawn  # consulted: shares on a % axis
        assert "n = 3" in drawn  # three people of that organisation answered it
        assert any(line.endswith("(n = 3)") for line in drawn)  # the average's n
        assert chart.caption is not None and "Partnership pulse" in chart.caption
