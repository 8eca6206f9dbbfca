"""What the bot counts about itself, for ``/metrics`` and ``/healthz`` (``bot.ops_server``).

One ``Metrics`` per bot, each with its own prometheus-client registry (not the global one), so
two bots in one process — tests, the benchmarks — never share or clash over a counter. The
places that count keep it to an attribute store or a counter increment or two: the bot is
CPU-bound at ~60 answers a second and these run on every update and every message sent.

Labels carry no user id, chat id, name or text; a push kind becomes a label only through
``storage.disclosure.operational_kind``. Figures read from the database (outbox and inbox
depth) are set on the gauges when ``/metrics`` is read (``bot.ops_server``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any, Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from storage.disclosure import operational_kind

#: What became of an update: applied; a handler raised (the error handler answered); or the
#: unit of work around it failed (nothing of it was stored, the inbox replays it).
UPDATE_OUTCOMES: Final = ("handled", "error", "failed")
#: Messages (Bot API calls that put something in a chat) by what became of them.
MESSAGE_OUTCOMES: Final = ("sent", "failed", "blocked", "uncertain")
#: Interactive replies, bulk pushes, and getUpdates (for 429s).
TRAFFIC: Final = ("interactive", "bulk")
#: Handler latency buckets, seconds: a reply usually takes milliseconds; seconds mean trouble.
LATENCY_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Heartbeat:
    """When something last happened (``time.monotonic``): Telegram answered, a tick ran."""

    __slots__ = ("at",)

    def __init__(self) -> None:
        self.at = time.monotonic()

    def beat(self) -> None:
        self.at = time.monotonic()

    def age(self) -> float:
        return time.monotonic() - self.at


class _Outcome:
    __slots__ = ("error",)

    def __init__(self) -> None:
        self.error = False


#: The update being handled in this task, so the error handler can mark it (``note_error``).
_CURRENT: ContextVar[_Outcome | None] = ContextVar("partnerbot_update_outcome", default=None)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter(
            "partnerbot_updates", "Updates handled, by outcome", ["outcome"], registry=r
        )
        self.update_seconds = Histogram(
            "partnerbot_update_seconds",
            "Time to handle one update, its unit of work included (not its wait for the chat)",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.messages = Counter(
            "partnerbot_messages",
            "Messages to chats through the send path, by traffic and outcome",
            ["traffic", "outcome"],
            registry=r,
        )
        self.pushes = Counter(
            "partnerbot_pushes",
            "Outbox pushes settled by the dispatcher, by kind and outcome",
            ["kind", "outcome"],
            registry=r,
        )
        self.rate_limited = Counter(
            "partnerbot_telegram_429",
            "429 Too Many Requests answers from the Bot API, by traffic",
            ["traffic"],
            registry=r,
        )
        self.ticks = Counter("partnerbot_dispatcher_ticks", "Dispatcher ticks run", registry=r)
        self.outbox_waiting = Gauge(
            "partnerbot_outbox_waiting",
            "Pushes not yet sent (pending or being sent), by kind",
            ["kind"],
            registry=r,
        )
        self.outbox_oldest_due = Gauge(
            "partnerbot_outbox_oldest_due_seconds",
            "Seconds since the oldest unsent push fell due, by kind (0: none overdue)",
            ["kind"],
            registry=r,
        )
        self.inbox_waiting = Gauge(
            "partnerbot_inbox_waiting", "Updates received and not yet applied", registry=r
        )
        self.database_up = Gauge(
            "partnerbot_database_up", "1 when the last scrape could read the database", registry=r
        )
        self.dispatcher_age = Gauge(
            "partnerbot_dispatcher_last_tick_age_seconds",
            "Seconds since the dispatcher last made progress",
            registry=r,
        )
        self.telegram_age = Gauge(
            "partnerbot_telegram_last_answer_age_seconds",
            "Seconds since the Bot API last answered a request",
            registry=r,
        )
        self.telegram = Heartbeat()
        self.dispatcher = Heartbeat()
        self.dispatcher_age.set_function(self.dispatcher.age)
        self.telegram_age.set_function(self.telegram.age)
        # Children bound once: the hot paths pay a dict lookup and an increment.
        self._updates = {o: self.updates.labels(o) for o in UPDATE_OUTCOMES}
        self._messages = {
            (t, o): self.messages.labels(t, o) for t in TRAFFIC for o in MESSAGE_OUTCOMES
        }
        self._rate_limited = {t: self.rate_limited.labels(t) for t in (*TRAFFIC, "updates")}

    # ------------------------------------------------------------------ counting

    def update_done(self, outcome: str, seconds: float) -> None:
        self._updates[outcome].inc()
        self.update_seconds.observe(seconds)

    def message(self, traffic: str, outcome: str) -> None:
        self._messages[(traffic, outcome)].inc()

    def too_many_requests(self, traffic: str) -> None:
        self._rate_limited[traffic].inc()

    def push(self, kind: str | None, outcome: str) -> None:
        self.pushes.labels(operational_kind(kind), outcome).inc()

    def tick(self) -> None:
        self.ticks.inc()
        self.dispatcher.beat()

    # ------------------------------------------------------------------ scrape time

    def set_outbox(
        self,
        waiting: dict[str, int],
        oldest_due_s: dict[str, float],
        inbox: int,
    ) -> None:
        for kind, count in waiting.items():
            self.outbox_waiting.labels(operational_kind(kind)).set(count)
        for kind, age in oldest_due_s.items():
            self.outbox_oldest_due.labels(operational_kind(kind)).set(age)
        self.inbox_waiting.set(inbox)
        self.database_up.set(1)

    def database_unreadable(self, kinds: Iterable[str]) -> None:
        """The scrape could not read the database: its figures are unknown, not zero."""
        nan = float("nan")
        for kind in kinds:
            self.outbox_waiting.labels(operational_kind(kind)).set(nan)
            self.outbox_oldest_due.labels(operational_kind(kind)).set(nan)
        self.inbox_waiting.set(nan)
        self.database_up.set(0)


# ---------------------------------------------------------------------- update outcomes


def begin_update() -> tuple[_Outcome, Any]:
    """Called by the update processor around one update; ``end_update`` with what it returns."""
    outcome = _Outcome()
    return outcome, _CURRENT.set(outcome)


def end_update(token: Any) -> None:
    _CURRENT.reset(token)


async def note_error(update: object, context: Any) -> None:
    """An error handler (registered before the one that answers the person): the update being
    handled in this task raised in a handler."""
    outcome = _CURRENT.get()
    if outcome is not None:
        outcome.error = True
