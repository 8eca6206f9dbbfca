"""The partners of ``partnerbot bench faults``, and the sandbox's record of what it delivered.

Partners keep answering ``partner_feedback`` while the bot is killed under them. They behave
as people do: answer the question on screen, wait for the next one, and when nothing comes for
a while (the bot is down, or the answer went missing) send ``/surveys`` and continue from the
list. Every update they send is logged (:class:`Sent`) so the judge
(``bot.devtools.bench.faults_judge``) can ask afterwards what became of each one; the partners
themselves decide nothing about the figures.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.devtools.bench.survey_load import TEXT_ANSWERS
from bot.devtools.sandbox import Event, Phone, Sandbox
from bot.devtools.sandbox.updates import UpdateQueue
from bot.i18n import translator

#: Bidi and isolation marks the bot puts around right-to-left text; matching ignores them.
_MARKS = dict.fromkeys(
    map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def plain(text: str | None) -> str:
    """Text as compared by the partners and the judge: without bidi marks."""
    return (text or "").translate(_MARKS)


def thanks_text(lang: str) -> str:
    """The first sentence of the closing thank-you in ``lang``."""
    return plain(translator(lang)("Thank you! All your answers are saved."))


def listing_texts(lang: str) -> tuple[str, str]:
    """The first line of a /surveys answer in ``lang``: something waiting, or nothing."""
    _ = translator(lang)
    return (
        plain(_("Surveys waiting for you:")),
        plain(_("There is no survey waiting for you right now. Thank you!")),
    )


def survey_buttons(event: Event) -> list[str]:
    """The ``sv:<response>:<question>:...`` callback data of a message's live question buttons."""
    return [d for d in event.button_data.values() if d.startswith("sv:") and ":go" not in d]


def question_of(event: Event) -> tuple[int, int] | None:
    """(response id, question index) a message's keyboard answers, if it shows a question."""
    for data in survey_buttons(event):
        parts = data.split(":")
        if parts[1].isdigit() and parts[2].isdigit():
            return int(parts[1]), int(parts[2])
    return None


@dataclass
class Sent:
    """One update a partner sent: what it was, so its fate can be judged afterwards."""

    update_id: int
    chat_id: int
    kind: str  # "command", "press" or "text"
    data: str | None = None  # a press's callback data
    text: str | None = None  # a text's words (each carries a unique tag)
    query_id: str | None = None
    message_id: int | None = None  # the message pressed
    time: float = 0.0


class DeliveryWatch:
    """What the sandbox handed to the bot, and a signal when a fresh bot process polls.

    The sandbox runs in the bench's process, so its getUpdates is wrapped here rather than
    watched from outside: readiness is the event "the new process asked for updates", never
    a guessed delay.
    """

    def __init__(self, queue: UpdateQueue) -> None:
        self.delivered: Counter[int] = Counter()
        self.polled = asyncio.Event()
        original = queue.poll

        async def poll(offset: int | None, limit: int, timeout: float) -> list[dict[str, Any]]:
            self.polled.set()
            batch = await original(offset, limit, timeout)
            self.delivered.update(int(update["update_id"]) for update in batch)
            return batch

        queue.poll = poll  # type: ignore[method-assign]


