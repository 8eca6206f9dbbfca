"""Issue 5 end to end: J-PAT check-ins through the sandbox over real HTTP, with time under the
test's control (``ManualClock`` and explicit ``tick`` calls; ``tick_seconds=0``).

The main scenario is one full round: the NGO side answers in English, the partner side in
Arabic; nobody can look before the round closes; the comparison is checked against medians
and gaps computed by hand; staff record the agreed J-PAT with actions; the partner side
disputes, then confirms the revised version.
"""

from __future__ import annotations

import asyncio
import re
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.devtools.local import LocalWorld
from bot.devtools.sandbox import MESSAGE_KINDS, Event, Limits, Phone
from bot.dispatch import TickReport, tick
from bot.i18n import FSI, PDI, RLM, translator
from conversations.loader import SURVEYS_DIR, load_survey
from storage import campaigns, contacts, invites, partnerships
from storage.models import (
    AnswerRow,
    AuditEntry,
    Contact,
    JpatItem,
    JpatRound,
    JpatSignoff,
    Partnership,
    ReportBack,
    Response,
)
from tests.e2e import make_invite, world_for

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 12:00 in Nairobi
ZONE = "Africa/Nairobi"
ITEMS = ["e1a", "e1b", "e1c", "e2a", "e2b", "e2c", "e3a", "e3b", "e3c", "e4a", "e4b", "e5a", "e5b"]
DK = None  # "don't know"
UNKNOWN = "Sorry, I don't know that command. Send /help to see what I can do."
EXPIRED = "This button is no longer active. Send /help to see what you can do."
NOT_WAITING = "This version of the J-PAT is no longer waiting for your answer."
BLIND = (
    "The answers of round {n} can be seen once the round closes on {date}. "
    "Until then nobody, staff included, sees them: each side answers on its own. "
    "You can check whether your side has submitted with /jpat status."
)
PNG = b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------------------ helpers


_world: LocalWorld | None = None


@asynccontextmanager
async def jpat_world(database_url: str, clock: ManualClock) -> AsyncIterator[LocalWorld]:
    """No periodic tick, no per-chat pacing: long chats, settled step by step."""
    global _world
    async with world_for(
        database_url,
        clock=clock,
        tick_seconds=0,
        limits=Limits(chat_enabled=False),
        chat_burst=1000,
    ) as world:
        _world = world
        try:
            yield world
        finally:
            _world = None


def _busy(world: LocalWorld, phone: Phone) -> bool:
    """Is the bot still working: an update not fetched or queued, a handler running (its
    per-chat count in our update processor), or a background send going on?"""
    assert world.bot is not None
    application = world.bot.application
    processor = application.update_processor
    return bool(
        world.sandbox.updates.has_undelivered(phone.chat_id)
        or application.update_queue.qsize()
        or getattr(processor, "_users", None)
        or any(not task.done() for task in application.bot_data.get("tasks", ()))
    )


async def settle(phone: Phone, quiet: float = 0.08, timeout: float = 30) -> list[Event]:
    """Everything the bot did once it is idle again. Waiting on the bot's own state rather
    than on a silent spell keeps these long chats steady on a busy machine (a chart is drawn
    in a worker thread, which can take a while)."""
    assert _world is not None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    calm_since: float | None = None
    while True:
        now = loop.time()
        if _busy(_world, phone):
            calm_since = None
        elif calm_since is None:
            calm_since = now
        elif now - calm_since >= quiet:
            return phone.consume_all()
        if now > deadline:
            raise AssertionError(f"the bot did not settle:\n{phone.transcript()[-2000:]}")
        await asyncio.sleep(0.01)


async def command(phone: Phone, name: str, args: str = "") -> list[Event]:
    await phone.send_command(name, args)
    return await settle(phone)


async def say(phone: Phone, text: str) -> list[Event]:
    await phone.send_text(text)
    return await settle(phone)


async def press(phone: Phone, text: str | None = None, *, data: str | None = None) -> list[Event]:
    if data is not None:
        await phone.press(data=data)
    else:
        await phone.press(text)
    return await settle(phone)


async def onboard(world: LocalWorld, user_id: int, token: str, language: str, name: str) -> Phone:
    """Join with the invitation, pressing the onboarding buttons as a person would."""
    phone = world.sandbox.user(user_id, first_name=name, language_code=language)
    await phone.start(token)
    await settle(phone)
    for data in (
        f"ob:lang:{language}",
        "ob:consent:yes",
        f"ob:tz:{ZONE}",
        "ob:quiet:21:00-08:00",
        "ob:attr:no",
    ):
        await press(phone, data=data)
    return phone


def plain(text: str | None) -> str:
    return (text or "").replace(RLM, "").replace(FSI, "").replace(PDI, "")


def t(lang: str, message: str, **values: object) -> str:
    return plain(translator(lang)(message, **values))


def shown(events: list[Event]) -> str:
    return "\n".join(plain(e.content) for e in events if e.kind in (*MESSAGE_KINDS, "edit"))


def notices(events: list[Event]) -> list[str]:
    return [plain(e.text) for e in events if e.kind == "callback_answer" and e.text]


def photos(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind == "photo"]


async def staff(world: LocalWorld, user_id: int, name: str) -> Phone:
    async with world.db.transaction() as session:
        await contacts.make_staff(
            session,
            telegram_user_id=user_id,
            display_name=name,
            language="en",
            timezone=ZONE,
            now=START,
        )
    phone = world.sandbox.user(user_id, first_name=name, language_code="en")
    await command(phone, "start")
    phone.consume_all()
    return phone


async def partners(
    world: LocalWorld, clock: ManualClock, org: str, people: list[tuple[int, str, str]]
) -> tuple[int, list[Phone]]:
    token, org_id = await make_invite(world.db, org_name=org, uses=len(people), now=clock.now())
    phones = []
    for user_id, name, lang in people:
        phone = await onboard(world, user_id, token, lang, name)
        phone.consume_all()
        phones.append(phone)
    assert org_id is not None
    return org_id, phones


async def drain(world: LocalWorld) -> None:
    """Wait for the sends the bot started in the background (``send_soon``)."""
    assert world.bot is not None
    for _ in range(10):
        tasks = set(world.bot.application.bot_data.get("tasks", set()))
        if not tasks:
            return
        await asyncio.gather(*tasks)


async def run_tick(world: LocalWorld) -> TickReport:
    await drain(world)
    assert world.bot is not None
    return await tick(world.bot.application)


async def after_background(world: LocalWorld, *phones: Phone) -> list[list[Event]]:
    await drain(world)
    return [await settle(phone) for phone in phones]


def datas(message) -> list[str]:
    markup = message.reply_markup or {}
    return [
        b["callback_data"]
        for row in markup.get("inline_keyboard", [])
        for b in row
        if "callback_data" in b
    ]


