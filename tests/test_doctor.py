"""``partnerbot doctor`` against the sandbox Bot API over real HTTP and a real database: one
line per check, exit 1 on any failure, and never the token in what it prints."""

from __future__ import annotations

import asyncio
import io
import sqlite3
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import telegram

from bot import log_setup
from bot.devtools.local import SANDBOX_TOKEN, sandbox_settings
from bot.devtools.sandbox import Sandbox
from bot.doctor import FAIL, OK, SKIP, WARN, Check, diagnose, report
from bot.settings import Settings, SettingsError, load_settings
from storage.db import Database
from storage.migrate import head_revision, upgrade

WRONG_TOKEN = "100000001:this-token-the-sandbox-does-not-know"


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = Sandbox(token=SANDBOX_TOKEN)
    await sb.start()
    yield sb
    await sb.stop()


async def migrated(url: str, revision: str = "head") -> str:
    db = Database.connect(url)
    try:
        await upgrade(db.engine, revision)
    finally:
        await db.close()
    return url


def settings_for(sandbox: Sandbox, url: str, **overrides: object) -> Settings:
    """As ``bot.devtools.local.sandbox_settings``, with any setting overridden (the token too)."""
    values: dict[str, object] = {
        "token": SANDBOX_TOKEN,
        "bot_api_url": sandbox.base_url,
        "database_url": url,
        "_env_file": None,
    }
    return load_settings(**(values | overrides))


async def run(
    settings: Settings | None = None, **kwargs: object
) -> tuple[dict[str, Check], int, str]:
    """The checks by name, the exit code and the printed text."""

    def load() -> Settings:
        if settings is None:
            raise SettingsError("PARTNERBOT_ADMINS: must be comma-separated Telegram user ids")
        return settings

    checks = await diagnose(load, **kwargs)  # type: ignore[arg-type]
    out = io.StringIO()
    code = report(checks, out)
    text = out.getvalue()
    assert len(text.splitlines()) == len(checks)
    for secret in (SANDBOX_TOKEN, WRONG_TOKEN, SANDBOX_TOKEN.partition(":")[2]):
        assert secret not in text
    return {c.name: c for c in checks}, code, text


async def test_all_ok_against_the_sandbox(sandbox: Sandbox, database_url: str) -> None:
    checks, code, text = await run(settings_for(sandbox, await migrated(database_url)))
    # The shipped catalogs and surveys change with other work: a missing translation is a
    # warning there (test_catalog_problems covers that check).
    shipped = ("catalogs", "surveys")
    assert all(c.status == OK for c in checks.values() if c.name not in shipped), text
    assert all(checks[name].status in (OK, WARN) for name in shipped), text
    assert code == 0
    assert list(checks) == [
        "settings",
        "telegram",
        "webhook",
        "database",
        "migrations",
        "clock",
        "time zones",
        "catalogs",
        "surveys",
    ]
    assert "@partner_demo_bot" in checks["telegram"].detail
    assert "0 pending update(s)" in checks["webhook"].detail
    assert f"at head {head_revision()}" in checks["migrations"].detail
    assert text.startswith("ok   settings: ")


async def test_an_unmigrated_database_fails(
    sandbox: Sandbox, database_url: str, tmp_path: Path
) -> None:
    if database_url.startswith("sqlite"):
        sqlite3.connect(tmp_path / "test.sqlite3").close()  # the file exists, no schema
    checks, code, text = await run(settings_for(sandbox, database_url))
    assert code == 1
    assert checks["database"].status == OK
    assert checks["migrations"].status == FAIL
    assert "not migrated" in checks["migrations"].detail
    assert "partnerbot db upgrade" in checks["migrations"].detail
    assert [n for n, c in checks.items() if c.status == FAIL] == ["migrations"], text


async def test_an_older_schema_fails(sandbox: Sandbox, sqlite_url: str) -> None:
    checks, code, _ = await run(settings_for(sandbox, await migrated(sqlite_url, "0011")))
    assert code == 1
    assert checks["migrations"].detail.startswith(f"at 0011, head is {head_revision()}")


