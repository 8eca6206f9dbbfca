"""Dates end to end, through the sandbox: a survey date question, a typed period and /audit
read and show dates the reader's way (conversations/dates.py)."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from bot.clock import ManualClock
from bot.devtools.sandbox import Event, Phone
from conversations.dates import example
from storage import contacts
from storage.models import ChatFlow
from tests.e2e import ADMIN_ID, command_and_wait, press_and_wait, say_and_wait
from tests.survey_steps import (
    ALL_TYPES,
    START,
    answers_of,
    edits,
    go_button,
    launch,
    only_message,
    partner,
    plain,
    response_of,
    run_tick,
    survey_world,
    sv_data,
    t,
)

STARTED_ON = {"fr": "Depuis quand travaillez-vous avec nous ?", "en": "When did you start"}


def shown(events: list[Event]) -> str:
    return "\n".join(plain(e.content) for e in events if e.kind in ("message", "photo", "edit"))


async def tap(phone: Phone, action: str, arg: object = None) -> list[Event]:
    """Press a button of the question on screen and wait for the bot's answer to it."""
    expect = "edit" if action == "t" else "message"  # a toggle only redraws the ticks
    return await press_and_wait(phone, data=sv_data(phone, action, arg), expect=expect)


async def to_the_date_question(phone: Phone, lang: str) -> str:
    """Start the invitation and answer up to the date question; its text."""
    invitation = only_message(await phone.wait(1, kinds=("message",), timeout=10))
    await press_and_wait(phone, data=go_button(invitation), expect="edit")
    await tap(phone, "n")  # note
    await tap(phone, "c", 1)  # role: staff member
    await tap(phone, "t", 0)  # topics: one ticked
    await tap(phone, "d")
    await tap(phone, "c", 4)  # rating
    await tap(phone, "c", "no")  # has an office
    await say_and_wait(phone, "120")  # people reached
    events = await tap(phone, "s")  # budget is optional
    asked = plain(only_message(events).text)
    assert STARTED_ON[lang] in asked
    return asked


async def test_a_survey_date_is_read_the_partners_way(sqlite_url: str) -> None:
    clock = ManualClock(START)  # Monday 2 March 2026, 10:00 in Nairobi
    async with survey_world(sqlite_url, clock) as world:
        amina = await partner(world, clock, 7101, language="fr", name="Amina")
        jean = await partner(world, clock, 7102, language="fr", name="Jean")
        grace = await partner(world, clock, 7103, language="en", name="Grace")
        await launch(world, clock, ALL_TYPES)
        assert (await run_tick(world)).sent == 3

        # The question shows one example, written as a French reader writes dates (its date
        # comes from the real calendar: the hint is rendered before any answer).
        asked = await to_the_date_question(amina, "fr")
        today = date.today()
        hint = example(
            "fr", today, allow_future=False, low=date(1990, 1, 1), high=today
        )  # max_date: today
        assert t("fr", "Type a date, for example {example}.", example=hint) in asked
        assert "31/12/2026" not in asked

        # Tomorrow is past the question's end: the range message, in the reader's dates.
        refusal = only_message(await say_and_wait(amina, "demain"))
        assert plain(refusal.text) == t(
            "fr",
            "Please give a value from {min} to {max}.",
            min=format_date(date(1990, 1, 1), "medium", locale="fr"),
            max=format_date(date(2026, 3, 2), "medium", locale="fr"),
        )
        events = await say_and_wait(amina, "2 mars 2026")
        assert "✓ 2 mars 2026" in shown(edits(events))
        rows = await answers_of(world, (await response_of(world, 7101)).id)
        assert (rows["started_on"].value_text, rows["started_on"].raw_text) == (
            "2026-03-02",
            "2 mars 2026",
        )

        # Words that are no date: an example the question accepts, the French way (the last
        # day of February: the question allows no future date).
        await to_the_date_question(jean, "fr")
        refusal = only_message(await say_and_wait(jean, "un jour"))
        assert plain(refusal.text) == t(
            "fr", "Please type a date, for example {example}.", example="28/02/2026"
        )
        events = await say_and_wait(jean, "hier")
        assert "✓ 1 mars 2026" in shown(edits(events))
        rows = await answers_of(world, (await response_of(world, 7102)).id)
        assert rows["started_on"].value_text == "2026-03-01"

        # "yesterday" in English; and an English reader's numbers are month first.
        await to_the_date_question(grace, "en")
        events = await say_and_wait(grace, "Yesterday")
        assert "✓ Mar 1, 2026" in shown(edits(events))
        rows = await answers_of(world, (await response_of(world, 7103)).id)
        assert rows["started_on"].value_text == "2026-03-01"


async def test_a_typed_period_and_the_audit_log_in_french(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        async with world.db.transaction() as session:
            admin_contact = await contacts.make_staff(
                session,
                telegram_user_id=ADMIN_ID,
                display_name="Grace",
                language="fr",
                timezone="Africa/Nairobi",
                now=clock.now(),
            )
            # The admin may already have a contact (made at start in the default language).
            admin_contact.language, admin_contact.timezone = "fr", "Africa/Nairobi"
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="fr")
        await command_and_wait(admin, "summary")
        await press_and_wait(admin, data="sum:sv:partner_feedback")
        events = await press_and_wait(admin, data="sum:per:custom")
        # One example, last quarter's first and last day, the French way.
        prompt = shown(events)
        assert "01/10/2025 31/12/2025" in prompt
        assert "2026-01-01" not in prompt

        refusal = only_message(await say_and_wait(admin, "du début à la fin"))
        assert plain(refusal.text) == t(
            "fr",
            "I could not read two dates. Please type them like this: {first} {last}",
            first="01/10/2025",
            last="31/12/2025",
        )
        events = await say_and_wait(admin, "1 janv. 2026 au 2/3/2026")
        assert t("fr", "Whose answers?") in shown(events)
        async with world.db.sessions() as session:
            flow = await session.get(ChatFlow, ADMIN_ID)
        assert flow is not None
        # periods are in the organisation's zone (UTC here): 1 January up to the end of 2 March
        assert flow.data["start"].startswith("2026-01-01T00:00")
        assert flow.data["end"].startswith("2026-03-03T00:00")

        # /audit: when, the French way (medium date and time in Nairobi), never "02/03/26".
        await command_and_wait(admin, "audit")  # the first read is the entry the second shows
        lines = shown(await command_and_wait(admin, "audit")).splitlines()
        assert lines[0] == t("fr", "Recent staff actions (newest first):")
        assert any(line.startswith("2 mars 2026, 10:00 · Grace · ") for line in lines[1:])
        assert not any("/26 " in line for line in lines)
