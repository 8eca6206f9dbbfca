"""Issue 3 end to end: onboarding through the sandbox over real HTTP, in English and in
Arabic; "not now", reopening a link when already set up, and typed time zones. Invitation
links, self-service, roles and stale buttons are in their own ``test_e2e_*.py`` files; shared
helpers in ``tests/onboarding_steps.py``.
"""

from __future__ import annotations

from bot.clock import ManualClock
from bot.i18n import RLM, translator
from tests.e2e import command_and_wait as command
from tests.e2e import make_invite
from tests.e2e import onboard_and_wait as onboard
from tests.e2e import press_and_wait as press
from tests.e2e import say_and_wait as say
from tests.onboarding_steps import (
    PARTNER_MENU,
    PICKER,
    START,
    STRANGER_MENU,
    answers,
    contact_of,
    contacts_besides_admin,
    edits,
    flat,
    flow_of,
    invite_for,
    menu,
    menu_text,
    only_message,
    plain,
    quick_world,
    t,
)

# ------------------------------------------------------------------------------ onboarding


async def test_onboarding_in_english_end_to_end(database_url: str) -> None:
    clock = ManualClock(START)
    async with quick_world(database_url, clock=clock) as world:
        token, org_id = await make_invite(world.db, org_name="Hope RLO", country="KE", now=START)
        phone = world.sandbox.user(1001, first_name="Grace", last_name="Achieng")
        picker = only_message(await command(phone, "start", token))
        assert "Which language would you like me to use?" in picker.text
        assert flat(picker.buttons) == PICKER  # each in its own script, Telegram's first
        flow = await flow_of(world.db, 1001)
        assert flow is not None and flow.step == "language"
        assert await contact_of(world.db, 1001) is None  # nothing personal before consent

        events = await press(phone, "English")
        assert edits(events) == ["Language: English"]
        consent = only_message(events)
        for part in (
            "What we store: your answers, your name as shown in Telegram, your language and "
            "your time zone.",
            "Who sees it: the NGO staff who work with your organisation.",
            "/mydata",
            "/forget",
            "Do you agree?",
        ):
            assert part in consent.text
        assert flat(consent.buttons) == ["I agree", "Not now"]
        assert await contact_of(world.db, 1001) is None

        events = await press(phone, "I agree")
        assert edits(events) == ["I agree"]
        zone_question = only_message(events)
        assert "Which time zone are you in?" in zone_question.text
        assert "Time zones for Kenya:" in zone_question.text
        assert flat(zone_question.buttons) == ["Nairobi (UTC+3)", "Other"]

        events = await press(phone, "Nairobi (UTC+3)")
        assert edits(events) == ["Time zone: Nairobi (UTC+3)"]
        quiet = only_message(events)
        assert "between 21:00 and 08:00 your time" in quiet.text
        assert flat(quiet.buttons)[0] == "Yes, keep 21:00–08:00"
        assert "Choose other hours" in flat(quiet.buttons)

        events = await press(phone, "Yes, keep 21:00–08:00")
        assert edits(events) == ["Quiet hours: 21:00–08:00"]
        attribution = only_message(events)
        assert "may it name your organisation next to your answers?" in attribution.text
        assert flat(attribution.buttons) == ["Yes, you may name us", "No, only in totals"]

        events = await press(phone, "No, only in totals")
        welcome = only_message(events)
        assert "You're all set, Grace! Thank you." in welcome.text
        assert "J-PAT check-ins" in welcome.text
        assert "reminders before review meetings" in welcome.text
        assert "/mydata - get a copy of everything stored about you" in welcome.text
        assert "/invite" not in welcome.text  # a partner is not told about staff commands
        assert "My data" in flat(welcome.buttons)

        contact = await contact_of(world.db, 1001)
        assert contact is not None
        assert contact.display_name == "Grace Achieng"
        assert contact.organisation_id == org_id
        assert (contact.role, contact.status) == ("partner", "active")
        assert contact.language == "en"
        assert contact.timezone == "Africa/Nairobi"
        assert (contact.quiet_start, contact.quiet_end) == ("21:00", "08:00")
        assert contact.consent_at == START
        assert contact.attribution == "aggregate"
        assert await flow_of(world.db, 1001) is None
        assert (await invite_for(world.db, token)).uses == 1
        assert menu(phone) == PARTNER_MENU