def sv_button(phone: Phone, action: str, arg: object = None, *, index: int | None = None) -> str:
    """Callback data of the survey question on screen for ``action`` (and ``arg``); on a
    screen of several statements, ``index`` picks the statement's row."""
    for message in reversed(phone.messages):
        found = [d for d in datas(message) if d.startswith("sv:") and not d.endswith(":go")]
        if not found:
            continue
        for data in found:
            parts = data.split(":")
            if index is not None and parts[2] != str(index):
                continue
            if parts[3] == action and (
                (arg is None and len(parts) == 4) or (len(parts) == 5 and parts[4] == str(arg))
            ):
                return data
        raise AssertionError(f"no {action}:{arg} among {found}")
    raise AssertionError(phone.transcript())


def go_button(phone: Phone) -> str:
    for message in reversed(phone.messages):
        for data in datas(message):
            if re.fullmatch(r"sv:\d+:-:go", data):
                return data
    raise AssertionError(phone.transcript())


async def answer_jpat(
    phone: Phone,
    scores: list[int | None],
    *,
    low_reason: str | None = None,
    working_well: str = "Regular calls.",
    one_change: str = "Share budgets earlier.",
) -> list[Event]:
    """Press Start on the invitation, rate the 13 statements, type the open answers."""
    seen = await press(phone, data=go_button(phone))
    for index, score in enumerate(scores):  # statements e1a..e5b are questions 0..12
        if score is None:
            seen += await press(phone, data=sv_button(phone, "k", index=index))
        else:
            seen += await press(phone, data=sv_button(phone, "c", score, index=index))
    if any(s is not None and s <= 2 for s in scores):
        if low_reason is None:
            seen += await press(phone, data=sv_button(phone, "s"))
        else:
            seen += await say(phone, low_reason)
    seen += await say(phone, working_well)
    seen += await say(phone, one_change)
    return seen


async def view(phone: Phone, *args: str) -> tuple[str, list[Event]]:
    """``/jpat view`` (or another subcommand) and everything it sent, the chart included."""
    events = await command(phone, "jpat", " ".join(args) if args else "view")
    return shown(events), events


async def with_chart(phone: Phone, events: list[Event]) -> Event:
    """The chart that follows a comparison or history."""
    [photo] = photos(events)
    return photo


def assert_sane_png(photo: Event) -> None:
    assert photo.file is not None and photo.file.data is not None
    data = photo.file.data
    assert data.startswith(PNG)
    width, height = struct.unpack(">II", data[16:24])
    assert 600 <= width <= 2000 and 400 <= height <= 2500, (width, height)
    assert 10_000 < len(data) < 1_000_000
    assert photo.caption and len(photo.caption) <= 1024


async def round_of(world: LocalWorld, partnership_id: int, number: int) -> JpatRound:
    async with world.db.sessions() as session:
        found = await session.scalar(
            select(JpatRound).where(
                JpatRound.partnership_id == partnership_id, JpatRound.number == number
            )
        )
        assert found is not None
        return found


async def audit_actions(world: LocalWorld, user_id: int) -> list[str]:
    async with world.db.sessions() as session:
        rows = await session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.actor_telegram_id == user_id)
            .order_by(AuditEntry.id)
        )
        return list(rows)


async def make_partnership(
    world: LocalWorld, org_id: int, ngo: list[Phone], cadence: str = "quarterly"
) -> int:
    """A partnership made in storage (the /partnership wizard has its own test)."""
    async with world.db.transaction() as session:
        ids = []
        for phone in ngo:
            contact = await contacts.by_telegram_id(session, phone.user_id)
            assert contact is not None
            ids.append(contact.id)
        partnership = await partnerships.create(
            session,
            organisation_id=org_id,
            start_date=START.date(),
            stage="ongoing",
            cadence=cadence,
            created_by=ids[0],
            now=START,
        )
        for contact_id in ids[1:]:
            await partnerships.add_member(session, partnership.id, contact_id, "ngo")
        return partnership.id


async def open_round(world: LocalWorld, phone: Phone, days: int = 14) -> list[Event]:
    """Staff open a round with the buttons; returns the staff chat's events."""
    events = await command(phone, "jpat", "open")
    events += await press(phone, f"In {days} days")
    await drain(world)
    return events


async def consolidate(
    world: LocalWorld,
    phone: Phone,
    agreed: dict[str, int],
    actions: dict[str, tuple[str | None, str, str]],
) -> list[Event]:
    """Walk the recording wizard: per statement on screen the agreed score; for flagged ones
    the action (None = keep the earlier one), its owner button and due button."""
    events: list[Event] = []
    for _ in range(len(agreed)):
        card = next(m for m in reversed(phone.messages) if any(":sc:" in d for d in datas(m)))
        code = re.search(r"\n(?:⚑ )?(\d[a-z]) · ", plain(card.text))
        assert code is not None, card.text
        key = f"e{code.group(1)}"
        events += await press(phone, str(agreed[key]))
        if key in actions:
            text, owner, due = actions[key]
            if text is None:
                keep = next(label for row in phone.messages[-1].buttons for label in row)
                events += await press(phone, keep)
            else:
                events += await say(phone, text)
            events += await press(phone, owner)
            events += await press(phone, due)
    return events


# ------------------------------------------------------------------------------ the full round

# NGO side (English) and partner side (Arabic), statement by statement (see ITEMS).
GRACE = [4, 4, 5, 4, 4, 4, 4, DK, 4, 3, 4, 4, 4]
SAM = [4, 3, 5, 4, 5, 4, 4, 4, 4, 3, 4, 4, 5]
AMINA = [3, 2, 4, 2, 2, 4, 4, 4, 4, 4, 4, 3, 3]
LAYLA = [3, 3, 4, 3, 2, 5, 4, 4, 5, 4, 4, 3, 4]
# Worked out by hand: (NGO median, n, partner median, n, gap, flagged)
EXPECTED = {
    "e2b": ("4.5", 2, "2", 2, "2.5", True),
    "e2a": ("4", 2, "2.5", 2, "1.5", True),
    "e1a": ("4", 2, "3", 2, "1", False),
    "e1b": ("3.5", 2, "2.5", 2, "1", True),  # someone rated 2
    "e1c": ("5", 2, "4", 2, "1", False),
    "e4a": ("3", 2, "4", 2, "1", False),
    "e5a": ("4", 2, "3", 2, "1", False),
    "e5b": ("4.5", 2, "3.5", 2, "1", False),
    "e2c": ("4", 2, "4.5", 2, "0.5", False),
    "e3c": ("4", 2, "4.5", 2, "0.5", False),
    "e3a": ("4", 2, "4", 2, "0", False),
    "e3b": ("4", 1, "4", 2, "0", False),  # Grace said "don't know"
    "e4b": ("4", 2, "4", 2, "0", False),
}
# Per element: mean of every rating (NGO, partner)
AVERAGES = {
    "1": ("4.17", "3.17"),  # 25/6, 19/6
    "2": ("4.17", "3"),  # 25/6, 18/6
    "3": ("4", "4.17"),  # 20/5, 25/6
    "4": ("3.5", "4"),  # 14/4, 16/4
    "5": ("4.25", "3.25"),  # 17/4, 13/4
}
AGREED = {key: 4 for key in ITEMS} | {"e2b": 3, "e2a": 3, "e1b": 3}
ACTIONS = {
    "e2b": ("Decide the next budget together in one meeting.", "Both sides", "In 1 month"),
    "e2a": ("Draft indicators with the partner before the proposal.", "NGO side", "In 2 weeks"),
    "e1b": ("Name power differences in the quarterly call.", "Partner side", "In 3 months"),
}


