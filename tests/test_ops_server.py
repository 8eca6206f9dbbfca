"""Health and metrics over HTTP (``bot.ops_server``): the real bot against the sandbox, read over
real HTTP; the disclosure rule for kind labels; the counters in the send path."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from telegram.error import Forbidden, RetryAfter

from bot import dispatch
from bot.app import FEATURES
from bot.devtools.local import LocalWorld
from bot.features import Registry
from bot.lifecycle import OPS_SERVER_KEY
from bot.metrics import Metrics, note_error
from bot.ops_server import OpsServer
from bot.sending import SendPath
from bot.settings import load_settings
from bot.update_processor import PerChatUpdateProcessor
from storage import deliveries, disclosure
from storage.db import Database
from storage.models import Contact
from tests.e2e import command_and_wait, world_for

#: Push kinds the features compose that are deliberately counted as "other".
WITHHELD_KINDS = {"jpat_disputed"}
Sample = tuple[str, dict[str, str], float]


# ---------------------------------------------------------------------- helpers


def ops(world: LocalWorld) -> OpsServer:
    assert world.bot is not None
    return world.bot.application.bot_data[OPS_SERVER_KEY]  # type: ignore[no-any-return]


async def get(world: LocalWorld, path: str) -> tuple[int, str, str]:
    url = f"http://127.0.0.1:{ops(world).port}{path}"
    async with aiohttp.ClientSession() as http, http.get(url) as res:
        return res.status, res.headers.get("Content-Type", ""), await res.text()


async def health(world: LocalWorld) -> tuple[int, dict[str, Any]]:
    url = f"http://127.0.0.1:{ops(world).port}/healthz"
    async with aiohttp.ClientSession() as http, http.get(url) as res:
        return res.status, await res.json()


async def scrape(world: LocalWorld) -> list[Sample]:
    status, content_type, text = await get(world, "/metrics")
    assert status == 200
    assert content_type.startswith("text/plain")
    return [
        (s.name, dict(s.labels), s.value)
        for family in text_string_to_metric_families(text)
        for s in family.samples
    ]


def value(samples: list[Sample], name: str, **labels: str) -> float:
    found = [v for n, lab, v in samples if n == name and lab == labels]
    assert len(found) == 1, (name, labels)
    return found[0]


async def until(condition: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    """Wait for what the bot does after its reply has left (counting the update)."""
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def add_contact(db: Database, telegram_id: int) -> int:
    """A partner whose quiet hours lie half a day away, so the dispatcher sends their due pushes
    whatever the hour the suite runs at (the default 21:00-08:00 held them back in the evening)."""
    now = datetime.now(UTC)
    away = now + timedelta(hours=12)
    async with db.transaction() as session:
        contact = Contact(
            telegram_user_id=telegram_id,
            display_name="Ops",
            role="partner",
            language="en",
            timezone="UTC",
            quiet_start=away.strftime("%H:00"),
            quiet_end=(away + timedelta(hours=1)).strftime("%H:00"),
            status="active",
            attribution="aggregate",
            created_at=now,
            updated_at=now,
        )
        session.add(contact)
        await session.flush()
        return contact.id


# ---------------------------------------------------------------------- the rule


def test_routine_kinds_keep_their_name_and_anything_else_is_other() -> None:
    for kind in disclosure.ROUTINE_PUSH_KINDS:
        assert disclosure.operational_kind(kind) == kind
    for kind in ("safeguarding_report", "confidential", "jpat_disputed", "", None, "Invite"):
        assert disclosure.operational_kind(kind) == disclosure.OTHER_KIND


def test_every_push_kind_the_features_compose_is_classified() -> None:
    """A new push kind must be put on the allow-list or deliberately left as "other"."""
    composed = set(Registry.of(make() for make in FEATURES).composers) | {"invite", "nudge"}
    unclassified = composed - disclosure.ROUTINE_PUSH_KINDS - WITHHELD_KINDS
    assert not unclassified, f"classify in storage.disclosure.ROUTINE_PUSH_KINDS: {unclassified}"


# ---------------------------------------------------------------------- the send path


async def test_the_send_path_counts_429s_sends_and_blocks_by_traffic() -> None:
    metrics = Metrics()
    path = SendPath(chat_rate_per_s=100, chat_burst=100, global_rate_per_s=100)
    path.metrics = metrics
    failures: dict[int, list[Exception]] = {
        5: [RetryAfter(0)],  # then sent
        6: [Forbidden("Forbidden: bot was blocked by the user")],
    }

    async def api(endpoint: str, data: dict[str, Any]) -> dict[str, Any]:
        if failures[data["chat_id"]]:
            raise failures[data["chat_id"]].pop(0)
        return {"ok": True}

    data = {"chat_id": 5, "text": "hi"}
    await path.process_request(api, ("sendMessage", data), {}, "sendMessage", data, None)
    bulk = {"chat_id": 6, "text": "reminder"}
    with pytest.raises(Forbidden):
        await path.process_request(
            api, ("sendMessage", bulk), {}, "sendMessage", bulk, {"priority": "bulk"}
        )
    get_sample = metrics.registry.get_sample_value
    assert get_sample("partnerbot_telegram_429_total", {"traffic": "interactive"}) == 1
    sent = {"traffic": "interactive", "outcome": "sent"}
    assert get_sample("partnerbot_messages_total", sent) == 1
    blocked = {"traffic": "bulk", "outcome": "blocked"}
    assert get_sample("partnerbot_messages_total", blocked) == 1


async def test_the_update_processor_counts_each_outcome() -> None:
    metrics = Metrics()
    processor = PerChatUpdateProcessor(4, metrics=metrics)

    async def handled() -> None:
        return None

    async def answered_by_the_error_handler() -> None:
        await note_error(None, None)  # what PTB does when a handler raises

    async def unit_failed() -> None:
        raise RuntimeError("commit failed")

    await processor.do_process_update(object(), handled())
    await processor.do_process_update(object(), answered_by_the_error_handler())
    with pytest.raises(RuntimeError):
        await processor.do_process_update(object(), unit_failed())
    get_sample = metrics.registry.get_sample_value
    for outcome in ("handled", "error", "failed"):
        assert get_sample("partnerbot_updates_total", {"outcome": outcome}) == 1
    assert get_sample("partnerbot_update_seconds_count") == 3


# ---------------------------------------------------------------------- settings


def test_off_by_default_and_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().ops_port is None
    monkeypatch.setenv("PARTNERBOT_OPS_PORT", "")
    assert load_settings().ops_port is None
    monkeypatch.setenv("PARTNERBOT_OPS_PORT", "9464")
    settings = load_settings()
    assert (settings.ops_port, settings.ops_listen) == (9464, "127.0.0.1")


async def test_no_server_unless_a_port_is_set(sqlite_url: str) -> None:
    async with world_for(sqlite_url, tick_seconds=0) as world:
        assert world.bot is not None
        assert world.settings.ops_port is None
        assert OPS_SERVER_KEY not in world.bot.application.bot_data


# ---------------------------------------------------------------------- the bot, over HTTP


async def test_metrics_move_and_health_names_what_failed(sqlite_url: str) -> None:
    async with world_for(sqlite_url, tick_seconds=0, ops_port=0) as world:
        now = datetime.now(UTC)
        contact_id = await add_contact(world.db, 990_001)
        async with world.db.transaction() as session:
            for kind, due, key in (
                ("reminder", now - timedelta(seconds=60), "a"),
                ("sg_secret_report", now - timedelta(seconds=120), "b"),
                ("nudge", now + timedelta(hours=1), "c"),
            ):
                await deliveries.add(
                    session, kind=kind, contact_id=contact_id, due_at=due, dedupe_key=key
                )

        before = await scrape(world)
        assert value(before, "partnerbot_updates_total", outcome="handled") == 0

        phone = world.sandbox.user(990_002, first_name="Stranger", language_code="en")
        await command_and_wait(phone, "start")

        async def counted() -> bool:
            samples = await scrape(world)
            return value(samples, "partnerbot_updates_total", outcome="handled") >= 1

        await until(counted)
        after = await scrape(world)
        assert value(after, "partnerbot_update_seconds_count") >= 1
        assert value(after, "partnerbot_messages_total", traffic="interactive", outcome="sent") >= 1
        assert value(after, "partnerbot_outbox_waiting", kind="reminder") == 1
        assert value(after, "partnerbot_outbox_waiting", kind="nudge") == 1
        assert value(after, "partnerbot_outbox_waiting", kind="other") == 1
        assert value(after, "partnerbot_outbox_waiting", kind="invite") == 0
        assert value(after, "partnerbot_outbox_oldest_due_seconds", kind="other") >= 120
        assert 60 <= value(after, "partnerbot_outbox_oldest_due_seconds", kind="reminder") < 120
        assert value(after, "partnerbot_outbox_oldest_due_seconds", kind="nudge") == 0
        assert value(after, "partnerbot_inbox_waiting") == 0
        assert value(after, "partnerbot_database_up") == 1
        labels = {v for _, lab, _ in after for v in lab.values()}
        assert "sg_secret_report" not in labels
        assert not any(str(id_) in label for label in labels for id_ in (990_001, 990_002))

        status, body = await health(world)
        assert (status, body["status"]) == (200, "ok"), body
        assert set(body["checks"]) == {"database", "telegram", "dispatcher"}

        # The database stops answering: 503 naming it, and /metrics still answers.
        server = ops(world)
        down = Database.connect("postgresql+asyncpg://nobody@127.0.0.1:1/nothing")
        server.db = down
        try:
            status, body = await health(world)
            assert (status, body["failed"]) == (503, ["database"]), body
            assert "127.0.0.1" not in str(body)
            samples = await scrape(world)
            assert value(samples, "partnerbot_database_up") == 0
            assert value(samples, "partnerbot_updates_total", outcome="handled") >= 1
        finally:
            server.db = world.db
            await down.close()
        assert (await health(world))[0] == 200

        # The dispatcher settles the two due pushes: counted by kind, the unusual one as other.
        await dispatch.tick(world.bot.application)  # type: ignore[union-attr]
        samples = await scrape(world)
        assert value(samples, "partnerbot_dispatcher_ticks_total") == 1
        pushes = {
            (lab["kind"], lab["outcome"]): v
            for n, lab, v in samples
            if n == "partnerbot_pushes_total"
        }
        assert {kind for kind, _ in pushes} == {"reminder", "other"}, pushes
        assert value(samples, "partnerbot_outbox_waiting", kind="other") == 0


async def test_telegram_is_asked_once_when_silent_then_reported(sqlite_url: str) -> None:
    async with world_for(sqlite_url, tick_seconds=0, ops_port=0) as world:
        heartbeat = world.services.metrics.telegram
        heartbeat.at -= 1000  # silent for long (a webhook bot nobody wrote to)
        status, body = await health(world)
        assert status == 200, body  # one getMe answered
        assert heartbeat.age() < 60
        heartbeat.at -= 1000  # silent again at once: not asked again so soon
        status, body = await health(world)
        assert (status, body["failed"]) == (503, ["telegram"]), body


async def test_a_stale_dispatcher_fails_the_health_check(sqlite_url: str) -> None:
    async with world_for(sqlite_url, tick_seconds=3600, ops_port=0) as world:
        assert world.bot is not None
        application = world.bot.application
        for job in application.job_queue.get_jobs_by_name("dispatch"):
            job.schedule_removal()  # no periodic tick from now on
        flight = application.bot_data.get("tick_flight")
        if flight is not None and flight.task is not None:
            await flight.task
        assert (await health(world))[0] == 200
        world.services.metrics.dispatcher.at -= 3 * 3600 + 1
        status, body = await health(world)
        assert (status, body["failed"]) == (503, ["dispatcher"]), body
        samples = await scrape(world)
        assert value(samples, "partnerbot_dispatcher_last_tick_age_seconds") > 3 * 3600


async def test_partnerbot_health_asks_the_running_bots_healthz(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Docker image's healthcheck: exit 0 with the body when healthy, 1 when the port
    answers nothing, 2 when no port is set."""
    from bot.cli import main as cli

    async with world_for(sqlite_url, tick_seconds=0, ops_port=0) as world:
        monkeypatch.setenv("PARTNERBOT_OPS_PORT", str(ops(world).port))
        assert await asyncio.to_thread(cli, ["health"]) == 0  # the server runs on this loop
        assert '"status": "ok"' in capsys.readouterr().out.replace('":"', '": "')
        closed = ops(world).port
    monkeypatch.setenv("PARTNERBOT_OPS_PORT", str(closed))  # the bot has stopped
    assert await asyncio.to_thread(cli, ["health"]) == 1
    assert "no answer from http://127.0.0.1:" in capsys.readouterr().err
    monkeypatch.delenv("PARTNERBOT_OPS_PORT")
    assert await asyncio.to_thread(cli, ["health"]) == 2
