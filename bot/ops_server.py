"""Health and metrics over HTTP for whoever runs the bot: ``GET /healthz`` and ``GET /metrics``.

Off unless ``PARTNERBOT_OPS_PORT`` is set, and on loopback (``PARTNERBOT_OPS_LISTEN``,
127.0.0.1) unless an operator opens it up: the figures are the machinery's, but they are
nobody else's business. Started and stopped with the bot (``bot.lifecycle``), on its own
port in webhook mode too.

``/healthz`` answers 200 with a short JSON body when

* **database**: a trivial query answers within a few seconds;
* **telegram**: the Bot API answered a request (any, getUpdates included) within
  :data:`TELEGRAM_STALE_S`. Polling asks every 30 s at most, so it is never asked here;
  a bot on a webhook that nobody wrote to for a while is checked with one ``getMe``, at most
  once per :data:`TELEGRAM_RECHECK_S` whatever the probe rate;
* **dispatcher**: it started a tick or settled a push within :func:`dispatcher_bound` of
  ``PARTNERBOT_TICK_SECONDS`` (a push to thousands counts as progress, push by push);

and 503 naming the checks that failed otherwise. No check says more than a state and a
number of seconds: no address, no error text (a database error can quote its URL).

``/metrics`` is Prometheus' text format (``bot.metrics``), the outbox and inbox gauges read
from the database at each scrape (``storage.ops_figures``; kinds through
``storage.disclosure.operational_kind``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Any, Final

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.services import SERVICES_KEY, Services
from storage import ops_figures
from storage.db import Database

log = logging.getLogger(__name__)

#: The Bot API must have answered within this long (polling asks every 30 s).
TELEGRAM_STALE_S: Final = 120.0
#: When it has not, ``getMe`` is asked at most this often.
TELEGRAM_RECHECK_S: Final = 30.0
#: How long the database and that ``getMe`` may take before they count as not answering.
CHECK_TIMEOUT_S: Final = 5.0
#: The dispatcher's bound is never shorter than this (a tick can hold for a slow write).
MIN_DISPATCHER_BOUND_S: Final = 60.0


def dispatcher_bound(tick_seconds: float) -> float:
    """How long the dispatcher may go without progress: three missed periodic ticks."""
    return max(MIN_DISPATCHER_BOUND_S, 3 * tick_seconds)


class OpsServer:
    """The listening socket and the two routes; ``port=0`` picks a free port (tests)."""

    def __init__(self, application: Any) -> None:
        self.application = application
        self.svc: Services = application.bot_data[SERVICES_KEY]
        #: what the checks and the gauges read (a test points it at a database that is down)
        self.db: Database = self.svc.db
        self._runner: web.AppRunner | None = None
        self._scrape = asyncio.Lock()
        self._recheck = asyncio.Lock()
        self._rechecked_at = -math.inf

    # ------------------------------------------------------------------ serving

    async def start(self, listen: str, port: int) -> None:
        app = web.Application(client_max_size=1024)
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, listen, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        log.info("health and metrics on http://%s:%d/ (healthz, metrics)", listen, self.port)

    @property
    def port(self) -> int:
        if self._runner is None:
            raise RuntimeError("the ops server is not running")
        return int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    # ------------------------------------------------------------------ routes

    async def healthz(self, request: web.Request) -> web.Response:
        checks = await self.checks()
        failed = [name for name, (ok, _) in checks.items() if not ok]
        body = {
            "status": "failing" if failed else "ok",
            "checks": {name: state for name, (_, state) in checks.items()},
        }
        if failed:
            body["failed"] = failed
        return web.json_response(body, status=503 if failed else 200)

    async def metrics(self, request: web.Request) -> web.Response:
        metrics = self.svc.metrics
        async with self._scrape:  # two scrapes at once must not interleave their gauge sets
            try:
                async with asyncio.timeout(CHECK_TIMEOUT_S), self.db.sessions() as session:
                    found = await ops_figures.figures(session, self.svc.clock.now())
            except Exception as err:
                log.warning("metrics: the database did not answer (%s)", type(err).__name__)
                metrics.database_unreadable(ops_figures.labels())
            else:
                metrics.set_outbox(found.waiting, found.oldest_due_s, found.inbox)
            body = generate_latest(metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    # ------------------------------------------------------------------ checks

    async def checks(self) -> dict[str, tuple[bool, str]]:
        database, telegram = await asyncio.gather(self._database(), self._telegram())
        return {"database": database, "telegram": telegram, "dispatcher": self._dispatcher()}

    async def _database(self) -> tuple[bool, str]:
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_S), self.db.sessions() as session:
                await ops_figures.ping(session)
        except Exception as err:
            return False, f"no answer ({type(err).__name__})"
        return True, "ok"

    async def _telegram(self) -> tuple[bool, str]:
        heartbeat = self.svc.metrics.telegram
        if heartbeat.age() > TELEGRAM_STALE_S:
            await self._ask_telegram()
        age = heartbeat.age()
        if age > TELEGRAM_STALE_S:
            return False, f"no answer for {age:.0f} s (limit {TELEGRAM_STALE_S:.0f} s)"
        return True, "ok"

    async def _ask_telegram(self) -> None:
        """One ``getMe`` for all the probes waiting, and none again for a while."""
        async with self._recheck:
            if time.monotonic() - self._rechecked_at < TELEGRAM_RECHECK_S:
                return
            self._rechecked_at = time.monotonic()
            try:
                async with asyncio.timeout(CHECK_TIMEOUT_S):
                    await self.application.bot.get_me()  # an answer beats the heartbeat
            except Exception as err:
                log.info("health: getMe failed (%s)", type(err).__name__)

    def _dispatcher(self) -> tuple[bool, str]:
        tick_seconds = self.svc.settings.tick_seconds
        if tick_seconds <= 0:
            return True, "off (PARTNERBOT_TICK_SECONDS=0)"
        bound = dispatcher_bound(tick_seconds)
        age = self.svc.metrics.dispatcher.age()
        if age > bound:
            return False, f"no progress for {age:.0f} s (limit {bound:.0f} s)"
        return True, "ok"