def item_lines(text: str) -> list[tuple[str, str, str]]:
    """(item code, flag, figures line) for each statement in a comparison, in order."""
    found = re.findall(r"(⚑ )?(\d[a-z]) · [^\n]*\n([^\n]*)", text)
    return [(code, flag.strip(), figures) for flag, code, figures in found]


async def test_a_full_round_english_and_arabic_blind_compare_consolidate_dispute_confirm(
    database_url: str,
) -> None:
    clock = ManualClock(START)
    async with jpat_world(database_url, clock) as world:
        grace = await staff(world, 9101, "Grace")
        sam = await staff(world, 9102, "Sam")
        _org, (amina, layla) = await partners(
            world, clock, "Hope RLO", [(9201, "أمينة", "ar"), (9202, "ليلى", "ar")]
        )
        stranger = world.sandbox.user(9301, first_name="Curious", language_code="en")

        # -- the partnership, made in chat
        events = await command(grace, "partnership", "new")
        assert "Which partner organisation is it with?" in shown(events)
        await press(grace, "Hope RLO")
        await press(grace, "Today")
        await press(grace, "ongoing")
        events = await press(grace, "every 3 months")
        card = shown(events)
        assert "Partnership #1 with Hope RLO created." in card
        assert "NGO side: Grace" in card and "Partner side: أمينة, ليلى" in card
        assert "Next J-PAT check-in: June 2, 2026" in card
        events = await press(grace, "Add an NGO colleague")
        events = await press(grace, "Sam")
        assert "Sam joined the NGO side." in shown(events)
        assert "NGO side: Grace, Sam" in shown(events)
        async with world.db.sessions() as session:
            [partnership] = list(await session.scalars(select(Partnership)))
        pid = partnership.id

        # -- partners and strangers cannot use staff commands
        for phone, name, args, lang in (
            (amina, "partnership", "", "ar"),
            (amina, "jpat", "open", "ar"),
            (amina, "jpat", "close", "ar"),
            (stranger, "jpat", "", "en"),
        ):
            reply = shown(await command(phone, name, args))
            assert reply == t(lang, UNKNOWN), (name, args, reply)

        # -- open: every member invited in their own language
        events = await open_round(world, grace)
        assert "Round 1 of the J-PAT for Hope RLO is open until March 16, 2026." in shown(events)
        assert "2 on the NGO side, 2 on the partner side" in shown(events)
        for phone, earlier in ((grace, events), (sam, [])):
            invitation = shown(earlier + await settle(phone))  # Grace's came with her reply
            assert "J-PAT partnership check-in" in invitation
            assert "Round 1 of the J-PAT check-in for Hope RLO is open." in invitation
        for phone in (amina, layla):
            invitation = shown(await settle(phone))
            assert "تقييم J-PAT للشراكة" in invitation
            assert t("ar", "Please answer by {date}.", date="16 مارس 2026") in invitation

        # -- blind: nobody sees anything before the round closes
        blind = BLIND.format(n=1, date="March 16, 2026")
        assert shown(await command(grace, "jpat", "view")) == blind
        assert shown(await command(amina, "jpat", "view")) == t(
            "ar", BLIND, n=1, date="16 مارس 2026"
        )
        await answer_jpat(layla, LAYLA, low_reason="التمويل يصل متأخرًا.")
        await grace.press_data(f"jp:vw:{pid}")  # a forged button: the same answer
        events = await settle(grace)
        assert shown(events) == blind
        events = await command(sam, "jpat", "consolidate")
        assert "Round 1 is still open." in shown(events)
        status = shown(await command(amina, "jpat", "status"))
        assert (
            t(
                "ar",
                "{side}: has submitted ({n} of {total} answered).",
                side=t("ar", "Partner side"),
                n=1,
                total=2,
            )
            in status
        )
        assert t("ar", "NGO side") not in status  # a side sees only its own submission
        status = shown(await command(grace, "jpat", "status"))
        assert "NGO side: has not submitted yet." in status
        assert "Partner side: has submitted (1 of 2 answered)." in status
        assert "Close the round now" not in status

        # -- both sides answer, each in their language
        seen = await answer_jpat(grace, GRACE, working_well="Trust between the teams.")
        await run_tick(world)
        later = await settle(grace)
        # one thank-you, with when the answers can be seen
        thanks = [plain(e.content) for e in seen if "answers are saved" in plain(e.content)]
        assert thanks == [
            "Thank you! All your answers are saved.\n\n"
            "Nobody sees your J-PAT answers before the round closes on March 16, 2026. "
            "Then both sides can compare them with /jpat view."
        ]
        # with Layla's answers in, both sides have submitted: the NGO side may close early
        both = "Both sides have submitted their J-PAT answers for Hope RLO (round 1)."
        assert both in shown(seen + later)
        seen = await answer_jpat(sam, SAM, one_change="Pay advances on time.")
        seen = await answer_jpat(
            amina,
            AMINA,
            low_reason="لا نشارك في قرارات الميزانية.",
            working_well="التواصل الأسبوعي.",
            one_change="تصميم المؤشرات معًا.",
        )
        assert t("ar", "Thank you! All your answers are saved.") in shown(seen)
        async with world.db.sessions() as session:
            languages = dict(
                (
                    await session.execute(
                        select(Contact.telegram_user_id, Response.language).join(
                            Contact, Contact.id == Response.contact_id
                        )
                    )
                ).all()
            )
        assert languages == {9101: "en", 9102: "en", 9201: "ar", 9202: "ar"}
        # still nobody can look, and the NGO side was told only once
        [grace_events, amina_events] = await after_background(world, grace, amina)
        assert shown(grace_events) == "" and shown(amina_events) == ""
        assert shown(await command(grace, "jpat", "view")) == blind

        # -- staff close early; everyone hears the comparison is ready
        events = await press(grace, "Close the round now")
        assert "Round 1 is closed." in shown(events)
        [sam_events, amina_events] = await after_background(world, sam, amina)
        assert "Round 1 of the J-PAT for Hope RLO is closed." in shown(sam_events)
        assert t("ar", "See the comparison") in str(amina_events[-1].buttons)

        # -- the comparison, checked against the hand-computed figures
        text, events = await view(grace)
        lines = item_lines(text)
        assert [code for code, _f, _l in lines] == [k[1:] for k in EXPECTED]
        for (code, flag, figures), (key, (ngo, ngo_n, partner, partner_n, gap, flagged)) in zip(
            lines, EXPECTED.items(), strict=True
        ):
            assert code == key[1:]
            assert figures == (
                f"NGO side {ngo} (n={ngo_n}) · partner side {partner} (n={partner_n}) · gap {gap}"
            ), code
            assert (flag == "⚑") == flagged, code
        for number, (ngo, partner) in AVERAGES.items():
            assert re.search(
                rf"\n{number}\. [^\n]*: {re.escape(ngo)} · {re.escape(partner)}\n", text
            )
        assert "Answers: NGO side 2 of 2, partner side 2 of 2." in text
        ngo_part, partner_part = text.split("What the partner side wrote:")
        assert "Trust between the teams." in ngo_part and "Pay advances on time." in ngo_part
        assert "لا نشارك في قرارات الميزانية." in partner_part
        assert "التمويل يصل متأخرًا." in partner_part
        assert "أمينة" not in text and "ليلى" not in text  # answers are not attributed
        assert_sane_png(await with_chart(grace, events))

        text, events = await view(amina)
        assert (
            t(
                "ar",
                "NGO side {ngo} (n={ngo_n}) · partner side {partner} (n={partner_n}) · gap {gap}",
                ngo="4.5",
                ngo_n=2,
                partner="2",
                partner_n=2,
                gap="2.5",
            )
            in text
        )
        assert "2b · نتخذ القرارات بقيادة مشتركة" in text  # statements in Arabic
        assert "Decisions are led jointly" not in text
        assert_sane_png(await with_chart(amina, events))

        # -- consolidation after the joint meeting
        events = await command(grace, "jpat", "consolidate")
        assert "largest gaps first" in shown(events)
        events = await consolidate(world, grace, AGREED, ACTIONS)
        review = shown(events)
        assert "Consolidated J-PAT · round 1 · Hope RLO" in review
        assert "• 2b: 3/5 · Decisions are led jointly, not only by the funding partner." in review
        assert (
            "2b: Decide the next budget together in one meeting. — Both sides, due April 1, 2026"
            in review
        )
        assert (
            "2a: Draft indicators with the partner before the proposal. — NGO side, due March 16, 2026"
            in review
        )
        async with world.db.sessions() as session:
            items = {
                i.item_key: i
                for i in await session.scalars(select(JpatItem).order_by(JpatItem.item_key))
            }
        assert {k: i.agreed_score for k, i in items.items()} == AGREED
        assert {k: i.action_owner for k, i in items.items() if i.action_text} == {
            "e2b": "both",
            "e2a": "ngo",
            "e1b": "partner",
        }
        await press(grace, "Send to the partner side to confirm")
        [amina_events, layla_events] = await after_background(world, amina, layla)
        for events in (amina_events, layla_events):
            message = shown(events)
            assert (
                t("ar", "Consolidated J-PAT · round {n} · {name}", n=1, name="Hope RLO") in message
            )
            assert "نقرر الميزانية القادمة" not in message  # actions stay in the words typed
            assert "Decide the next budget together in one meeting." in message
            assert events[-1].buttons == [[t("ar", "Confirm ✓"), t("ar", "Dispute")]]
        old_confirm = layla_events[-1].button_data[t("ar", "Confirm ✓")]

        # -- a dispute returns the round to staff, with the comment
        await press(amina, t("ar", "Dispute"))
        events = await say(amina, "درجة 2ب يجب أن تكون 2.")
        assert t(
            "ar",
            "Thank you. The NGO team has your comment and will send you a revised J-PAT to confirm.",
        ) in shown(events)
        [grace_events] = await after_background(world, grace)
        assert "The partner side disputed the consolidated J-PAT for Hope RLO (round 1)." in shown(
            grace_events
        )
        assert "درجة 2ب يجب أن تكون 2." in shown(grace_events)
        events = await press(layla, data=old_confirm)
        assert notices(events) == [t("ar", NOT_WAITING)]
        assert (await round_of(world, pid, 1)).status == "disputed"

        # -- staff record it again (keeping the actions), the partner side confirms
        events = await press(grace, "Record the agreed J-PAT again")
        assert "The partner side disputed the last version." in shown(events)
        again = {**AGREED, "e2b": 2}
        keep = {key: (None, owner, due) for key, (_text, owner, due) in ACTIONS.items()}
        await consolidate(world, grace, again, keep)
        await press(grace, "Send to the partner side to confirm")
        [layla_events] = await after_background(world, layla)
        assert events_have_buttons(layla_events)
        # the message can be found again from /jpat (a lost message is no dead end)
        menu = await command(layla, "jpat")
        assert t("ar", "J-PAT · {name}", name="Hope RLO") in shown(menu)
        again = await press(layla, t("ar", "Confirm or dispute"))
        assert "• 2b: 2/5 · " in shown(again)
        events = await press(layla, t("ar", "Confirm ✓"))
        assert t(
            "ar", "Thank you: round {n} of the J-PAT is now final, agreed by both sides.", n=1
        ) in shown(events)
        events = await press(layla, data=old_confirm)
        assert notices(events) == [t("ar", NOT_WAITING)]
        [grace_events] = await after_background(world, grace)
        assert "confirmed the consolidated J-PAT for Hope RLO (round 1): it is final." in shown(
            grace_events
        )

        round_ = await round_of(world, pid, 1)
        assert round_.status == "final" and round_.finalised_at == START
        async with world.db.sessions() as session:
            partnership = await session.get(Partnership, pid)
            decisions = [
                (s.decision, s.comment)
                for s in await session.scalars(select(JpatSignoff).order_by(JpatSignoff.id))
            ]
            agreed_e2b = await session.get(JpatItem, (round_.id, "e2b"))
        assert partnership.next_round_at == datetime(2026, 6, 2, 9, tzinfo=UTC)
        assert [d for d, _c in decisions] == ["sent", "disputed", "sent", "confirmed"]
        assert decisions[1][1] == "درجة 2ب يجب أن تكون 2."
        assert agreed_e2b.agreed_score == 2
        assert agreed_e2b.action_text == ACTIONS["e2b"][0]

        actions = await audit_actions(world, 9101)
        for expected in (
            "partnership.create",
            "partnership.member_add",
            "jpat.open",
            "jpat.view_refused",
            "jpat.status",
            "jpat.close",
            "jpat.view",
            "jpat.consolidate_start",
            "jpat.consolidate",
        ):
            assert expected in actions, expected
        assert "jpat.view" not in await audit_actions(world, 9201)  # partners are not audited


