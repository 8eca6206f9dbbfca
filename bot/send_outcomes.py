"""How a Bot API request can end besides success, and what each kind does about a request that
may have reached Telegram.

A request whose connection failed before it was made (``bot.telegram_http.RequestNotSent``)
cannot have reached Telegram, and is sent again. Any other network failure — a read timeout,
a connection closed before the answer — may come after Telegram delivered the message: the
bot cannot know. The policy, per kind of message:

| kind | a request that may have reached Telegram |
| --- | --- |
| interactive reply (a question, an answer's confirmation, a list) | sent again, a few times: a reply seen twice is better than a partner left waiting |
| invitation, reminder, nudge, report-back (bulk, from the outbox) | not sent again: ``SendUncertain``, and the delivery is recorded as sent with detail "uncertain" — one lost reminder now and then is better than thousands of partners getting two |
| any kind, when the bot is stopping before the request left | ``SendAbandoned``: handed back to the outbox, sent after the restart |
| bulk, when the process dies with the request on the wire | the delivery was marked "sending" just before (``ON_THE_WIRE``); once its lease runs out it is recorded as sent "uncertain", never sent again. A claim that never reached the wire is sent by the next process |

``partnerbot bench broadcast --lost-replies 0.03`` measures the bulk rule with a sandbox that
sends the message and then drops its answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass

from telegram.error import NetworkError

#: Set by the dispatcher around one push; the send path calls it just before each of the
#: push's requests goes on the wire, so a crash after that point is known to be ambiguous.
ON_THE_WIRE: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar(
    "partnerbot_on_the_wire", default=None
)


class SendAbandoned(Exception):
    """A bulk request given up before it was sent, because the bot is stopping."""

    def __init__(self) -> None:
        super().__init__("bulk request abandoned: the bot is stopping")


class SendUncertain(NetworkError):
    """A bulk request that failed in a way that may have come after Telegram delivered it: it
    is not sent again (see the module docstring)."""


@dataclass
class SendStats:
    """Counters the benchmarks and tests read."""

    sent: int = 0
    retried_429: int = 0
    retried_network: int = 0
    blocked: int = 0
    failed: int = 0
    uncertain: int = 0
