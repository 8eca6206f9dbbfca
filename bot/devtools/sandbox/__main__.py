"""Run the sandbox standalone: ``python -m bot.devtools.sandbox --port 8081 --token 123:ABC``.

Used by the no-token demo and by benchmarks that drive it from another process through the
control API; it prints the URLs to give the bot and serves until interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from bot.devtools.sandbox.limits import Limits
from bot.devtools.sandbox.sandbox import Sandbox


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.devtools.sandbox",
        description="Fake Telegram Bot API server on loopback.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST")
    parser.add_argument("--bot-username", default="partner_demo_bot")
    parser.add_argument("--no-limits", action="store_true", help="disable flood limits")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply limit refill rates")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per call")
    parser.add_argument("--error-rate", type=float, default=0.0, help="share answered 502")
    parser.add_argument("--drop-rate", type=float, default=0.0, help="share of dropped calls")
    parser.add_argument("--seed", type=int, default=None, help="seed for fault dice")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Start the sandbox and wait for SIGINT/SIGTERM."""
    sandbox = Sandbox(
        token=args.token,
        bot_username=args.bot_username,
        limits=Limits(enabled=not args.no_limits, scale=args.scale),
    )
    sandbox.faults.latency = args.latency
    sandbox.faults.error_rate = args.error_rate
    sandbox.faults.drop_rate = args.drop_rate
    if args.seed is not None:
        sandbox.faults.seed(args.seed)
    await sandbox.start(host=args.host, port=args.port)
    print(f"Bot API base_url:      {sandbox.base_url}", flush=True)
    print(f"Bot API base_file_url: {sandbox.base_file_url}", flush=True)
    print(f"Control API:           {sandbox.control_url}", flush=True)
    print(f"Token:                 {sandbox.token}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await sandbox.stop()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