def events_have_buttons(events: list[Event]) -> bool:
    return any(e.buttons for e in events if e.kind == "message")


# ------------------------------------------------------------------------------ deadline, nudges


async def test_the_deadline_closes_a_round_with_one_side_missing_after_bounded_reminders(
    database_url: str,
) -> None:
    clock = ManualClock(START)
    async with jpat_world(database_url, clock) as world:
        grace = await staff(world, 9111, "Grace")
        org_id, (amina,) = await partners(world, clock, "Sunrise RLO", [(9211, "أمينة", "ar")])
        pid = await make_partnership(world, org_id, [grace])
        await open_round(world, grace, days=7)  # closes 9 March, 09:00 UTC (12:00 in Nairobi)
        assert "تقييم J-PAT للشراكة" in shown(await settle(amina))
        go = go_button(amina)
        await answer_jpat(grace, [4] * 13)
        await after_background(world, grace)
        reminder = t(
            "ar",
            "A friendly reminder: the J-PAT check-in for {name} is waiting for your answers. The round closes on {date}.",
            name="Sunrise RLO",
            date="9 مارس 2026",
        )

        clock.set(START + timedelta(days=2))  # too early for a reminder
        assert (await run_tick(world)).sent == 0
        clock.set(START + timedelta(days=3))  # 12:00 in Nairobi: Amina only
        assert (await run_tick(world)).sent == 1
        assert reminder in shown(await settle(amina))
        assert shown(await settle(grace)) == ""

        clock.set(datetime(2026, 3, 8, 19, 0, tzinfo=UTC))  # 22:00 in Nairobi: quiet hours
        report = await run_tick(world)
        assert (report.sent, report.postponed) == (0, 1)
        assert shown(await settle(amina)) == ""
        clock.set(datetime(2026, 3, 9, 5, 0, tzinfo=UTC))  # 08:00 in Nairobi
        assert (await run_tick(world)).sent == 1
        assert reminder in shown(await settle(amina))
        clock.set(datetime(2026, 3, 9, 8, 59, tzinfo=UTC))
        assert (await run_tick(world)).sent == 0  # two reminders at most

        clock.set(datetime(2026, 3, 9, 9, 0, tzinfo=UTC))  # the deadline
        assert (await run_tick(world)).sent == 2  # both sides hear the round is closed
        round_ = await round_of(world, pid, 1)
        assert (round_.status, round_.closed_at) == ("closed", clock.now())
        async with world.db.sessions() as session:
            statuses = {
                r.side: (r.status, r.nudges_sent)
                for r in await session.scalars(
                    select(Response).where(Response.jpat_round_id == round_.id)
                )
            }
        assert statuses == {"ngo": ("completed", 0), "partner": ("expired", 2)}
        events = await press(amina, data=go)  # too late
        assert notices(events) == [t("ar", "This survey is closed. Thank you!")]

        text, events = await view(grace)
        assert "Answers: NGO side 1 of 1, partner side 0 of 1." in text
        assert "Partner side: no answers before the deadline" in text
        for code, _flag, figures in item_lines(text):
            assert figures == "NGO side 4 (n=1) · partner side – (n=0) · gap –", code
        assert "What the partner side wrote:\nNo answers." in text
        assert_sane_png(await with_chart(grace, events))
        text, events = await view(amina)
        assert "Sunrise RLO" in text
        assert_sane_png(await with_chart(amina, events))


