"""Pushes that leave the bot on its own initiative: campaign invitations and nudges, and the
kinds features register (meeting invitations and reminders: ``bot.meetings.push``).

The database is the record of what must be sent. ``tick`` closes campaigns that are due,
schedules nudges, then sends whatever is due — claimed row by row so two bot processes never
send the same push, postponed past the person's quiet hours, paced as bulk traffic so replies
to people who are chatting go first.

Due rows are read a batch at a time; each worker checks the stop signal (``Services.stopping``)
before taking the next, so a stop ends a push of thousands within the pushes in flight. Claims
are leases (``storage.deliveries``), renewed while held and handed back at stop. On PostgreSQL
only the holder of the dispatcher lock (``storage.dispatch_lock``) sends pushes, so several
processes together keep to Telegram's limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError

from bot import error_reports
from bot.quiet import is_quiet, quiet_end_after
from bot.reminder_times import Verdict
from bot.replies import send_text
from bot.send_outcomes import ON_THE_WIRE, SendAbandoned, SendUncertain
from bot.services import Services
from storage import campaigns, deliveries, flows
from storage import surveys as store
from storage.db import is_sqlite
from storage.dispatch_lock import DispatchLock
from storage.models import Campaign, Contact, Delivery
from storage.updates import forget_old_updates

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# Pushes in flight per tick. A handful keeps the send path's queue full at Telegram's 30/s
# (each push spends a few ms on the database, then waits for its turn to send); more only
# crowds the database and the event loop that replies to people chatting. Measured with
# `partnerbot bench broadcast` (3 000 reminders, 50 partners answering): 64 in flight gave an
# interactive p99 of 236-313 ms, 16 gave 128-133 ms, 8 gave 138 ms, all at 29.5 msg/s.
CONCURRENCY = 16
# Due ids read per query: a few seconds of sending at 30/s, so a long push reads as it goes
# (and sees rows that fall due meanwhile) without holding thousands of ids.
BATCH = 200
# Held claims are renewed this often: well inside the lease, so a send that waits out a 429
# never loses its claim to another process.
RENEW_EVERY_S = deliveries.CLAIM_LEASE.total_seconds() / 3

# What a push of each kind says: (services, delivery, contact's language, contact's zone)
# -> (text, keyboard, parse_mode). Features register their kinds here ("invite" and "nudge"
# are the survey campaign's, below).
Composer = Callable[
    [Services, Delivery, str, str], Awaitable[tuple[str, InlineKeyboardMarkup | None, str | None]]
]
# Work done on every tick before sending (open rounds on schedule, close what is due, ...) is
# each feature's ``tick_hooks``.
# Kinds that judge for themselves, when due, whether a push is still useful and when it may go
# (meeting reminders: their quiet-hour shift is computed when they are scheduled and they must
# never be postponed past the meeting). A kind with a guard skips the generic quiet-hour
# postponement below. Called with a read-only session before the claim, the contact already
# checked; the claim that follows only succeeds if the row is still there to take.
Guard = Callable[[AsyncSession, Delivery, Contact, datetime], Awaitable[Verdict]]


@dataclass
class TickReport:
    closed: list[int] = field(default_factory=list)
    nudges_scheduled: int = 0
    sent: int = 0
    postponed: int = 0
    skipped: int = 0
    failed: int = 0
    released: int = 0
    #: False when another process holds the dispatcher lock (nothing was sent here)
    dispatcher: bool = True


async def tick(application: Any) -> TickReport:
    svc: Services = application.bot_data["services"]
    report = TickReport()
    if svc.stopping.is_set():
        return report
    svc.metrics.tick()  # the health check's "dispatcher alive"
    now = svc.clock.now()
    async with svc.db.transaction() as session:
        report.closed = await campaigns.close_due(session, now)
    async with svc.db.transaction() as session:
        report.nudges_scheduled = await campaigns.schedule_nudges(session, now)
    for hook in svc.registry.tick_hooks:
        await hook(svc, now)
    await _housekeeping(svc, now)
    await send_due(application, report)
    return report


FLOW_LIFETIME = timedelta(days=7)
UPDATE_IDS_KEPT = timedelta(days=3)


async def _housekeeping(svc: Services, now: datetime) -> None:
    """Drop what is only worth keeping for a while (abandoned chat steps, old update ids), and
    settle the pushes a dead process left on the wire."""
    async with svc.db.transaction() as session:
        await flows.expire(session, now - FLOW_LIFETIME)
        lost = await deliveries.settle_lost_sends(session, now)
    if lost:
        log.warning("%d push(es) on the wire when a process died: recorded as sent", lost)
    await forget_old_updates(svc.db, now, UPDATE_IDS_KEPT)


def dispatch_lock(svc: Services) -> DispatchLock:
    """This process's hold on the bulk dispatcher's role (``storage.dispatch_lock``)."""
    return svc.extras.setdefault("dispatch_lock", DispatchLock(svc.db))  # type: ignore[no-any-return]


def _held(svc: Services) -> set[int]:
    """Deliveries this process has claimed and is sending: their leases are renewed."""
    return svc.extras.setdefault("dispatch_held", set())  # type: ignore[no-any-return]


async def send_due(application: Any, report: TickReport) -> None:
    svc: Services = application.bot_data["services"]
    if svc.stopping.is_set():
        return
    report.dispatcher = await dispatch_lock(svc).hold()
    if not report.dispatcher:
        return  # another process sends the pushes; Telegram's limit is for the bot, not each
    source = _DueIds(svc)
    renewing = asyncio.create_task(_renew_held(svc), name="claim leases")

    async def worker() -> None:
        # A few workers taking ids in turn, not one task per id: thousands of due pushes must
        # not mean thousands of tasks in memory at once.
        while (delivery_id := await source.next()) is not None:
            svc.metrics.dispatcher.beat()  # a long push is progress, not a stuck dispatcher
            try:
                await _deliver(application, svc, delivery_id, report)
            except Exception as err:
                report.failed += 1
                error_reports.log_and_report(
                    application, err, log, "delivery %s failed", delivery_id
                )

    try:
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing


class _DueIds:
    """The due ids of one tick, read ``BATCH`` at a time and handed out one by one; None once
    none is left or the bot is stopping. Each id is handed out once per tick: one postponed to
    "now" (network trouble) waits for the next tick instead of spinning in this one."""

    def __init__(self, svc: Services) -> None:
        self._svc = svc
        self._buffer: deque[int] = deque()
        self._seen: set[int] = set()
        self._lock = asyncio.Lock()
        self._exhausted = False

    async def next(self) -> int | None:
        async with self._lock:
            if not self._buffer and not self._exhausted and not self._svc.stopping.is_set():
                async with self._svc.db.sessions() as session:
                    ids = await deliveries.due_ids(session, self._svc.clock.now(), limit=BATCH)
                fresh = [i for i in ids if i not in self._seen]
                self._seen.update(fresh)
                self._buffer.extend(fresh)
                self._exhausted = len(ids) < BATCH or not fresh
            if self._svc.stopping.is_set() or not self._buffer:
                return None
            return self._buffer.popleft()


async def _renew_held(svc: Services) -> None:
    """Keep the lease on this process's claims while a push runs (a send can wait out a 429
    longer than the lease; losing the claim would let another process send it too)."""
    while True:
        await asyncio.sleep(RENEW_EVERY_S)
        held = list(_held(svc))
        if held:
            async with _writes(svc), svc.db.transaction() as session:
                await deliveries.renew(session, held, svc.clock.now())


async def on_stop(svc: Services) -> None:
    """Once no tick runs (the bot is stopping): let go of the dispatcher lock, so another
    process takes over at its next tick rather than when PostgreSQL notices this one gone.
    Claims need nothing here: each push abandoned at stop was handed back by its worker."""
    lock = svc.extras.get("dispatch_lock")
    if lock is not None:
        await lock.release()


async def _deliver(application: Any, svc: Services, delivery_id: int, report: TickReport) -> None:
    now = svc.clock.now()
    # Decide from a read-only look first: deciding is most of the work, and reading holds no
    # write lock (on SQLite one writer at a time: long write transactions make every other
    # writer, including replies to people chatting, wait).
    async with svc.db.sessions() as session:
        delivery = await session.get(Delivery, delivery_id)
        if delivery is None or not _claimable(delivery, now):
            return
        contact = await session.get(Contact, delivery.contact_id)
        campaign, response = await campaigns.of_delivery(session, delivery)
        verdict = await _decide(
            svc.registry.guards, session, delivery, contact, campaign, response, now
        )
    if svc.stopping.is_set():
        return
    # Then one short write: take the row (only if it is still there to take, so two
    # processes never both send it) and settle it at once if it is not to be sent now.
    async with _writes(svc), svc.db.transaction() as session:
        claimed = await deliveries.claim(session, delivery_id, now)
        if claimed is None:
            return
        if verdict.action == "skip":
            await deliveries.finish(session, delivery_id, "skipped", now, verdict.reason)
            report.skipped += 1
            svc.metrics.push(claimed.kind, "skipped")
            return
        if verdict.action == "wait" and verdict.until is not None:
            await deliveries.postpone(session, delivery_id, verdict.until)
            report.postponed += 1
            svc.metrics.push(claimed.kind, "postponed")
            return
    held = _held(svc)
    held.add(delivery_id)
    try:
        await _send_claimed(application, svc, claimed, contact, response, now, report)
    finally:
        held.discard(delivery_id)


async def _send_claimed(
    application: Any,
    svc: Services,
    delivery: Delivery,
    contact: Contact | None,
    response: Any,
    now: datetime,
    report: TickReport,
) -> None:
    delivery_id = delivery.id
    assert contact is not None
    chat_id, lang = int(contact.telegram_user_id), contact.language  # type: ignore[arg-type]
    composer = svc.registry.composers.get(delivery.kind)
    if composer is None:  # a kind no feature of this version sends: failed, never guessed at
        log.warning("delivery %s: no feature composes its kind", delivery_id)
        async with _writes(svc), svc.db.transaction() as session:
            await deliveries.finish(session, delivery_id, "failed", now, "unknown kind")
        report.failed += 1
        svc.metrics.push(delivery.kind, "failed")
        return
    text, markup, parse_mode = await composer(svc, delivery, lang, contact.timezone)
    extra = {"parse_mode": parse_mode} if parse_mode else {}
    context: Any = SimpleNamespace(bot=application.bot)  # all of PTB's context send_text needs
    marked = False

    async def on_the_wire() -> None:
        nonlocal marked
        if not marked:
            marked = True
            async with _writes(svc), svc.db.transaction() as session:
                await deliveries.mark_sending(session, delivery_id)

    wire = ON_THE_WIRE.set(on_the_wire)
    try:
        await send_text(context, chat_id, text, lang, keyboard=markup, bulk=True, **extra)
    except SendAbandoned:  # stopping, and nothing of it left: pending again for later
        async with _writes(svc), svc.db.transaction() as session:
            await deliveries.release(session, [delivery_id])
        report.released += 1
        svc.metrics.push(delivery.kind, "released")
        return
    except SendUncertain:  # may have reached the partner: never sent twice (bot.send_outcomes)
        state, detail = "sent", "uncertain"
    except Forbidden:
        state, detail = "skipped", "blocked"
    except BadRequest as err:
        state, detail = "failed", str(err)[:200]
    except TelegramError as err:  # network trouble that outlasted the send path's retries
        async with _writes(svc), svc.db.transaction() as session:
            if delivery.attempts >= MAX_ATTEMPTS:
                await deliveries.finish(session, delivery_id, "failed", now, str(err)[:200])
            else:
                await deliveries.postpone(session, delivery_id, now)
        report.failed += 1
        svc.metrics.push(delivery.kind, "failed" if delivery.attempts >= MAX_ATTEMPTS else "retry")
        return
    else:
        state, detail = "sent", None
    finally:
        ON_THE_WIRE.reset(wire)
    async with _writes(svc), svc.db.transaction() as session:
        await deliveries.finish(session, delivery_id, state, svc.clock.now(), detail)
        if state == "sent" and delivery.kind == "nudge" and response is not None:
            row = await store.get_response(session, response.id)
            if row is not None:
                row.nudges_sent = (row.nudges_sent or 0) + 1
                row.last_nudge_at = svc.clock.now()
    if state == "sent":
        report.sent += 1
    elif state == "skipped":
        report.skipped += 1
    else:
        report.failed += 1
    svc.metrics.push(delivery.kind, detail if detail in ("uncertain", "blocked") else state)


def _claimable(delivery: Delivery, now: datetime) -> bool:
    if delivery.state == "pending":
        return delivery.due_at <= now
    return (
        delivery.state == "claimed"
        and delivery.claimed_at is not None
        and delivery.claimed_at < now - deliveries.CLAIM_LEASE
    )


async def _decide(
    guards: Mapping[str, Guard],
    session: AsyncSession,
    delivery: Delivery,
    contact: Contact | None,
    campaign: Campaign | None,
    response: Any,
    now: datetime,
) -> Verdict:
    """Send now, skip for good, or wait (quiet hours) — the kind's guard decides if it has one."""
    reason = _skip_reason(delivery, contact, campaign, response)
    if reason is not None:
        return Verdict("skip", reason=reason)
    assert contact is not None
    guard = guards.get(delivery.kind)
    if guard is not None:
        return await guard(session, delivery, contact, now)
    if is_quiet(now, contact.timezone, contact.quiet_start, contact.quiet_end):
        until = quiet_end_after(now, contact.timezone, contact.quiet_start, contact.quiet_end)
        return Verdict("wait", until=until)
    return Verdict("send")


def _writes(svc: Services) -> asyncio.Semaphore:
    """Dispatch's own writes, a few at a time (one on SQLite, where writers queue anyway).

    Queued here, in order, rather than in SQLite's busy handler, which sleeps in growing steps:
    many pushes in flight must not crowd out the writes of people chatting with the bot.
    """
    gate = svc.extras.get("dispatch_writes")
    if gate is None:
        gate = svc.extras["dispatch_writes"] = asyncio.Semaphore(1 if is_sqlite(svc.db.url) else 8)
    return gate


def _skip_reason(
    delivery: Delivery, contact: Contact | None, campaign: Campaign | None, response: Any
) -> str | None:
    if contact is None or contact.telegram_user_id is None:
        return "contact gone"
    if contact.status != "active":
        return f"contact {contact.status}"
    if delivery.campaign_id is not None and (campaign is None or campaign.status != "open"):
        return "campaign closed"
    if response is not None and response.status not in store.OPEN_STATUSES:
        return f"response {response.status}"
    return None
