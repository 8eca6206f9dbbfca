"""The scheduler's jobs, rebuilt from the database: wake up exactly when the next push is due.

PTB's JobQueue (APScheduler) keeps jobs in memory only, so nothing about *what* to send lives
in it: the ``deliveries`` table is the record. At start-up, and after each wake-up, one
one-shot job is armed for the earliest pending delivery's due time — at once if something fell
due while the bot was down (the catch-up). The periodic tick (``settings.tick_seconds``) stays
as the safety net, e.g. for rows added by another process. Finding the next due time is one
indexed query, so start-up costs the same with 30 or 30 000 pending reminders.

Once the bot is stopping (``Services.stopping``) no tick starts, a running one goes round no
more, and nothing is re-armed.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import dispatch
from bot.services import Services
from storage import deliveries

log = logging.getLogger(__name__)
JOB_NAME = "next-due"
MIN_DELAY_S = 1.0  # a row postponed to "now" (network trouble) must not spin the loop


async def next_due_at(svc: Services) -> datetime | None:
    async with svc.db.sessions() as session:
        return await deliveries.next_due_at(session)


async def arm(application: Any, *, first: bool = False) -> float | None:
    """(Re)arm the one wake-up job; returns its delay in seconds, or None if none is needed.

    Off when the periodic tick is off (``tick_seconds=0``: tests drive ``tick`` themselves), and
    while another process is the dispatcher: the rows due here are its to send, and waking at
    once for them again and again would only spin; the periodic tick asks for the role.
    """
    svc: Services = application.bot_data["services"]
    queue = application.job_queue
    if queue is None or svc.settings.tick_seconds <= 0 or svc.stopping.is_set():
        return None
    if not await dispatch.dispatch_lock(svc).hold():
        return None
    due = await next_due_at(svc)
    for job in queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    if due is None:
        return None
    delay = max(0.0 if first else MIN_DELAY_S, (due - svc.clock.now()).total_seconds())
    queue.run_once(_wake, when=delay, name=JOB_NAME)
    return delay


async def _wake(context: Any) -> None:
    application = context.application
    try:
        await run_tick(application)
    finally:
        await arm(application)


@dataclass
class _Flight:
    """The tick running in this process, if any, and whether something asked for another."""

    task: asyncio.Task[None] | None = None
    again: bool = False


async def run_tick(application: Any) -> None:
    """One dispatcher tick at a time in this process. A wake-up, the periodic job and "send
    it now" after /send or /meeting may all ask at once: the second asker does not start a
    second tick that would read the same due rows and race the first for them; the running
    tick goes round once more instead (what the asker added is then seen), and both wait for
    it to end. The tick runs in a task of the application's, so shutdown waits for it."""
    flight: _Flight = application.bot_data.setdefault("tick_flight", _Flight())
    if _stopping(application):
        return
    if flight.task is None or flight.task.done():
        flight.task = application.create_task(_rounds(application, flight), name="dispatch tick")
    else:
        flight.again = True
    await asyncio.shield(flight.task)


async def _rounds(application: Any, flight: _Flight) -> None:
    while True:
        flight.again = False
        await dispatch.tick(application)
        if not flight.again or _stopping(application):
            return


def _stopping(application: Any) -> bool:
    svc: Services | None = application.bot_data.get("services")
    return svc is not None and svc.stopping.is_set()


def tick_soon(application: Any) -> None:
    """Send what was just queued (invitations, notices, nudges) now, not at the next wake-up,
    without the staff member's reply waiting for a push to thousands; then re-arm."""

    async def run() -> None:
        try:
            await run_tick(application)
        finally:
            await arm(application)

    task = application.create_task(run(), name="tick soon")
    # Kept where tests, the walkthrough and shutdown can wait for it to end.
    tasks: set[asyncio.Task[None]] = application.bot_data.setdefault("tasks", set())
    tasks.add(task)
    task.add_done_callback(tasks.discard)


async def rebuild(application: Any) -> None:
    """At start-up: wake at once if something is overdue, else when the next push is due."""
    delay = await arm(application, first=True)
    if delay is not None:
        log.info("next push due in %.0f s", delay)
