"""``partnerbot doctor``: is this installation ready to run? One line per check.

Each line reads ``ok   name: detail``, ``warn name: detail``, ``FAIL name: detail`` or
``skip name: why`` (a check that needs what an earlier one found missing). The command exits 1
when any check fails, else 0: a warning is something the bot runs with (a missing translation
falls back to English, a clock 10 s off only shifts reminders a little).

The checks, in order: the settings load; Telegram accepts the token (``getMe``, through the same
HTTP client and Bot API URL the bot uses, so it works against the sandbox or a local Bot API
server); the webhook Telegram has matches the settings (``getWebhookInfo``: none while the bot
polls, ours and not failing when it takes webhooks); the database answers and its schema is at
the newest migration; the clock agrees with the Bot API server's ``Date`` header; time-zone data
is there; every catalog compiles; the survey definitions load.

**No token is a failure**, not a skip: ``partnerbot run`` refuses to start without one, and the
doctor answers "will the bot run here?". (The demo needs no token and no doctor.)
Nothing printed holds the bot token, the webhook secret, a database password or anything a person
wrote. The checks needing neither Telegram nor the database are in ``bot.doctor_checks``.
"""

from __future__ import annotations

import asyncio
import email.utils
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot import logs
from bot.doctor_checks import FAIL, OK, SKIP, WARN, Check, catalogs, error_text, surveys, time_zones
from bot.settings import Settings, SettingsError, load_settings
from bot.telegram_http import AiohttpRequest

