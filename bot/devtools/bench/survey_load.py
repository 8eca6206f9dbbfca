"""The load side of ``partnerbot bench survey``: the sandbox and the simulated partners.

It runs in a process of its own so the bot's CPU time is the bot's alone. Protocol on stdio:
it prints ``READY <base_url>``, waits for a line ``GO`` on stdin, runs every partner through
the survey, then prints one JSON line of what it measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from typing import Any

from bot.devtools.bench.measure import cpu_s, percentile
from bot.devtools.bench.stdio import announce_and_wait_for_go, serve_until_stop
from bot.devtools.sandbox import Limits, Phone, Sandbox
from bot.devtools.sandbox.chat_view import WaitTimeout
from bot.i18n import translator

TEXT_ANSWERS = {
    "en": "Faster payments would help us plan.",
    "fr": "Des paiements plus rapides nous aideraient.",
    "es": "Pagos más rápidos nos ayudarían.",
    "ar": "الدفعات الأسرع ستساعدنا على التخطيط.",
    "sw": "Malipo ya haraka yangetusaidia kupanga.",
}


#: The first sentence of the closing thank-you (bot.surveys.asking.finish).
THANKS = "Thank you! All your answers are saved."


class Results:
    def __init__(self) -> None:
        self.latencies_ms: list[float] = []
        self.errors = 0
        self.answers = 0
        self.completed = 0
        self.messages: list[int] = []
        self.bytes: list[int] = []
        self.error_samples: list[str] = []


def _size(event: Any) -> int:
    body = (event.source or event.text or "").encode("utf-8")
    markup = (
        json.dumps(event.reply_markup, ensure_ascii=False).encode("utf-8")
        if event.reply_markup
        else b""
    )
    return len(body) + len(markup)


async def _next_message(phone: Phone, started: float, results: Results, timeout: float) -> Any:
    [event] = await phone.wait(1, kinds=("message",), timeout=timeout)
    results.latencies_ms.append((event.time - started) * 1000)
    return event


async def partner(
    sandbox: Sandbox,
    user_id: int,
    language: str,
    think: float,
    rng: random.Random,
    results: Results,
) -> None:
    phone = sandbox.user(user_id, first_name=f"P{user_id}", language_code=language)
    # Our bot thanks in the partner's language; the reference bot (reference_bot) in English.
    thanks = (translator(language)(THANKS), THANKS)
    await asyncio.sleep(rng.uniform(0, max(think, 0.01)))
    timeout = 30.0
    try:
        started = time.monotonic()
        await phone.send_command("surveys")
        listing = await _next_message(phone, started, results, timeout)
        await asyncio.sleep(think)
        go = next(data for data in listing.button_data.values() if data.endswith(":go"))
        started = time.monotonic()
        await phone.press(data=go)
        [edit] = await phone.wait(1, kinds=("edit",), timeout=timeout)
        results.latencies_ms.append((edit.time - started) * 1000)
        message_id = listing.message_id
        for _step in range(20):
            current = phone.message(message_id)
            markup = current.reply_markup or {}
            choices = [
                b["callback_data"]
                for row in markup.get("inline_keyboard", [])
                for b in row
                if ":c:" in b.get("callback_data", "")
            ]
            await asyncio.sleep(think)
            started = time.monotonic()
            if choices:
                # Low satisfaction now and then, so the follow-up question is asked too.
                await phone.press(
                    data=choices[min(len(choices) - 1, rng.choice([1, 3, 4]))],
                    message_id=message_id,
                )
            else:
                await phone.send_text(TEXT_ANSWERS[language])
            results.answers += 1
            reply = await _next_message(phone, started, results, timeout)
            if not reply.reply_markup:
                # A message without buttons is the thank-you, or a notice just before it (no
                # safeguarding focal point: what was typed in confidence is not kept): then the
                # survey is complete only when the thank-you itself arrives.
                while not any(t in (reply.text or "") for t in thanks):
                    [reply] = await phone.wait(1, kinds=("message",), timeout=timeout)
                results.completed += 1
                break
            message_id = reply.message_id
        else:
            raise RuntimeError("survey did not end within 20 steps")
        await phone.settle(quiet=0.05, timeout=timeout)
        bot_events = [e for e in phone.events if e.kind in ("message", "edit")]
        results.messages.append(sum(1 for e in bot_events if e.kind == "message"))
        results.bytes.append(sum(_size(e) for e in bot_events))
    except (WaitTimeout, RuntimeError, StopIteration, LookupError) as err:
        results.errors += 1
        if len(results.error_samples) < 3:
            results.error_samples.append(f"{user_id}: {type(err).__name__}: {str(err)[:300]}")


async def main_async(args: argparse.Namespace) -> None:
    limits = Limits(global_enabled=False, chat_enabled=True)
    sandbox = Sandbox(token=args.token, bot_username="partner_bench_bot", limits=limits)
    await sandbox.start(host="127.0.0.1", port=0)
    if not await announce_and_wait_for_go(sandbox):
        return
    rng = random.Random(7)
    languages = ["en", "fr", "es", "ar", "sw"]
    results = Results()
    started = time.monotonic()
    cpu_before = cpu_s()
    await asyncio.gather(
        *(
            partner(
                sandbox,
                args.first_id + i,
                languages[i % len(languages)],
                args.think,
                random.Random(rng.random()),
                results,
            )
            for i in range(args.partners)
        )
    )
    elapsed = time.monotonic() - started
    load_cpu = cpu_s() - cpu_before
    lat = results.latencies_ms
    print(
        json.dumps(
            {
                "elapsed_s": round(elapsed, 2),
                "answers": results.answers,
                "completed": results.completed,
                "errors": results.errors,
                "p50_ms": percentile(lat, 0.50),
                "p99_ms": percentile(lat, 0.99),
                "max_ms": round(max(lat, default=0.0), 1),
                "messages_per_survey": max(results.messages) if results.messages else 0,
                "bytes_to_partner_per_survey": round(sum(results.bytes) / len(results.bytes))
                if results.bytes
                else 0,
                "http_429": sandbox.stats.http_429,
                "requests": dict(sandbox.stats.requests),
                # The sandbox and the partners share the other core: when this nears
                # elapsed_s, the load side, not the bot, sets the pace.
                "load_cpu_s": round(load_cpu, 1),
                "error_samples": results.error_samples,
            }
        ),
        flush=True,
    )
    await serve_until_stop(sandbox)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--partners", type=int, default=1000)
    parser.add_argument("--think", type=float, default=3.0)
    parser.add_argument("--token", required=True)
    parser.add_argument("--first-id", type=int, default=10_000_000)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
