"""The event loop the running bot turns on: uvloop where it is installed, else asyncio's own.

uvloop runs the same asyncio programs with its loop, transports and timers in C. On
``partnerbot bench survey`` it cut the bot's CPU per answer by about a tenth at 100 partners
and more at 300, where the loop's own bookkeeping (a wake-up for every database call answered
from aiosqlite's thread, every socket read) is a larger share. Nothing in the bot depends on
which loop runs it: the tests run on asyncio's, the bot process on this one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    try:
        import uvloop
    except ImportError:  # not on Windows; asyncio's loop runs the bot the same way
        return asyncio.run(main)
    return uvloop.run(main)