async def test_onboarding_in_arabic_end_to_end(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with quick_world(sqlite_url, clock=clock) as world:
        token, org_id = await make_invite(world.db, org_name="أمل", country="JO", now=START)
        phone = world.sandbox.user(1002, first_name="أمينة", language_code="ar")
        picker = only_message(await command(phone, "start", token))
        assert picker.text.startswith(RLM)
        assert plain(picker.text) == t("ar", "Welcome! Which language would you like me to use?")
        assert flat(picker.buttons) == ["العربية", "English", "Français", "Español", "Kiswahili"]

        events = await press(phone, "العربية")
        consent = only_message(events)
        assert "What we store" not in consent.text
        for msgid in (
            "What we store: your answers, your name as shown in Telegram, your language and "
            "your time zone.",
            "Do you agree?",
        ):
            assert t("ar", msgid) != msgid  # really translated ...
            assert t("ar", msgid) in plain(consent.text)  # ... and shown in Arabic
        assert all(line.startswith(RLM) for line in consent.text.split("\n") if line)
        agree, not_now = t("ar", "I agree"), t("ar", "Not now")
        assert flat(consent.buttons) == [agree, not_now]

        zone_question = only_message(await press(phone, agree))
        assert t("ar", "Time zones for {country}:", country="الأردن") in plain(zone_question.text)
        amman = "عمّان (UTC+3)"
        assert flat(zone_question.buttons) == [
            amman,
            plain(translator("ar").pgettext("time zone", "Other")),
        ]

        quiet = only_message(await press(phone, amman))
        assert t("ar", "Choose other hours") in flat(quiet.buttons)
        typed = only_message(await press(phone, t("ar", "Choose other hours")))
        assert plain(typed.text) == t(
            "ar", "Please type when your quiet hours start and end, for example 22:00-07:00."
        )
        unclear = only_message(await say(phone, "قريبا"))
        assert plain(unclear.text) == t(
            "ar",
            "I couldn't read that. Please type a start time and an end time, "
            "for example 22:00-07:00.",
        )
        attribution = only_message(await say(phone, "22-7"))
        yes = t("ar", "Yes, you may name us")
        assert flat(attribution.buttons) == [yes, t("ar", "No, only in totals")]

        welcome = only_message(await press(phone, yes))
        assert t("ar", "You're all set, {name}! Thank you.", name="أمينة") in plain(welcome.text)
        assert t("ar", "/mydata - get a copy of everything stored about you") in plain(welcome.text)
        assert "You're all set" not in welcome.text

        contact = await contact_of(world.db, 1002)
        assert contact is not None
        assert (contact.language, contact.timezone) == ("ar", "Asia/Amman")
        assert (contact.quiet_start, contact.quiet_end) == ("22:00", "07:00")
        assert contact.consent_at == START
        assert contact.attribution == "attributed"
        assert contact.organisation_id == org_id
        assert contact.display_name == "أمينة"
        assert await flow_of(world.db, 1002) is None
        assert menu(phone) == PARTNER_MENU
        assert menu_text(phone)["mydata"] == t("ar", "A copy of your data")


async def test_not_now_keeps_only_the_language_and_says_how_to_come_back(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        token, _ = await make_invite(world.db)
        phone = world.sandbox.user(5001, first_name="Shy", language_code="en")
        await command(phone, "start", token)
        await press(phone, "English")
        events = await press(phone, "Not now")
        assert edits(events) == ["Not now"]
        reply = only_message(events)
        assert "I keep only the language you chose, for a week" in reply.text
        assert "open the invitation link again, or send /start" in reply.text
        # No contact; only the step, to answer in the chosen language (it expires).
        assert await contact_of(world.db, 5001) is None
        flow = await flow_of(world.db, 5001)
        assert flow is not None and flow.step == "declined"
        assert set(flow.data) == {"invite_id", "language"}
        assert (await invite_for(world.db, token)).uses == 0  # the use is not spent
        assert menu(phone) == STRANGER_MENU
        # ... and the same link works when they come back
        assert flat(only_message(await command(phone, "start", token)).buttons) == PICKER


async def test_reopening_a_link_when_already_set_up(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        token, _ = await make_invite(world.db, uses=2)
        phone = await onboard(world, 5101, token)
        reply = only_message(await command(phone, "start", token))
        assert "You're already set up, so there is nothing more to do with this link." in (
            reply.text
        )
        assert "/mydata" in reply.text
        other, _ = await make_invite(world.db, org_name="Another org")
        assert "You're already set up" in only_message(await command(phone, "start", other)).text
        assert (await invite_for(world.db, token)).uses == 1
        assert (await invite_for(world.db, other)).uses == 0
        reply = only_message(await command(phone, "start"))
        assert "Welcome back!" in reply.text
        assert await contacts_besides_admin(world.db) == 1


async def test_typed_time_zone_with_a_near_miss_and_an_unknown_one(sqlite_url: str) -> None:
    async with quick_world(sqlite_url) as world:
        token, _ = await make_invite(world.db, country="KE")
        phone = world.sandbox.user(5201, first_name="Typist", language_code="en")
        await command(phone, "start", token)
        await press(phone, "English")
        await press(phone, "I agree")
        events = await press(phone, "Other")
        assert edits(events) == ["Time zone: another one"]
        assert "Please type the name of your city, for example" in only_message(events).text

        unknown = only_message(await say(phone, "Qwxzv"))
        assert 'I couldn\'t find "Qwxzv". Please type a big city near you' in unknown.text
        assert unknown.buttons == []
        flow = await flow_of(world.db, 5201)
        assert flow is not None and flow.step == "timezone_typed"

        near = only_message(await say(phone, "Naiorbi"))
        assert 'I couldn\'t find "Naiorbi". Did you mean one of these?' in near.text
        assert flat(near.buttons) == ["Nairobi (UTC+3)"]
        events = await press(phone, "Nairobi (UTC+3)")
        assert answers(events) == []  # taken, not refused as an old button
        assert edits(events) == ["Time zone: Nairobi (UTC+3)"]
        assert "I will not send you reminders between 21:00 and 08:00" in (
            only_message(events).text
        )
        contact = await contact_of(world.db, 5201)
        assert contact is not None and contact.timezone == "Africa/Nairobi"

        # an exact city typed straight away, and quiet hours typed as "22-7"
        await press(phone, "Choose other hours")
        attribution = only_message(await say(phone, "22-7"))
        assert "One last question" in attribution.text
        contact = await contact_of(world.db, 5201)
        assert contact is not None and (contact.quiet_start, contact.quiet_end) == (
            "22:00",
            "07:00",
        )
        await press(phone, "No, only in totals")
        await command(phone, "timezone")
        await press(phone, "Other")
        saved = only_message(await say(phone, "Beirut"))
        assert "Saved. Your time zone is now Beirut (UTC+2)." in saved.text
        contact = await contact_of(world.db, 5201)
        assert contact is not None and contact.timezone == "Asia/Beirut"