TELEGRAM_API = "https://api.telegram.org/bot"
CLOCK_WARN = timedelta(seconds=5)
CLOCK_FAIL = timedelta(seconds=30)
#: A webhook delivery error younger than this means Telegram cannot reach the bot now.
RECENT_WEBHOOK_ERROR = timedelta(hours=1)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Doctor:
    """Runs the checks for one settings source; ``now`` is the local clock (tests shift it)."""

    def __init__(
        self,
        load: Callable[[], Settings] = load_settings,
        *,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._load = load
        self._now = now
        self._secrets: list[str] = []
        self._installed: list[tuple[str, dict[str, Any]]] = []  # surveys installed from the chat
        self.checks: list[Check] = []

    # ----------------------------------------------------------------------------- running

    def _add(self, name: str, status: str, detail: str) -> Check:
        check = Check(name, status, self._scrub(detail))
        self.checks.append(check)
        return check

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, logs.REDACTED)
        return text

    async def run(self) -> list[Check]:
        settings = self._settings()
        if settings is None:
            for name in ("telegram", "webhook", "database", "migrations", "clock"):
                self._add(name, SKIP, "the settings do not load")
            self.checks += [time_zones(None), catalogs(), surveys(None)]
            return self.checks
        self._secrets = [s for s in (settings.token, settings.webhook_secret) if s]
        self._secrets += [settings.token.partition(":")[2]] if settings.token else []
        await self._telegram(settings)
        await self._database(settings)
        await self._clock(settings)
        self.checks += [time_zones(settings), catalogs(), surveys(settings, self._installed)]
        return self.checks

    # ---------------------------------------------------------------------------- settings

    def _settings(self) -> Settings | None:
        try:
            settings = self._load()
        except SettingsError as err:
            self._add("settings", FAIL, str(err))
            return None
        mode = f"webhook to {_site(settings.webhook_url)}" if settings.webhook_url else "polling"
        self._add(
            "settings",
            OK,
            f"loaded; {mode}; Bot API {_site(_api_base(settings))}; "
            f"language {settings.default_language}, zone {settings.default_timezone}",
        )
        return settings

    # ---------------------------------------------------------------------------- telegram

    async def _telegram(self, settings: Settings) -> None:
        if settings.token is None:
            self._add(
                "telegram",
                FAIL,
                "no PARTNERBOT_TOKEN: partnerbot run refuses to start without one "
                "(get it from @BotFather; the demo needs none)",
            )
            self._add("webhook", SKIP, "no token")
            return
        base = _api_base(settings)
        file_base = settings.bot_api_file_url or base.replace("/bot", "/file/bot")
        bot = Bot(
            settings.token,
            base_url=base,
            base_file_url=file_base,
            request=AiohttpRequest(connection_pool_size=2),
            get_updates_request=AiohttpRequest(connection_pool_size=1),
        )
        try:
            try:
                await bot.initialize()  # getMe
            except InvalidToken:
                self._add(
                    "telegram",
                    FAIL,
                    f"{_site(base)} refused the token (401/404): check PARTNERBOT_TOKEN with "
                    "@BotFather" + (" and PARTNERBOT_BOT_API_URL" if settings.bot_api_url else ""),
                )
                self._add("webhook", SKIP, "the token was refused")
                return
            except (TelegramError, OSError) as err:
                self._add("telegram", FAIL, f"getMe at {_site(base)} failed: {error_text(err)}")
                self._add("webhook", SKIP, "the Bot API did not answer")
                return
            me = bot.bot
            self._add(
                "telegram", OK, f"token accepted: @{me.username} (id {me.id}) via {_site(base)}"
            )
            await self._webhook(bot, settings)
        finally:
            try:
                await bot.shutdown()
            except Exception:  # closing a client that never connected: nothing to report
                pass

    async def _webhook(self, bot: Bot, settings: Settings) -> None:
        try:
            info = await bot.get_webhook_info()
        except (TelegramError, OSError) as err:
            self._add("webhook", FAIL, f"getWebhookInfo failed: {error_text(err)}")
            return
        pending = f"{info.pending_update_count} pending update(s)"
        if not settings.webhook_url:
            if info.url:
                self._add(
                    "webhook",
                    FAIL,
                    f"Telegram delivers updates to a webhook at {_site(info.url)} but the settings "
                    "say polling (no PARTNERBOT_WEBHOOK_URL): is another deployment using this "
                    "token? Polling cannot get updates while it is set (partnerbot run deletes "
                    f"it at start); {pending}",
                )
            else:
                self._add("webhook", OK, f"none set, as polling needs; {pending}")
            return
        if not info.url:
            self._add(
                "webhook",
                WARN,
                f"none set yet (partnerbot run --webhook sets it at start); {pending}",
            )
            return
        if info.url != settings.webhook_url:
            where = (
                f"{_site(info.url)}, not {_site(settings.webhook_url)}"
                if _site(info.url) != _site(settings.webhook_url)
                else "another path on the same host"
            )
            self._add(
                "webhook",
                FAIL,
                f"Telegram delivers to {where} (PARTNERBOT_WEBHOOK_URL): another deployment, "
                f"or run --webhook has not started since the URL changed; {pending}",
            )
            return
        error_at = info.last_error_date
        if error_at is not None:
            age = self._now() - error_at.astimezone(UTC)
            said = info.last_error_message or "no message"
            if age < RECENT_WEBHOOK_ERROR:
                self._add(
                    "webhook",
                    FAIL,
                    f"set to {_site(info.url)}, but Telegram's last delivery failed "
                    f"{_ago(age)} ago: {said}; {pending}",
                )
                return
            self._add(
                "webhook", OK, f"set to {_site(info.url)}; last error {_ago(age)} ago; {pending}"
            )
            return
        self._add("webhook", OK, f"set to {_site(info.url)}; no delivery errors; {pending}")

    # ---------------------------------------------------------------------------- database

    async def _database(self, settings: Settings) -> None:
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        from storage import survey_installs
        from storage.db import Database, is_sqlite
        from storage.migrate import current_revision, head_revision, is_known_revision

        url = settings.resolved_database_url
        try:
            parsed = make_url(url)
        except Exception as err:
            self._add(
                "database", FAIL, f"PARTNERBOT_DATABASE_URL does not parse: {error_text(err)}"
            )
            self._add("migrations", SKIP, "no database")
            return
        where = parsed.render_as_string(hide_password=True)
        if is_sqlite(url):
            database = parsed.database or ""
            exists = await asyncio.to_thread(Path(database).is_file) if database else True
            if database != ":memory:" and not exists:
                self._add(
                    "database",
                    FAIL,
                    f"no database file at {database} (partnerbot db upgrade creates it; "
                    "so does partnerbot run)",
                )
                self._add("migrations", SKIP, "no database")
                return
        db = Database.connect(url)
        try:
            try:
                async with db.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
                    version = conn.dialect.server_version_info
                current = await current_revision(db.engine)
            except Exception as err:
                self._add("database", FAIL, f"cannot open {where}: {_db_error(err)}")
                self._add("migrations", SKIP, "no database")
                return
            server = ".".join(str(v) for v in version or ())
            self._add("database", OK, f"{where} answers ({parsed.get_backend_name()} {server})")
            head = head_revision()
            if current == head:
                self._add("migrations", OK, f"at head {head}")
                async with db.sessions() as session:
                    self._installed = await survey_installs.for_check(session)
            elif current is None:
                self._add(
                    "migrations",
                    FAIL,
                    f"not migrated (no schema revision; head is {head}): run "
                    "partnerbot db upgrade (partnerbot run also does at start)",
                )
            elif is_known_revision(current):
                self._add(
                    "migrations",
                    FAIL,
                    f"at {current}, head is {head}: run partnerbot db upgrade "
                    "(partnerbot run also does at start)",
                )
            else:
                self._add(
                    "migrations",
                    FAIL,
                    f"at {current}, which this partnerbot does not know (head {head}): the "
                    "database was migrated by a newer version",
                )
        finally:
            await db.close()

    # ------------------------------------------------------------------------------- clock

    async def _clock(self, settings: Settings) -> None:
        base = _api_base(settings)
        try:
            sent, date, received = await asyncio.to_thread(_server_date, base, self._now)
        except Exception as err:
            self._add("clock", WARN, f"no Date header from {_site(base)}: {error_text(err)}")
            return
        # The header has whole seconds (truncated): compare with the middle of the round trip,
        # allowing the second the header dropped.
        local = sent + (received - sent) / 2
        skew = date + timedelta(seconds=0.5) - local
        off = abs(skew)
        direction = "behind" if skew > timedelta(0) else "ahead of"
        detail = f"local clock {off.total_seconds():.1f} s {direction} {_site(base)}"
        if off > CLOCK_FAIL:
            self._add(
                "clock",
                FAIL,
                f"{detail} (over {CLOCK_FAIL.seconds} s: reminders and dates go wrong; "
                "enable NTP, e.g. timedatectl set-ntp true)",
            )
        elif off > CLOCK_WARN:
            self._add("clock", WARN, f"{detail} (over {CLOCK_WARN.seconds} s: enable NTP)")
        else:
            self._add("clock", OK, detail)

    # -------------------------------------------------------------------------- time zones