async def test_a_missing_database_file_fails_and_is_not_created(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "nowhere" / "bot.sqlite3"
    checks, code, _ = await run(settings_for(sandbox, f"sqlite+aiosqlite:///{path}"))
    assert code == 1
    assert checks["database"].status == FAIL
    assert checks["migrations"].status == SKIP
    assert not path.exists()


async def test_a_webhook_while_polling_fails(sandbox: Sandbox, sqlite_url: str) -> None:
    async with telegram.Bot(SANDBOX_TOKEN, base_url=sandbox.base_url) as bot:
        await bot.set_webhook("https://other.example.org/hook/private-path")
    checks, code, text = await run(settings_for(sandbox, await migrated(sqlite_url)))
    assert code == 1
    webhook = checks["webhook"]
    assert webhook.status == FAIL
    assert "https://other.example.org" in webhook.detail
    assert "settings say polling" in webhook.detail
    assert "private-path" not in text  # a webhook path may hold a secret


async def test_webhook_mode_matching_then_failing_deliveries(
    sandbox: Sandbox, sqlite_url: str
) -> None:
    url = "https://bot.example.org/telegram"
    settings = settings_for(
        sandbox, await migrated(sqlite_url), webhook_url=url, webhook_secret="s3cret-value"
    )
    checks, code, _ = await run(settings)
    assert checks["webhook"].status == WARN  # run --webhook sets it at start
    assert code == 0

    async with telegram.Bot(SANDBOX_TOKEN, base_url=sandbox.base_url) as bot:
        await bot.set_webhook(url, secret_token="s3cret-value")
    checks, code, _ = await run(settings)
    assert checks["webhook"].status == OK
    assert code == 0

    sandbox.webhook.config.last_error_date = int(time.time()) - 120
    sandbox.webhook.config.last_error_message = "Connection refused"
    checks, code, _ = await run(settings)
    assert code == 1
    assert checks["webhook"].status == FAIL
    assert "2 min ago: Connection refused" in checks["webhook"].detail

    checks, code, _ = await run(settings_for(sandbox, sqlite_url, webhook_url=url + "/other"))
    assert checks["webhook"].status == FAIL
    assert "another path on the same host" in checks["webhook"].detail


async def test_a_refused_token_fails(sandbox: Sandbox, sqlite_url: str) -> None:
    checks, code, _ = await run(
        settings_for(sandbox, await migrated(sqlite_url), token=WRONG_TOKEN)
    )
    assert code == 1
    assert checks["telegram"].status == FAIL
    assert "refused the token" in checks["telegram"].detail
    assert checks["webhook"].status == SKIP
    assert checks["database"].status == OK


async def test_no_token_fails_with_the_way_to_get_one(sandbox: Sandbox, sqlite_url: str) -> None:
    checks, code, _ = await run(settings_for(sandbox, await migrated(sqlite_url), token=""))
    assert code == 1
    assert checks["telegram"].status == FAIL
    assert "@BotFather" in checks["telegram"].detail
    assert checks["clock"].status == OK  # the clock needs no token


async def test_an_unreachable_bot_api_fails(sqlite_url: str) -> None:
    settings = sandbox_settings("http://127.0.0.1:9/bot", await migrated(sqlite_url))
    checks, code, _ = await run(settings)
    assert code == 1
    assert checks["telegram"].status == FAIL
    assert checks["telegram"].detail.startswith("getMe at http://127.0.0.1:9 failed")
    assert checks["clock"].status == WARN


@pytest.mark.parametrize(("shift", "status"), [(10, WARN), (-60, FAIL), (2, OK)])
async def test_clock_skew(sandbox: Sandbox, sqlite_url: str, shift: int, status: str) -> None:
    settings = settings_for(sandbox, await migrated(sqlite_url))

    def now() -> datetime:
        return datetime.now(UTC) + timedelta(seconds=shift)

    checks, code, _ = await run(settings, now=now)
    assert checks["clock"].status == status, checks["clock"].detail
    assert code == (1 if status == FAIL else 0)
    if shift > 0:
        assert "ahead of" in checks["clock"].detail


async def test_bad_settings_fail_and_the_rest_still_runs() -> None:
    checks, code, _ = await run(None)
    assert code == 1
    assert checks["settings"].status == FAIL
    assert checks["settings"].detail.startswith("PARTNERBOT_ADMINS: ")
    assert checks["telegram"].status == SKIP
    assert checks["catalogs"].status in (OK, WARN)
    assert checks["surveys"].status in (OK, WARN)


async def test_broken_surveys_fail(sandbox: Sandbox, sqlite_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "surveys"
    folder.mkdir()
    (folder / "broken.yaml").write_text("id: broken\nquestions: [\n", encoding="utf-8")
    settings = settings_for(sandbox, await migrated(sqlite_url), surveys_dir=folder)
    checks, code, _ = await run(settings)
    assert code == 1
    assert checks["surveys"].status == FAIL
    assert "broken.yaml" in checks["surveys"].detail


async def test_the_command_line(
    sandbox: Sandbox,
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PARTNERBOT_TOKEN", SANDBOX_TOKEN)
    monkeypatch.setenv("PARTNERBOT_BOT_API_URL", sandbox.base_url)
    monkeypatch.setenv("PARTNERBOT_DATABASE_URL", await migrated(sqlite_url))
    try:
        # In a thread: the sandbox answers from this test's event loop meanwhile.
        code = await asyncio.to_thread(main, ["doctor"])
    finally:
        log_setup.reset()
    out, err = capsys.readouterr()
    assert code == 0, out
    assert len(out.splitlines()) == 9
    assert SANDBOX_TOKEN not in out + err
    assert "alembic" not in err


PO_HEADER = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

"""


async def test_catalog_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.locales_tool

    catalogs = {
        "fr": 'msgid "Hello {name}"\nmsgstr "Bonjour {name}"\n',
        "es": 'msgid "Hello {name}"\nmsgstr ""\n',
        "ar": 'msgid "Hello {name}"\nmsgstr "مرحبا {nom}"\n',
    }
    for lang, body in catalogs.items():
        path = tmp_path / lang / "messages.po"
        path.parent.mkdir()
        path.write_text(PO_HEADER + body, encoding="utf-8")
    monkeypatch.setattr(bot.locales_tool, "po_path", lambda lang: tmp_path / lang / "messages.po")

    checks, _, _ = await run(None)
    catalog = checks["catalogs"]
    assert catalog.status == FAIL
    assert "ar: 1 translation(s) with unknown {placeholders}" in catalog.detail
    assert "sw: no catalog at" in catalog.detail
    assert "es: 1 untranslated" in catalog.detail
    assert "fr" not in catalog.detail

    (tmp_path / "ar" / "messages.po").write_text(PO_HEADER + catalogs["fr"], encoding="utf-8")
    (tmp_path / "sw").mkdir()
    (tmp_path / "sw" / "messages.po").write_text(PO_HEADER + catalogs["fr"], encoding="utf-8")
    checks, _, _ = await run(None)
    assert checks["catalogs"].status == WARN
    assert checks["catalogs"].detail.startswith("es: 1 untranslated")
