"""A strict fake Telegram Bot API server on loopback, with phones to play the users.

Nothing here reaches Telegram. python-telegram-bot talks to it over real HTTP
(``Application.builder().base_url(sandbox.base_url)``); tests, the no-token demo and the load
benchmarks play partners and staff through :class:`Phone`. It refuses what Telegram refuses,
with Telegram's status codes and wording, so a bot that passes the sandbox is not refused by
Telegram.

Typical test::

    sandbox = Sandbox(token="123456:TEST", limits=Limits())
    await sandbox.start()                       # port 0: a free port, in the running loop
    app = Application.builder().token(sandbox.token).base_url(sandbox.base_url).build()
    ...                                         # start the bot (polling or webhook)
    phone = sandbox.user(1001, first_name="Amina", language_code="ar")
    await phone.start("INVITE")                 # /start INVITE
    welcome = await phone.reply()               # next new bot message (waits up to 5 s)
    assert welcome.buttons == [["Agree", "No"]]
    await phone.press("Agree")
    [edit] = await phone.wait(kinds="edit")
    await phone.settle()                        # bot quiet again; returns unread events
    print(sandbox.transcript(1001))
    await sandbox.stop()
"""

from bot.devtools.sandbox.chat_view import ChatView, WaitTimeout
from bot.devtools.sandbox.clock import ManualClock
from bot.devtools.sandbox.errors import ApiError
from bot.devtools.sandbox.events import (
    ALL_KINDS,
    MESSAGE_KINDS,
    ChatMessage,
    Event,
    FileInfo,
    UserAction,
)
from bot.devtools.sandbox.faults import Faults
from bot.devtools.sandbox.limits import Limits
from bot.devtools.sandbox.phones import Group, Phone
from bot.devtools.sandbox.sandbox import Sandbox
from bot.devtools.sandbox.stats import Stats

__all__ = [
    "ALL_KINDS",
    "MESSAGE_KINDS",
    "ApiError",
    "ChatMessage",
    "ChatView",
    "Event",
    "Faults",
    "FileInfo",
    "Group",
    "Limits",
    "ManualClock",
    "Phone",
    "Sandbox",
    "Stats",
    "UserAction",
    "WaitTimeout",
]
