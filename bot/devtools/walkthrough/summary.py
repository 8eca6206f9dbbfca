"""The walkthrough's last act: staff read the quarter's summary and its chart.

A summary shows figures only when at least three people answered (the privacy threshold), and
the demo has one partner on a phone; so the answers of three more partner organisations, given
earlier in the quarter, are loaded first. The chart the staff phone receives is saved to a file
whose path the transcript prints.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage import organisations, surveys
from storage.models import Campaign, Contact

# (organisation, satisfaction, communication, consulted, payments, credit, improvement)
EARLIER_ANSWERS = (
    ("Sawa Youth Initiative", 4, 4, "often", "mostly", 4, "Share the budget earlier."),
    ("Ubuntu Women Collective", 3, 2, "sometimes", "often_late", 3, "Visit us more often."),
    ("Tumaini Refugee Network", 5, 4, "always", "on_time", 5, "Keep the training going."),
)


async def load_earlier_answers(walkthrough: Any) -> int:
    """Three more organisations' completed answers to the open pulse campaign."""
    db = walkthrough.world.db
    now = walkthrough.world.services.clock.now()
    added = 0
    async with db.transaction() as session:
        campaign = await session.scalar(
            select(Campaign)
            .where(Campaign.survey_id == "partner_feedback")
            .order_by(Campaign.id.desc())
            .limit(1)
        )
        if campaign is None:
            return 0
        for name, *answers in EARLIER_ANSWERS:
            org = await organisations.create(
                session, name=name, country="KE", tags=["refugee-led"], now=now
            )
            contact = Contact(
                organisation_id=org.id,
                role="partner",
                language="en",
                status="active",
                consent_at=now,
                attribution="aggregate",
                created_at=now,
                updated_at=now,
            )
            session.add(contact)
            await session.flush()
            response = await surveys.create_response(
                session,
                survey_id="partner_feedback",
                survey_version_id=campaign.survey_version_id,
                contact_id=contact.id,
                organisation_id=org.id,
                language="en",
                now=now,
                campaign_id=campaign.id,
            )
            response.status, response.started_at, response.completed_at = "completed", now, now
            satisfaction, communication, consulted, payments, credit, improve = answers
            for key, num, code, text in (
                ("satisfaction", satisfaction, None, None),
                ("communication", communication, None, None),
                ("consulted", None, consulted, None),
                ("payments_on_time", None, payments, None),
                ("credit", credit, None, None),
                ("improve", None, None, improve),
            ):
                await surveys.save_answer(
                    session,
                    response_id=response.id,
                    key=key,
                    status="answered",
                    value_num=float(num) if num is not None else None,
                    value_text=code or text,
                    choice_codes=[code] if code else None,
                    raw_text=None,
                    voice_file_id=None,
                    voice_duration=None,
                    language="en",
                    now=now,
                )
            added += 1
    return added


async def act_summary(walkthrough: Any) -> None:
    out = walkthrough.out
    added = await load_earlier_answers(walkthrough)
    print(
        f"  ({added} more partner organisations answered earlier this quarter: a summary "
        "shows figures only when at least 3 people answered)",
        file=out,
    )
    staff = walkthrough.phone("staff")
    await walkthrough.command(staff, "summary")
    await walkthrough.press(staff, data="sum:sv:partner_feedback")
    await walkthrough.press(staff, data="sum:per:this")
    # The figures come first, then the chart: wait for the chart, however long it takes.
    events = await walkthrough.press(staff, data="sum:aud:all", kinds=("photo",))
    walkthrough.show(staff)
    for event in events:
        if event.kind == "photo" and event.file is not None and event.file.data is not None:
            path = walkthrough.files_dir / "summary-chart.png"
            path.write_bytes(event.file.data)
            print(f"  (the chart is saved as {path})", file=out)