@dataclass
class Partner:
    """One partner answering survey after survey until cancelled (or none is left)."""

    sandbox: Sandbox
    user_id: int
    language: str
    rng: random.Random
    think: tuple[float, float]
    patience: float
    log: list[Sent]
    stalls: int = 0
    completed: int = 0
    answers: int = 0
    _texts: int = 0
    phone: Phone = field(init=False)

    def __post_init__(self) -> None:
        self.phone = self.sandbox.user(
            self.user_id, first_name=f"P{self.user_id}", language_code=self.language
        )

    def _note(self, update: dict[str, Any], kind: str, **details: Any) -> None:
        self.log.append(
            Sent(
                int(update["update_id"]),
                self.user_id,
                kind,
                time=time.monotonic(),  # the sandbox stamps its events with this clock
                **details,
            )
        )

    async def _next(self, after: int, found: Callable[[Event], bool]) -> Event | None:
        """The first bot event past index ``after`` that ``found`` accepts, waiting up to
        ``patience`` seconds for it (woken by each new event, not by polling)."""
        chat = self.phone.chat
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.patience
        seen = after
        while True:
            for event in chat.events[seen:]:
                if found(event):
                    return event
            seen = len(chat.events)
            remaining = deadline - loop.time()
            if remaining <= 0 or not await chat.notifier.wait(remaining):
                return None

    async def run(self) -> None:
        thanks = thanks_text(self.language)
        on_screen: int | None = None  # the message showing this partner's current question
        while True:
            await asyncio.sleep(self.rng.uniform(*self.think))
            if on_screen is None:
                on_screen = await self._open()
                if on_screen == -1:
                    return  # nothing left to answer
                continue
            markup_event = self._live(on_screen)
            if markup_event is None:  # the question was closed meanwhile: look again
                on_screen = None
                continue
            where = question_of(markup_event)
            assert where is not None
            mark = len(self.phone.chat.events)
            await self._answer(on_screen, markup_event)
            rid, index = where

            def outcome(event: Event, rid: int = rid, index: int = index) -> bool:
                if event.kind != "message":
                    return False
                if plain(event.text).startswith(thanks):
                    return True
                return (q := question_of(event)) is not None and q[0] == rid and q[1] != index

            reply = await self._next(mark, outcome)
            if reply is None:  # nothing came: start again from /surveys, as a person would
                self.stalls += 1
                on_screen = None
            elif question_of(reply) is None:
                self.completed += 1
                on_screen = None
            else:
                on_screen = reply.message_id

    def _live(self, message_id: int) -> Event | None:
        """The latest event that gave ``message_id`` its question keyboard, if it still has it."""
        current = self.phone.message(message_id)
        if current is None or not current.reply_markup:
            return None
        for event in reversed(self.phone.chat.events):
            if event.message_id == message_id and event.kind in ("message", "edit"):
                return event if question_of(event) is not None else None
        return None

    async def _open(self) -> int | None:
        """/surveys, then the first survey's button: the message now showing a question, None
        when the bot did not answer in time, -1 when nothing is waiting."""
        listed = listing_texts(self.language)
        mark = len(self.phone.chat.events)
        self._note(await self.phone.send_command("surveys"), "command", text="/surveys")
        listing = await self._next(
            mark,
            lambda e: e.kind == "message" and plain(e.text).startswith(listed),
        )
        if listing is None:
            self.stalls += 1
            return None
        go = [d for d in listing.button_data.values() if d.endswith(":go")]
        if not go:
            return -1
        mark = len(self.phone.chat.events)
        update = await self.phone.press(data=go[0], message_id=listing.message_id)
        self._note(
            update,
            "press",
            data=go[0],
            query_id=update["callback_query"]["id"],
            message_id=listing.message_id,
        )
        shown = await self._next(
            mark,
            lambda e: (
                e.kind == "edit"
                and e.message_id == listing.message_id
                and question_of(e) is not None
            ),
        )
        if shown is None:
            self.stalls += 1
            return None
        return listing.message_id

    async def _answer(self, message_id: int, question: Event) -> None:
        """Press a choice (now and then a low one, so the follow-up question comes too), press
        Skip where there is no choice, or type a tagged text."""
        buttons = survey_buttons(question)
        choices = [d for d in buttons if ":c:" in d]
        skips = [d for d in buttons if d.endswith(":s")]
        pick = None
        if choices:
            pick = choices[min(len(choices) - 1, self.rng.choice([1, 3, 4]))]
        elif skips:
            pick = skips[0]
        self.answers += 1
        if pick is not None:
            update = await self.phone.press(data=pick, message_id=message_id)
            self._note(
                update,
                "press",
                data=pick,
                query_id=update["callback_query"]["id"],
                message_id=message_id,
            )
            return
        self._texts += 1
        text = f"{TEXT_ANSWERS[self.language]} [{self.user_id}-{self._texts}]"
        self._note(await self.phone.send_text(text), "text", text=text)
