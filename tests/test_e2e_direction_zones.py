"""Right-to-left text and time zones end to end, through the sandbox over real HTTP: /mydata in
Arabic and Swahili names zones by their city and uses the reader's punctuation, partners' words
quoted in /summary are bidi-isolated, /timezone takes a typed city (and asks which place an
ambiguous name means), and /language in the middle of a survey offers to continue it."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import Event
from bot.dispatch import tick
from bot.i18n import FSI, PDI, RLM, words
from storage import campaigns
from storage.models import Contact, Response
from tests.e2e import (
    ADMIN_ID,
    command_and_wait,
    make_invite,
    onboard_and_wait,
    press_and_wait,
    say_and_wait,
    settle_after,
)
from tests.summary_data import Person, seed
from tests.summary_world import PULSE, START, plain, shown, staff_world, t

ZONE_ID = re.compile(r"\b(Africa|America|Asia|Europe|Atlantic|Indian|Pacific|Etc)/\w")
quick_world = staff_world  # no periodic tick, no per-chat pacing, the test surveys


def button_rows(event: Event) -> list[str]:
    return [plain(text) for row in event.buttons for text in row]


def last_with_buttons(events: list[Event]) -> Event:
    found = [e for e in events if e.kind == "message" and e.buttons]
    assert found, [e.content for e in events]
    return found[-1]


def mydata_body(events: list[Event]) -> str:
    [document] = [e for e in events if e.kind == "document"]
    assert document.file is not None and document.file.data is not None
    return document.file.data.decode("utf-8")


async def contact_of(world: LocalWorld, user_id: int) -> Contact:
    async with world.db.sessions() as session:
        contact = await session.scalar(select(Contact).where(Contact.telegram_user_id == user_id))
        assert contact is not None
        return contact


async def pulse_to_everyone(world: LocalWorld, clock: ManualClock, expected: int) -> None:
    """Launch partner_feedback to all partners now and deliver the invitations."""
    entry = world.services.surveys.get(PULSE)
    assert entry is not None
    survey, version_id = entry
    async with world.db.transaction() as session:
        launched = await campaigns.launch(
            session,
            survey_id=survey.id,
            survey_version_id=version_id,
            audience_kind="all",
            audience_value=None,
            due_at=clock.now() + timedelta(days=14),
            created_by=None,
            now=clock.now(),
        )
    assert launched.invited == expected
    assert world.bot is not None
    report = await tick(world.bot.application)
    assert report.sent == expected, report


def go_data(event: Event) -> str:
    [data] = [d for d in event.button_data.values() if d.startswith("sv:") and d.endswith(":go")]
    return data


# ------------------------------------------------------------------------------ /mydata


async def test_arabic_mydata_names_the_city_and_uses_arabic_punctuation(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with quick_world(sqlite_url, clock) as world:
        token, _ = await make_invite(world.db, org_name="شبكة أمل", now=START)
        phone = await onboard_and_wait(world, 7101, token, language="ar", name="Amal")
        await pulse_to_everyone(world, clock, 1)  # a survey line in the answers section
        await settle_after(phone)

        body = mydata_body(await command_and_wait(phone, "mydata", expect="document"))
        assert not ZONE_ID.search(body), body
        text = plain(body)
        zone_line = t("ar", "Time zone: {zone}", zone="نيروبي (UTC+3)")
        assert zone_line in text.split("\n"), text
        # The survey's line is assembled in code: "title (date، status)", with the Arabic comma
        survey_line = next(line for line in text.split("\n") if line.startswith("نبض الشراكة"))
        assert "، " in survey_line and "," not in survey_line, survey_line
        assert survey_line.endswith(f"، {t('ar', 'not started')})"), survey_line
        assert not any(mark in text for mark in ",;?"), text  # ، ؛ ؟ throughout
        # A text file has no chat to guess its direction: every Arabic line starts RTL.
        assert all(line.startswith(RLM) for line in body.split("\n") if line), body


async def test_swahili_mydata_shows_a_city_not_a_zone_id(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with quick_world(sqlite_url, clock) as world:
        token, _ = await make_invite(world.db, org_name="Tumaini", country="TZ", now=START)
        phone = await onboard_and_wait(
            world, 7201, token, language="sw", name="Neema", zone="Africa/Dar_es_Salaam"
        )
        body = mydata_body(await command_and_wait(phone, "mydata", expect="document"))
        assert "Dar_es_Salaam" not in body and not ZONE_ID.search(body), body
        assert t("sw", "Time zone: {zone}", zone="Dar es Salaam (UTC+3)") in body.split("\n")


# ------------------------------------------------------------------------------ /summary


async def test_partners_words_are_isolated_in_an_arabic_summary(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with quick_world(sqlite_url, clock) as world:
        entry = world.services.surveys.get(PULSE)
        assert entry is not None
        survey, version_id = entry
        said = ["Pay on time", "الدفعات تتأخر كثيراً", "Shorter forms, please"]
        async with world.db.transaction() as session:
            await seed(
                session,
                PULSE,
                [Person(f"Org {i}", {"satisfaction": 4, "improve": s}) for i, s in enumerate(said)],
                invited_at=START - timedelta(days=1),
                orgs={},
                survey_version_id=version_id,
            )
        admin = world.sandbox.user(ADMIN_ID, first_name="Grace", language_code="ar")
        await command_and_wait(admin, "start")
        await command_and_wait(admin, "language")
        await press_and_wait(admin, "العربية")
        await command_and_wait(admin, "summary")
        await press_and_wait(admin, survey.text_for(survey.title, "ar"), expect="message")
        await press_and_wait(admin, t("ar", "This quarter"), expect="message")
        events = await press_and_wait(
            admin, t("ar", "All partners"), expect=("message", "photo"), count=2
        )
        raw = "\n".join(e.content or "" for e in events if e.kind == "message")
        assert t("ar", "Some of the answers:") in plain(raw), plain(raw)
        for words_said in said:
            # each quote's words sit in an isolate of their own inside the quotation marks
            assert f"“{FSI}{words_said}{PDI}”" in raw, raw
        quoted = [line for line in raw.split("\n") if "“" in line]
        assert len(quoted) == 3 and all(line.startswith(RLM) for line in quoted), quoted


def test_quoted_words_are_isolated_where_directions_mix() -> None:
    assert words("Pay on time", "ar") == f"{FSI}Pay on time{PDI}"
    assert words("الدفعات تتأخر", "en") == f"{FSI}الدفعات تتأخر{PDI}"  # Arabic in English
    assert words("Pay on time", "en") == "Pay on time"  # nothing to isolate
    assert words("سطر\n\nline", "ar") == f"{FSI}سطر{PDI}\n\n{FSI}line{PDI}"  # line by line


# ------------------------------------------------------------------------------ /timezone


async def test_a_city_typed_at_timezone_is_taken_without_pressing_other(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with quick_world(sqlite_url, clock) as world:
        token, _ = await make_invite(world.db, now=START)
        phone = await onboard_and_wait(world, 7301, token)
        asked = await command_and_wait(phone, "timezone", count=2)
        assert "Or type the name of your city." in shown(asked)
        events = await say_and_wait(phone, "Kampala")
        assert "Saved. Your time zone is now Kampala (UTC+3)." in shown(events)
        assert (await contact_of(world, 7301)).timezone == "Africa/Kampala"
        # a city in another script, and a country with one time zone, are found as well
        await command_and_wait(phone, "timezone", count=2)
        events = await say_and_wait(phone, "بيروت")
        assert "Saved. Your time zone is now Beirut (UTC+2)." in shown(events)
        await command_and_wait(phone, "timezone", count=2)
        events = await say_and_wait(phone, "Lebanon")
        assert "Saved. Your time zone is now Beirut (UTC+2)." in shown(events)
        assert (await contact_of(world, 7301)).timezone == "Asia/Beirut"
        # the step is over: the next message is not taken as a city
        events = await say_and_wait(phone, "Nairobi")
        assert "Saved." not in shown(events)
        assert (await contact_of(world, 7301)).timezone == "Asia/Beirut"


async def test_a_city_typed_during_onboarding_is_taken_without_pressing_other(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with quick_world(sqlite_url, clock) as world:
        token, _ = await make_invite(world.db, now=START)
        phone = world.sandbox.user(7311, first_name="Amina", language_code="en")
        await command_and_wait(phone, "start", token)
        await press_and_wait(phone, data="ob:lang:en")
        asked = await press_and_wait(phone, data="ob:consent:yes")
        assert "Or type the name of your city." in shown(asked)
        events = await say_and_wait(phone, "Kampala", count=2)
        assert "Time zone: Kampala (UTC+3)" in shown(events)
        assert "I will not send you reminders between 21:00 and 08:00" in shown(events)
        assert (await contact_of(world, 7311)).timezone == "Africa/Kampala"


async def test_amman_or_oman_is_asked_with_two_buttons(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with quick_world(sqlite_url, clock) as world:
        token, _ = await make_invite(world.db, country="JO", now=START)
        phone = await onboard_and_wait(world, 7401, token, language="ar", zone="Asia/Amman")
        await command_and_wait(phone, "timezone", count=2)
        events = await say_and_wait(phone, "عمان")
        question = last_with_buttons(events)
        assert t(
            "ar", '"{text}" can mean more than one place. Which one do you mean?', text="عمان"
        ) in plain(question.content)
        # city and country in Arabic (CLDR), joined with the Arabic comma
        assert button_rows(question) == ["عمّان، الأردن (UTC+3)", "مسقط، عُمان (UTC+4)"]
        assert (await contact_of(world, 7401)).timezone == "Asia/Amman"  # nothing saved yet
        events = await press_and_wait(phone, "مسقط، عُمان (UTC+4)")
        assert (await contact_of(world, 7401)).timezone == "Asia/Muscat"
        assert "مسقط (UTC+4)" in shown(events)
        # In English "Amman" and "Oman" are different words: no question
        await command_and_wait(phone, "language")
        await press_and_wait(phone, "English")
        await command_and_wait(phone, "timezone", count=2)
        events = await say_and_wait(phone, "Amman")
        assert "Saved. Your time zone is now Amman (UTC+3)." in shown(events)


# ------------------------------------------------------------------------------ /language


async def test_language_changed_mid_survey_offers_to_continue_in_the_new_language(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with quick_world(sqlite_url, clock) as world:
        token, _ = await make_invite(world.db, now=START)
        phone = await onboard_and_wait(world, 7501, token)
        await pulse_to_everyone(world, clock, 1)
        [invitation] = [e for e in await settle_after(phone) if e.kind == "message"]
        await press_and_wait(phone, data=go_data(invitation), expect="edit")
        survey = world.services.surveys.get(PULSE)[0]
        communication = survey.question("communication")
        assert communication is not None
        question = phone.messages[-1]
        answer = next(
            d
            for row in question.reply_markup["inline_keyboard"]
            for d in (b.get("callback_data", "") for b in row)
            if d.startswith("sv:") and d.endswith(":c:4")
        )
        events = await press_and_wait(phone, data=answer)
        assert survey.text_for(communication.text, "en") in shown(events)

        await command_and_wait(phone, "language")
        events = await press_and_wait(phone, "العربية")
        offer = last_with_buttons(events)
        assert t("ar", "From now on I will write to you in this language.") in plain(offer.content)
        assert button_rows(offer) == [t("ar", "Continue the survey")]
        response_id = int(go_data(offer).split(":")[1])

        events = await press_and_wait(phone, t("ar", "Continue the survey"), expect="edit")
        [asked] = [e for e in events if e.kind == "edit" and e.message_id == offer.message_id]
        assert survey.text_for(communication.text, "ar") in plain(asked.content)
        assert survey.text_for(communication.text, "en") not in plain(asked.content)
        assert asked.buttons, "the question comes with its answer buttons"
        async with world.db.sessions() as session:
            response = await session.get(Response, response_id)
            assert response is not None
            assert (response.status, response.language, response.asked_key) == (
                "in_progress",
                "ar",
                "communication",
            )


async def test_language_change_outside_a_survey_offers_nothing(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with quick_world(sqlite_url, clock) as world:
        token, _ = await make_invite(world.db, now=START)
        phone = await onboard_and_wait(world, 7601, token)
        await command_and_wait(phone, "language")
        events = await press_and_wait(phone, "Français")
        [reply] = [e for e in events if e.kind == "message"]
        assert plain(reply.content) == t("fr", "From now on I will write to you in this language.")
        assert not reply.buttons