# ------------------------------------------------------------------------------ cadence, history


async def test_a_partner_who_joins_during_an_open_round_is_invited_to_it(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with jpat_world(sqlite_url, clock) as world:
        grace = await staff(world, 9121, "Grace")
        org_id, (amina,) = await partners(world, clock, "Joiners RLO", [(9221, "Amina", "en")])
        pid = await make_partnership(world, org_id, [grace])
        await open_round(world, grace)
        await after_background(world, amina)
        async with world.db.transaction() as session:  # a colleague is invited later
            created = await invites.create(
                session,
                role="partner",
                organisation_id=org_id,
                max_uses=1,
                valid_for=timedelta(days=14),
                created_by=None,
                now=clock.now(),
            )
        jean = await onboard(world, 9222, created.token, "fr", "Jean")
        jean.consume_all()
        async with world.db.sessions() as session:
            sides = {c.display_name: side for c, side in await partnerships.members(session, pid)}
        assert sides == {"Grace": "ngo", "Amina": "partner", "Jean": "partner"}
        # onboarding first: the invitation comes a few minutes later, in French
        assert (await run_tick(world)).sent == 0
        clock.set(START + timedelta(minutes=10))
        assert (await run_tick(world)).sent == 1
        assert "Bilan J-PAT du partenariat" in shown(await settle(jean))
        await answer_jpat(jean, [4] * 13)
        round_ = await round_of(world, pid, 1)
        async with world.db.sessions() as session:
            jeans = await session.scalar(
                select(Response).where(
                    Response.jpat_round_id == round_.id,
                    Response.contact_id == (await contacts.by_telegram_id(session, 9222)).id,
                )
            )
        assert (jeans.side, jeans.status) == ("partner", "completed")


async def test_cadence_opens_the_next_round_on_time_and_history_spans_two_rounds(
    database_url: str,
) -> None:
    clock = ManualClock(START)
    async with jpat_world(database_url, clock) as world:
        grace = await staff(world, 9121, "Grace")
        org_id, (jeanne,) = await partners(world, clock, "Espoir RLO", [(9221, "Jeanne", "fr")])
        pid = await make_partnership(world, org_id, [grace], cadence="monthly")

        # round 1, by hand: everyone rates 4, agreed as 4, confirmed at once
        await open_round(world, grace, days=7)
        await settle(jeanne)
        await answer_jpat(grace, [4] * 13)
        await answer_jpat(jeanne, [4] * 13)
        await after_background(world, grace, jeanne)
        events = await command(grace, "jpat", "close")
        assert "Round 1 is closed." in shown(events)
        await command(grace, "jpat", "consolidate")
        await consolidate(world, grace, {key: 4 for key in ITEMS}, {})
        await press(grace, "Send to the partner side to confirm")
        await after_background(world, jeanne)
        await press(jeanne, t("fr", "Confirm ✓"))
        await after_background(world, grace)
        async with world.db.sessions() as session:
            planned = (await session.get(Partnership, pid)).next_round_at
        assert planned == datetime(2026, 4, 2, 9, 0, tzinfo=UTC)  # a month after it was final

        # the cadence opens round 2 on time, not a minute before
        clock.set(planned - timedelta(minutes=1))
        assert (await run_tick(world)).sent == 0
        assert shown(await settle(grace)) == shown(await settle(jeanne)) == ""
        clock.set(planned)
        assert (await run_tick(world)).sent == 2
        assert "Round 2 of the J-PAT check-in for Espoir RLO is open." in shown(await settle(grace))
        invitation = shown(await settle(jeanne))
        assert "Bilan J-PAT du partenariat" in invitation
        round_2 = await round_of(world, pid, 2)
        assert (round_2.opened_at, round_2.deadline) == (planned, planned + timedelta(days=14))
        assert (await run_tick(world)).sent == 0  # opened once
        async with world.db.sessions() as session:
            assert (await session.get(Partnership, pid)).next_round_at is None
            opened_by = await session.scalar(
                select(AuditEntry.subject).where(AuditEntry.action == "jpat.open_by_cadence")
            )
        assert opened_by == f"partnership:{pid}"

        # round 2 closes at its deadline; a flagged statement gets an action with a typed date
        await answer_jpat(grace, [5] * 13)
        await answer_jpat(jeanne, [4, 4, 4, 4, 2, 4, 4, 4, 4, 4, 4, 4, 4])
        clock.set(round_2.deadline)
        await run_tick(world)
        await settle(grace)
        await command(grace, "jpat", "consolidate")
        agreed = {key: 5 for key in ITEMS} | {"e2b": 3}
        for key in ITEMS:
            card = next(m for m in reversed(grace.messages) if any(":sc:" in d for d in datas(m)))
            key = "e" + re.search(r"\n(?:⚑ )?(\d[a-z]) · ", plain(card.text)).group(1)
            await press(grace, str(agreed[key]))
            if key == "e2b":
                await say(grace, "Co-design the budget of the next phase.")
                await press(grace, "NGO side")
                await say(grace, "yesterday")  # not a date: asked again
                events = await say(grace, "30/04/2026")
                assert "Statement 2 of 13" in shown(events)
        await press(grace, "Send to the partner side to confirm")
        await after_background(world, jeanne)
        await press(jeanne, t("fr", "Confirm ✓"))
        await after_background(world, grace)

        # history: agreed scores per element across both rounds, the open action, a chart
        expected = {
            "1": "4 → 5",
            "2": "4 → 4.33",  # (5 + 3 + 5) / 3
            "3": "4 → 5",
            "4": "4 → 5",
            "5": "4 → 5",
        }
        text, events = await view(grace, "history")
        assert "Agreed score per element, round by round (1 → 2):" in text
        for number, trend in expected.items():
            assert re.search(rf"\n{number}\. [^\n]*: {trend}(\n|$)", text), number
        action = "2b: Co-design the budget of the next phase. — NGO side, due April 30, 2026"
        assert f"Open actions:\n• round 2 · {action}" in text
        assert "Overdue" not in text
        assert_sane_png(await with_chart(grace, events))
        text, events = await view(jeanne, "history")
        assert "2. Appropriation et voix partagées: 4 → 4,33" in text
        assert "Co-design the budget of the next phase." in text
        assert_sane_png(await with_chart(jeanne, events))

        # past its due date the action is listed as overdue, for both sides
        clock.set(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
        text, _events = await view(grace, "history")
        assert f"Overdue actions:\n⚠ round 2 · {action}" in text
        text, _events = await view(jeanne, "history")
        overdue = t("fr", "Overdue actions:") + "\n⚠ " + t("fr", "round {n}", n=2)
        assert re.search(re.escape(overdue) + r" · 2b\W+Co-design the budget", text), text
        history = next(m for m in reversed(grace.messages) if "jp:dn:" in str(datas(m)))
        [done] = [d for d in datas(history) if d.startswith("jp:dn:")]
        events = await press(grace, data=done)
        assert notices(events) == ["Action 2b marked as done."]
        await grace.press_data(done)  # twice: nothing more to do
        assert notices(await settle(grace)) == [EXPIRED]
        text, _events = await view(grace, "history")
        assert "No open actions." in text
        async with world.db.sessions() as session:
            assert (await session.get(Partnership, pid)).next_round_at == datetime(
                2026, 5, 16, 9, 0, tzinfo=UTC
            )


# ------------------------------------------------------------------------------ element screens


async def stored_answers(world: LocalWorld, contact_user_id: int) -> dict[str, object]:
    """The J-PAT answers stored for this person: key -> value ("?" for don't know)."""
    from storage import surveys as survey_store

    async with world.db.sessions() as session:
        contact = await contacts.by_telegram_id(session, contact_user_id)
        assert contact is not None
        response = await session.scalar(select(Response).where(Response.contact_id == contact.id))
        assert response is not None
        rows = await survey_store.answers_of(session, response.id)
    return {row.key: "?" if row.status == "dont_know" else row.value_num for row in rows}


async def test_each_element_is_one_screen_rated_in_any_order_with_back_and_next(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with jpat_world(sqlite_url, clock) as world:
        grace = await staff(world, 9141, "Grace")
        org_id, (amina,) = await partners(world, clock, "Screen RLO", [(9241, "Amina", "en")])
        pid = await make_partnership(world, org_id, [grace])
        await open_round(world, grace)
        await after_background(world, amina)

        events = await press(amina, data=go_button(amina))
        screen1 = amina.messages[-1]
        text = plain(screen1.text)
        assert "Step 1 of 7 · Element 1" in text and "Question" not in text
        assert "1 = Strongly disagree · 5 = Strongly agree" in text
        for ref in ("1a. ", "1b. ", "1c. "):
            assert ref in text
        assert "2a. " not in text
        rows = [[b["text"] for b in row] for row in screen1.reply_markup["inline_keyboard"]]
        assert rows == [[ref, "1", "2", "3", "4", "5", "?"] for ref in ("1a", "1b", "1c")]

        # the second statement first: the same message is redrawn, the answer stored at once
        count = len(amina.messages)
        events = await press(amina, data=sv_button(amina, "c", 2, index=1))
        assert len(amina.messages) == count  # no new message: the screen was edited
        assert [e.kind for e in events if e.kind != "callback_answer"] == ["edit"]
        assert "✓ 2 · Disagree" in plain(amina.messages[-1].text)
        assert await stored_answers(world, 9241) == {"e1b": 2}
        row = [b["text"] for b in amina.messages[-1].reply_markup["inline_keyboard"][1]]
        assert row == ["1b", "1", "✓2", "3", "4", "5", "?"]
        # a statement's reference button shows the statement again, changing nothing
        await amina.press_data(sv_button(amina, "i", index=0))
        [note] = notices(await settle(amina))
        assert note.startswith("We both understand the local context")
        # change of mind before the screen is complete, then don't know on the first
        await press(amina, data=sv_button(amina, "c", 4, index=1))
        await press(amina, data=sv_button(amina, "k", index=0))
        assert await stored_answers(world, 9241) == {"e1b": 4, "e1a": "?"}
        # the last statement completes the element: the screen closes, the next one comes
        events = await press(amina, data=sv_button(amina, "c", 5, index=2))
        closed = next(m for m in amina.messages if m.message_id == screen1.message_id)
        assert not closed.reply_markup
        assert "✓ Don't know" in plain(closed.text) and "✓ 5 · Strongly agree" in plain(closed.text)
        screen2 = amina.messages[-1]
        assert "Step 2 of 7 · Element 2" in plain(screen2.text)
        assert [b["text"] for b in screen2.reply_markup["inline_keyboard"][-1]] == ["◀ Back"]

        # Back brings the whole first element again, with its ratings and a Next button
        await press(amina, data=sv_button(amina, "b", index=3))
        again = amina.messages[-1]
        assert "Step 1 of 7 · Element 1" in plain(again.text)
        keyboard = [[b["text"] for b in row] for row in again.reply_markup["inline_keyboard"]]
        assert keyboard[0] == ["1a", "1", "2", "3", "4", "5", "✓?"]
        assert keyboard[-1] == ["Next ▶"]
        # a change there keeps the element on screen until Next
        await press(amina, data=sv_button(amina, "c", 3, index=0))
        assert "Step 1 of 7 · Element 1" in plain(amina.messages[-1].text)
        assert (await stored_answers(world, 9241))["e1a"] == 3
        # typed there, a rating could only overwrite one: it is refused, nothing changes
        await say(amina, "1")
        assert plain(amina.messages[-1].text) == (
            "To change an answer on this screen, press the new rating beside the statement."
        )
        assert (await stored_answers(world, 9241))["e1a"] == 3
        await press(amina, data=sv_button(amina, "x", index=0))
        assert "Step 2 of 7 · Element 2" in plain(amina.messages[-1].text)

        # the closed first screen's buttons are gone; forged data for it changes nothing
        await amina.press_data(f"{sv_button(amina, 'c', 1, index=3).rsplit(':', 3)[0]}:0:c:1")
        assert notices(await settle(amina)) == [
            "This question was already answered. Your answers are safe."
        ]
        assert (await stored_answers(world, 9241))["e1a"] == 3
        # a typed rating answers the first unrated statement and shows the screen again below
        await say(amina, "4")
        latest = amina.messages[-1]
        assert "Step 2 of 7 · Element 2" in plain(latest.text)
        assert "✓ 4 · Agree" in plain(latest.text)
        assert (await stored_answers(world, 9241))["e2a"] == 4
        # /cancel pauses: the screen is closed as it stands, with every statement on it
        await say(amina, "/cancel")
        closed = next(m for m in amina.messages if m.message_id == latest.message_id)
        assert not closed.reply_markup
        assert all(ref in plain(closed.text) for ref in ("2a. ", "2b. ", "2c. "))
        assert "Survey paused" in plain(amina.messages[-1].text)
        assert pid


# ------------------------------------------------------------------------------ report-back


async def closed_round(
    world: LocalWorld, clock: ManualClock, people: list[tuple[int, str, str]], answering: int
) -> tuple[Phone, list[Phone], JpatRound]:
    """A round of Grace's partnership with ``people``; Grace and the first ``answering``
    partners answer, then Grace closes it early."""
    grace = await staff(world, 9161, "Grace")
    org_id, phones = await partners(world, clock, "Share RLO", people)
    pid = await make_partnership(world, org_id, [grace])
    await open_round(world, grace)
    await after_background(world, *phones)
    await answer_jpat(grace, [4] * 13)
    for phone, scores in zip(phones[:answering], ([3] * 13, [5] * 13), strict=False):
        await answer_jpat(phone, scores)
    await run_tick(world)
    await after_background(world, grace, *phones)
    await grace.press_data(f"jp:cl:{pid}:2")  # a button naming another round changes nothing
    assert notices(await settle(grace)) == [
        "This button is no longer active. Send /help to see what you can do."
    ]
    assert (await round_of(world, pid, 1)).status == "open"
    await grace.press_data(f"jp:cl:{pid}:1")
    assert "Round 1 is closed." in shown(await settle(grace))
    await after_background(world, grace, *phones)
    return grace, phones, await round_of(world, pid, 1)


async def test_a_closed_round_is_reported_back_to_both_sides_in_their_languages(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with jpat_world(sqlite_url, clock) as world:
        people = [(9261, "Amina", "ar"), (9262, "Jean", "fr")]
        grace, (amina, jean), round_ = await closed_round(world, clock, people, answering=2)

        events = await command(grace, "share")
        listed = [label for row in events[-1].buttons for label in row]
        assert "J-PAT round 1 · Share RLO (closed Mar 2, 2026)" in listed
        await press(grace, "J-PAT round 1 · Share RLO (closed Mar 2, 2026)")
        events = await say(grace, "We will plan the budget together in April.")
        text = shown(events)
        assert "Preview: this is what each partner will receive" in text
        assert "What we heard: J-PAT partnership check-in" in text
        assert "Send it to the 3 people who were asked in this round, on both sides?" in text
        assert len(photos(events)) == 1
        sent = await press(grace, "Send to partners")
        assert (
            "Report-back #1 is on its way to the 3 people who were asked in this round, on both sides"
            in shown(sent)
        )

        [grace_got, amina_got, jean_got] = await after_background(world, grace, amina, jean)
        grace_got = [e for e in sent if e.kind == "photo" or "Average" in (e.text or "")] + [
            *grace_got
        ]
        survey = load_survey(SURVEYS_DIR / "jpat.yaml")
        statement = survey.questions[0]
        for got, lang in ((amina_got, "ar"), (jean_got, "fr"), (grace_got, "en")):
            assert len(photos(got)) == 1, lang
            text = shown(got)
            assert plain(survey.text_for(statement.text, lang)) in text, lang
            assert "We will plan the budget together in April." in text, lang
        # 4, 3 and 5 from the three people: the average is 4 on every statement
        assert "Average: 4 out of 5" in shown(grace_got)
        async with world.db.sessions() as session:
            report = await session.scalar(select(ReportBack))
        assert report is not None and report.jpat_round_id == round_.id
        assert report.campaign_id is None and report.recipients == 3

        # a partner's reaction is stored and counted for staff
        await amina.press_data(f"rb:r:{report.id}:up")
        await settle(amina)
        await command(grace, "share")
        events = await press(grace, "Replies from partners")
        assert "👍 1 · 👎 0 · 💬 0" in shown(events)
        assert "reportback.send" in await audit_actions(world, 9161)


async def test_a_half_done_dispute_does_not_take_the_answers_of_a_survey_started_after_it(
    sqlite_url: str,
) -> None:
    clock = ManualClock(START)
    async with jpat_world(sqlite_url, clock) as world:
        grace, (amina,), round_ = await closed_round(
            world, clock, [(9271, "Amina", "en")], answering=1
        )
        await command(grace, "jpat", "consolidate")
        await consolidate(world, grace, {key: 4 for key in ITEMS}, {})
        await press(grace, "Send to the partner side to confirm")
        await after_background(world, amina)
        await press(amina, "Dispute")  # ... and no comment typed
        entry = world.services.surveys.get("partner_feedback")
        assert entry is not None
        async with world.db.transaction() as session:
            await campaigns.launch(
                session,
                survey_id="partner_feedback",
                survey_version_id=entry[1],
                audience_kind="all",
                audience_value=None,
                due_at=clock.now() + timedelta(days=14),
                created_by=None,
                now=clock.now(),
            )
        await run_tick(world)
        await after_background(world, amina)
        await press(amina, data=go_button(amina))
        await say(amina, "4")  # the first question: a typed rating, not a dispute comment
        assert (await round_of(world, round_.partnership_id, 1)).status == "consolidated"
        async with world.db.sessions() as session:
            survey_answers = await session.scalars(
                select(AnswerRow.question_key)
                .join(Response, Response.id == AnswerRow.response_id)
                .where(Response.survey_id == "partner_feedback")
            )
            assert list(survey_answers) == [entry[0].questions[0].key]


async def test_a_round_with_too_few_answers_cannot_be_reported_back(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with jpat_world(sqlite_url, clock) as world:
        people = [(9271, "Amina", "en"), (9272, "Jean", "en")]
        grace, _phones, round_ = await closed_round(world, clock, people, answering=1)
        await command(grace, "share")
        events = await grace_press_round(grace, round_)
        text = shown(events)
        assert "This J-PAT round cannot be reported back." in text
        assert "fewer than 3" in text
        async with world.db.sessions() as session:
            assert await session.scalar(select(ReportBack)) is None


async def grace_press_round(grace: Phone, round_: JpatRound) -> list[Event]:
    return await press(grace, data=f"shr:j:{round_.id}")


# ------------------------------------------------------------------------------ access, stale buttons


async def test_forged_and_stale_buttons_change_nothing(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with jpat_world(sqlite_url, clock) as world:
        grace = await staff(world, 9131, "Grace")
        org_id, (amina,) = await partners(world, clock, "Hope RLO", [(9231, "Amina", "en")])
        _other, (omar,) = await partners(world, clock, "Other RLO", [(9232, "Omar", "en")])
        pid = await make_partnership(world, org_id, [grace])

        # a partner pressing staff buttons is refused exactly like an unknown command
        for data in (
            f"jp:op:{pid}",
            f"jp:dl:{pid}:7",
            f"jp:cl:{pid}",
            f"jp:cs:{pid}",
            "jp:sc:1:0:3",
            f"pt:e:{pid}",
            "pt:new",
            f"pt:sc:{pid}:none",
        ):
            await amina.press_data(data)
            events = await settle(amina)
            assert notices(events) == [UNKNOWN], data
            assert shown(events) == "", data
        refused = [a for a in await audit_actions(world, 9231) if a == "command.refused"]
        assert len(refused) == 8
        # a partner of another organisation learns nothing about this partnership
        for data in (f"jp:vw:{pid}", f"jp:st:{pid}", f"jp:hi:{pid}", f"jp:m:{pid}"):
            await omar.press_data(data)
            events = await settle(omar)
            assert notices(events) == [EXPIRED], data
        assert shown(await command(omar, "jpat")) == "You are not part of a J-PAT check-in yet."
        assert (
            shown(
                await command(
                    omar,
                    "jpat",
                    "view",
                )
            )
            == "You are not part of a J-PAT check-in yet."
        )

        # the J-PAT menu shows each what they may do
        menu = await command(amina, "jpat")
        assert "J-PAT · Hope RLO\nNo round yet." in shown(menu)
        assert menu[-1].buttons == [["History"]]
        menu = await command(grace, "jpat")
        assert menu[-1].buttons == [["Open a round", "History"]]
        reply = shown(await command(grace, "jpat", "history 42"))
        assert reply == "There is no such partnership for you."

        # malformed or unknown data from staff: a notice, nothing else
        for data in ("jp:vw:x", f"jp:dl:{pid}:5", "jp:sc:999:0:3", "jp:zz:1", "pt:ss:1:bogus"):
            await grace.press_data(data)
            events = await settle(grace)
            assert notices(events) == [EXPIRED], data

        # the deadline keyboard pressed twice opens one round
        await command(grace, "jpat", "open")
        picker = grace.messages[-1]
        await press(grace, "In 7 days")
        await drain(world)
        await grace.press("In 14 days", message_id=picker.message_id)
        events = await settle(grace)
        assert notices(events) == ["A round is already under way for this partnership."]
        async with world.db.sessions() as session:
            rounds = list(await session.scalars(select(JpatRound)))
        assert len(rounds) == 1 and rounds[0].deadline == START + timedelta(days=7)
        # opening again while a round is under way is declined politely
        assert "Round 1 is still under way" in shown(await command(grace, "jpat", "open"))
        # the consolidation buttons of nobody's wizard are stale
        await grace.press_data(f"jp:sc:{rounds[0].id}:0:3")
        assert notices(await settle(grace)) == [EXPIRED]
        async with world.db.sessions() as session:
            assert list(await session.scalars(select(JpatItem))) == []


async def test_partnership_edits_stage_interval_and_ngo_side(sqlite_url: str) -> None:
    clock = ManualClock(START)
    async with jpat_world(sqlite_url, clock) as world:
        grace = await staff(world, 9141, "Grace")
        await staff(world, 9142, "Sam")
        org_id, _phones = await partners(world, clock, "Hope RLO", [(9241, "Amina", "en")])
        pid = await make_partnership(world, org_id, [grace])

        listing = shown(await command(grace, "partnership"))
        assert "#1 Hope RLO: ongoing, J-PAT every 3 months, next check-in June 2, 2026" in listing
        await press(grace, "Edit #1 Hope RLO")
        await press(grace, "Change the stage")
        events = await press(grace, "closing")
        assert "Stage: closing" in shown(events)
        await press(grace, "Change the J-PAT interval")
        events = await press(grace, "every 6 months")
        assert "Next J-PAT check-in: September 2, 2026" in shown(events)
        await press(grace, "Change the J-PAT interval")
        events = await press(grace, "no regular check-ins")
        assert "Next J-PAT check-in: none planned" in shown(events)

        await press(grace, "Remove an NGO colleague")
        events = await press(grace, "Grace")
        assert notices(events) == ["The NGO side needs at least one member."]
        await press(grace, "Add an NGO colleague")
        await press(grace, "Sam")
        await press(grace, "Remove an NGO colleague")
        events = await press(grace, "Grace")
        assert "Grace left the NGO side." in shown(events)
        assert "NGO side: Sam" in shown(events)
        async with world.db.sessions() as session:
            partnership = await session.get(Partnership, pid)
            sides = [(c.display_name, s) for c, s in await partnerships.members(session, pid)]
        assert (partnership.stage, partnership.cadence, partnership.next_round_at) == (
            "closing",
            "none",
            None,
        )
        assert sides == [("Sam", "ngo"), ("Amina", "partner")]
        actions = await audit_actions(world, 9141)
        assert actions.count("partnership.cadence") == 2
        assert {"partnership.stage", "partnership.member_add", "partnership.member_remove"} <= set(
            actions
        )

        # typed start dates in the wizard: a wrong one is asked again
        await command(grace, "partnership", "new")
        await press(grace, "Hope RLO")
        events = await say(grace, "soon")
        assert "Please type a date, for example " in shown(events)
        events = await say(grace, "15/01/2026")
        assert "Start date: January 15, 2026" in shown(events)
        await press(grace, "inception")
        events = await press(grace, "every month")
        assert "Partnership #2 with Hope RLO created." in shown(events)
        assert "Next J-PAT check-in: April 2, 2026" in shown(events)  # a month from today