# ------------------------------------------------------------------------------- helpers


def _api_base(settings: Settings) -> str:
    return settings.bot_api_url or TELEGRAM_API


def _site(url: str | None) -> str:
    """``scheme://host[:port]`` of a URL: never its path, where tokens and secrets may sit."""
    if not url:
        return "?"
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}" if parts.scheme else host


def _db_error(err: BaseException) -> str:
    """A connection error's type and first line: about the server, the file or the login —
    ``SELECT 1`` and the revision read carry no one's data."""
    orig = getattr(err, "orig", None) or err
    message = (str(orig).splitlines() or [""])[0][:300]
    return f"{type(orig).__name__}: {message}" if message else type(orig).__name__


def _ago(age: timedelta) -> str:
    seconds = int(age.total_seconds())
    if seconds < 120:
        return f"{max(seconds, 0)} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the first answer's Date is the one we want


def _server_date(base: str, now: Callable[[], datetime]) -> tuple[datetime, datetime, datetime]:
    """(sent, server's Date, received) for one request to the Bot API base URL — without the
    token: any answer (404, a redirect) carries the server's clock."""
    parts = urlsplit(base.split("{token}")[0])
    url = f"{parts.scheme}://{parts.netloc}{parts.path}"
    opener = urllib.request.build_opener(_NoRedirect)
    sent = now()
    try:
        with opener.open(urllib.request.Request(url, method="GET"), timeout=10) as response:
            header = response.headers.get("Date")
    except urllib.error.HTTPError as err:
        header = err.headers.get("Date") if err.headers else None
    received = now()
    if not header:
        raise LookupError("the answer had no Date header")
    date = email.utils.parsedate_to_datetime(header).astimezone(UTC)
    return sent, date, received


def report(checks: Iterable[Check], out: TextIO) -> int:
    """Print one line per check; 1 when any failed."""
    failed = False
    for check in checks:
        print(check.line(), file=out)
        failed = failed or check.status == FAIL
    return 1 if failed else 0


async def diagnose(
    load: Callable[[], Settings] = load_settings,
    *,
    now: Callable[[], datetime] = _utcnow,
) -> list[Check]:
    return await Doctor(load, now=now).run()


def main(out: TextIO | None = None) -> int:
    """``partnerbot doctor``: print the checks, return the exit code."""
    return report(asyncio.run(diagnose()), out if out is not None else sys.stdout)
