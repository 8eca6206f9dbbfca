"""Issue item 5 end to end: /forget forgets a person's words, not only their name.

A partner answers the pulse in chat (a voice note, and typed words with a phone number), is
on a partnership's side and invited to a meeting, then uses /forget. Afterwards staff's
/summary, /pending, /partnership and the meeting's attendance list hold nothing of them but
counts, the answers table holds the marker instead of their words, and /mydata tells them what
was kept and why.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import Event, Phone
from storage import meeting_answers, meetings, partnerships
from storage.contacts import REMOVED
from storage.models import AnswerRow, Contact, Response
from tests.e2e import (
    ADMIN_ID,
    command_and_wait,
    make_invite,
    press_and_wait,
    settle,
)
from tests.survey_steps import (
    PULSE,
    START,
    THANKS,
    launch,
    open_invitation,
    plain,
    reaction,
    run_tick,
    say,
    shown,
    survey_world,
    tap,
)

PHONE_NUMBER = "+254 712 345 678"
GRACE_WORDS = f"The field officer shouts at us. Please call me on {PHONE_NUMBER}"
OTHERS = {  # user id -> (name, organisation, what they type for "improve")
    7202: ("Amina", "Amal Network", "Share the budget with us earlier."),
    7203: ("Juma", "Tumaini Group", "Shorter forms, please."),
    7204: ("Neema", "Upendo Women", "Visit us more often."),
}
GRACE, BARAKA = 7201, 7205  # both of Hope RLO; Baraka never answers


async def join(world: LocalWorld, user_id: int, token: str, name: str) -> Phone:
    """Onboarding with the buttons (it has its own tests): unnamed, only in totals."""
    phone = world.sandbox.user(user_id, first_name=name, language_code="en")
    await phone.start(token)
    await phone.wait(1, timeout=10)
    for data in (
        "ob:lang:en",
        "ob:consent:yes",
        "ob:tz:Africa/Nairobi",
        "ob:quiet:21:00-08:00",
        "ob:attr:no",
    ):
        await phone.press(data=data)
        await phone.wait(1, timeout=10)
    await settle(phone)
    phone.consume_all()
    return phone


async def answer_pulse(phone: Phone, improve: str, *, voice: bool = False) -> None:
    """The pulse from its invitation to the thanks; ``voice``: a low score, and a voice note
    saying what went wrong."""
    await open_invitation(phone)
    await tap(phone, "c", 2 if voice else 4)  # satisfaction
    if voice:
        await phone.send_voice(30)
        await reaction(phone)
    await tap(phone, "c", 3)  # communication
    await tap(phone, "c", 1)  # consulted: often
    await tap(phone, "c", 0)  # payments: on time
    await tap(phone, "c", 4)  # credit
    events = await say(phone, improve)
    if THANKS not in shown(events):  # the confidential question, when it is asked: skipped
        events = await tap(phone, "s")
    assert THANKS in shown(events)


async def staff_view(admin: Phone, *presses: str, command: str, args: str = "") -> str:
    """A staff command and then buttons (by their data), everything shown in the end."""
    events = await command_and_wait(admin, command, args)
    for data in presses:
        events = await press_and_wait(admin, data=data, expect=("message", "photo"))
    return text_of(events)


def text_of(events: list[Event]) -> str:
    return "\n".join(plain(e.content) for e in events if e.kind in ("message", "photo", "edit"))


async def summary(admin: Phone) -> str:
    await command_and_wait(admin, "summary")
    for choice in ("Partnership pulse", "This quarter"):
        await press_and_wait(admin, choice, expect=("message",))
    await admin.press("All partners")
    first = await admin.wait(2, kinds=("message", "photo"), timeout=20)
    return text_of(first + await settle(admin))


async def setting_up(world: LocalWorld, clock: ManualClock) -> tuple[dict[int, Phone], int, int]:
    """Five partners, the pulse answered by four, a Hope RLO partnership and its meeting
    (Grace said she will attend). Returns the phones, the partnership and the meeting."""
    token, hope = await make_invite(world.db, org_name="Hope RLO", uses=2, now=clock.now())
    phones = {GRACE: await join(world, GRACE, token, "Grace")}
    phones[BARAKA] = await join(world, BARAKA, token, "Baraka")
    for user_id, (name, org, _words) in OTHERS.items():
        other, _org = await make_invite(world.db, org_name=org, now=clock.now())
        phones[user_id] = await join(world, user_id, other, name)
    await launch(world, clock, PULSE)
    await run_tick(world)
    for user_id, (_name, _org, words) in OTHERS.items():
        await answer_pulse(phones[user_id], words)
    clock.advance(minutes=5)  # the newest answer: the summary quotes the 3 newest
    await answer_pulse(phones[GRACE], GRACE_WORDS, voice=True)
    assert hope is not None
    async with world.db.transaction() as session:
        partnership = await partnerships.create(
            session,
            organisation_id=hope,
            start_date=None,
            stage="ongoing",
            cadence="quarterly",
            created_by=None,
            now=clock.now(),
        )
        meeting = await meetings.create(
            session,
            partnership_id=partnership.id,
            kind="quarterly",
            starts_at=clock.now() + timedelta(days=7),
            organiser_timezone="Africa/Nairobi",
            organiser_telegram_id=ADMIN_ID,
            created_by=None,
            place=None,
            agenda=None,
            reminder_offsets=[],
            members=await meetings.current_members(session, partnership.id),
            now=clock.now(),
        )
        grace = await session.scalar(select(Contact).where(Contact.telegram_user_id == GRACE))
        assert grace is not None
        await meeting_answers.set_answer(session, meeting.id, grace.id, "attending", clock.now())
        return phones, partnership.id, meeting.id


async def grace_answers(world: LocalWorld, contact_id: int) -> dict[str, AnswerRow]:
    async with world.db.sessions() as session:
        rows = await session.scalars(
            select(AnswerRow)
            .join(Response, Response.id == AnswerRow.response_id)
            .where(Response.contact_id == contact_id)
        )
        return {row.question_key: row for row in rows}


async def test_forget_erases_words_and_every_list_keeps_only_counts(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with survey_world(sqlite_url, clock) as world:
        phones, partnership_id, meeting_id = await setting_up(world, clock)
        grace = phones[GRACE]
        async with world.db.sessions() as session:
            contact = await session.scalar(select(Contact).where(Contact.telegram_user_id == GRACE))
        assert contact is not None
        admin = world.sandbox.user(ADMIN_ID, first_name="Sam", language_code="en")

        # Before: her words are quoted, her name is on every list.
        before = await summary(admin)
        assert f"“{GRACE_WORDS}”" in before
        assert "Asked: 5 · started: 4 · completed: 4" in before
        pending_before = await staff_view(admin, "pnd:show:c:1", command="pending")
        assert "Completed: 4 of 5. Not completed yet: 1." in pending_before
        assert "Baraka (not started)" in pending_before
        card = await staff_view(admin, command="partnership", args=str(partnership_id))
        assert "Grace" in card and "Baraka" in card
        attendance = await staff_view(admin, f"mtg:v:{meeting_id}", command="meetings")
        assert "Attending (1): Grace" in attendance

        # The question says exactly what goes and what stays, before she confirms.
        question = text_of(await command_and_wait(grace, "forget"))
        assert "This deletes your name, the connection to your Telegram account" in question
        assert "takes you off every list that names people" in question
        assert "Your words are erased: 2 answers you typed or recorded" in question
        assert (
            "We keep 5 answers as numbers and choices, counted only in totals of at least 3 "
            "people, so nobody can trace them to you." in question
        )
        done = text_of(
            await press_and_wait(grace, "Yes, delete my data", count=2, expect=("edit", "message"))
        )
        assert "We removed your name, your words and your place in every list." in done
        assert "We kept 5 answers as numbers and choices" in done

        # The answers table holds the marker, not her words; numbers and choices stay.
        rows = await grace_answers(world, contact.id)
        assert rows["improve"].value_text == REMOVED
        assert rows["improve"].raw_text in (None, REMOVED)  # never the words
        assert rows["what_went_wrong"].value_text == REMOVED
        assert rows["what_went_wrong"].voice_file_id is None
        assert rows["satisfaction"].value_num == 2 and rows["consulted"].value_text == "often"
        async with world.db.sessions() as session:
            everything = list(await session.scalars(select(AnswerRow.raw_text)))
            everything += list(await session.scalars(select(AnswerRow.value_text)))
        assert not any(PHONE_NUMBER in (text or "") for text in everything)

        # Staff's summary: the same people counted, her words gone, the others' still quoted.
        after = await summary(admin)
        assert "Asked: 5 · started: 4 · completed: 4" in after
        assert PHONE_NUMBER not in after and "shouts" not in after
        assert "“Shorter forms, please.”" in after

        # /pending: she is neither listed nor counted, so nothing tells what she had done.
        pending_after = await staff_view(admin, "pnd:show:c:1", command="pending")
        assert "Completed: 3 of 4. Not completed yet: 1." in pending_after
        assert "Baraka (not started)" in pending_after
        assert "Grace" not in pending_after and "a partner" not in pending_after

        # The partnership and the meeting list the others, never her nor "(no name)".
        card = await staff_view(admin, command="partnership", args=str(partnership_id))
        assert "Partner side: Baraka" in card
        assert "Grace" not in card and "(no name)" not in card
        attendance = await staff_view(admin, f"mtg:v:{meeting_id}", command="meetings")
        assert "Attending" not in attendance and "Grace" not in attendance
        assert "(no name)" not in attendance
        assert "No answer yet (1): Baraka" in attendance

        # /mydata: nothing personal any more, and what was kept and why.
        mydata = text_of(await command_and_wait(grace, "mydata"))
        assert "I have no personal data about you." in mydata
        assert "we removed your name, your words and your place in every list" in mydata
        assert "counted only in totals of at least 3 people" in mydata
        assert "Grace" not in mydata
