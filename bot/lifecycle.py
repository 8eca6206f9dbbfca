"""Starting and stopping the bot around whatever receives its updates (polling or webhook).

PTB's ``run_polling`` and ``run_webhook`` do this themselves, but both hand updates to the
handlers before they are stored; ``bot.polling`` and ``bot.webhook`` store them first (the
inbox) and use these steps, in PTB's order, so ``post_init`` and friends still run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Final

from bot.ops_server import OpsServer
from bot.services import SERVICES_KEY

log = logging.getLogger(__name__)

STOP_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)
#: Where the running health and metrics server is kept (``bot_data``), when it is on.
OPS_SERVER_KEY: Final = "ops_server"


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop`` (where the loop supports signal handlers)."""
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in STOP_SIGNALS:
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread, or not POSIX
            continue
        installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def start_application(application: Any) -> None:
    """Initialise, ``post_init`` (as PTB's ``__run`` does, right after initialising), then
    start the handlers on the update queue."""
    try:
        await application.initialize()
    except BaseException:
        # A refused token fails initialize() after the HTTP clients opened; PTB then counts
        # the bot as never initialised and would leave them open (a traceback at exit).
        for request in getattr(application.bot, "_request", ()):
            await request.shutdown()
        raise
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    await _start_ops_server(application)


async def _start_ops_server(application: Any) -> None:
    """Health and metrics over HTTP (``bot.ops_server``), when ``PARTNERBOT_OPS_PORT`` is set."""
    svc = application.bot_data.get(SERVICES_KEY)
    if svc is None or svc.settings.ops_port is None:
        return
    server = OpsServer(application)
    listen, port = svc.settings.ops_listen, svc.settings.ops_port
    try:
        await server.start(listen, port)
    except OSError as err:
        log.error("PARTNERBOT_OPS_PORT: cannot listen on %s:%s (%s)", listen, port, err.strerror)
        raise
    application.bot_data[OPS_SERVER_KEY] = server


async def stop_application(application: Any) -> None:
    """PTB's teardown order once no new updates arrive: the handlers finish what was queued
    (``stop``), then ``post_stop``, ``shutdown``, ``post_shutdown``.

    Before any of it, the services are told the bot is stopping: ``stop`` waits for the jobs
    and tasks in flight, and a dispatcher tick would otherwise go on to the end of its push
    (measured: still sending 90 s after SIGTERM). The health and metrics server, if on, stops
    then too."""
    svc = application.bot_data.get(SERVICES_KEY)
    if svc is not None:
        svc.request_stop()
    ops_server = application.bot_data.pop(OPS_SERVER_KEY, None)
    if ops_server is not None:  # a stopping bot is no longer one to send traffic to
        await ops_server.stop()
    if application.running:
        await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


async def serve_until_stopped(
    start: Callable[[], Awaitable[None]],
    stop_receiving: Callable[[], Awaitable[None]],
    application: Any,
    stop: asyncio.Event | None = None,
) -> None:
    """Run until ``stop`` is set or SIGINT/SIGTERM arrives. A signal during start-up (a slow
    ``post_init``, say) cancels start-up and still tears down: receiving stops first, then
    the application."""
    stop = stop if stop is not None else asyncio.Event()
    with stop_on_signals(stop):
        startup = asyncio.create_task(start())
        stopped = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({startup, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if startup.done():
                startup.result()  # a failed start-up raises here, after teardown below
                await stopped
        finally:
            for task in (startup, stopped):
                task.cancel()
            await asyncio.gather(startup, stopped, return_exceptions=True)
            await stop_receiving()
            await stop_application(application)
