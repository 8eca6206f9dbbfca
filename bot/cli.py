"""``partnerbot`` — the one command line: run, demo, sandbox, db, backup, restore, doctor,
locales, surveys, bench."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot import log_setup
from bot.settings import SettingsError, load_settings

NO_TOKEN_HELP = """\
No bot token: set PARTNERBOT_TOKEN to run the real bot.
  1. In Telegram, talk to @BotFather, send /newbot and follow the steps.
  2. export PARTNERBOT_TOKEN=123456:ABC...   (or put it in a .env file)
  3. partnerbot run
To try the bot without a token, run the local sandbox demo:  partnerbot demo"""

# The development tools (bot.devtools: demo, sandbox, bench) are imported only inside their own
# branch below, so the production commands never load them nor need aiohttp.
NO_SANDBOX_HELP = """\
The demo, the sandbox and the benchmarks need the sandbox extra (aiohttp):
  pip install -e '.[sandbox]'   (python3 dev.py start installs it for you)"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="partnerbot", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the bot (long polling, or --webhook)")
    run.add_argument("--webhook", action="store_true", help="receive updates by webhook")

    start = sub.add_parser("start", help="run the bot if a token is set, else the demo")
    start.add_argument("--script", action="store_true", help="scripted demo even on a terminal")

    demo = sub.add_parser("demo", help="the bot and a sandbox Telegram, no token needed")
    demo.add_argument("--script", action="store_true", help="play the scripted walkthrough")
    demo.add_argument("--database", help="database URL (default: a fresh demo SQLite file)")
    demo.add_argument(
        "--unpaced",
        action="store_true",
        help="for tests: no per-chat pacing in the bot, nor per-chat limit in the sandbox",
    )

    sandbox = sub.add_parser("sandbox", help="run the sandbox Bot API server alone")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8081)
    sandbox.add_argument("--token", default=None)
    sandbox.add_argument("--no-limits", action="store_true")

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply all migrations")
    db_sub.add_parser("current", help="show the schema revision")

    backup = sub.add_parser("backup", help="copy the database to a file (safe while running)")
    backup.add_argument("path", help="the backup file to write (must not exist)")
    restore = sub.add_parser("restore", help="copy a backup into an empty database")
    restore.add_argument("path", help="a file written by partnerbot backup")

    sub.add_parser("doctor", help="check settings, token, webhook, database, clock, texts")
    sub.add_parser(
        "health", help="ask the running bot's /healthz (PARTNERBOT_OPS_PORT); exit 0 if healthy"
    )

    locales = sub.add_parser("locales", help="translation catalogs")
    loc_sub = locales.add_subparsers(dest="locales_command", required=True)
    loc_sub.add_parser("check", help="fail on any untranslated or broken string")
    loc_sub.add_parser("extract", help="extract strings into locales/messages.pot")
    loc_sub.add_parser("update", help="extract, then merge new strings into every .po")

    surveys = sub.add_parser("surveys", help="survey definitions")
    sv_sub = surveys.add_subparsers(dest="surveys_command", required=True)
    check = sv_sub.add_parser("check", help="validate definitions and list missing texts")
    check.add_argument("--strict", action="store_true", help="missing texts are errors too")
    sv_import = sv_sub.add_parser("import", help="check an XLSForm (.xlsx) and convert it")
    sv_import.add_argument("file", help="the XLSForm workbook")
    sv_import.add_argument("--out", metavar="DIR", help="write the YAML definition into DIR")
    sv_export = sv_sub.add_parser("export", help="write a survey as an XLSForm (.xlsx)")
    sv_export.add_argument("id", help="survey id, e.g. partner_feedback")
    sv_export.add_argument("--out", metavar="FILE", help="default: ID.xlsx")
    bench = sub.add_parser("bench", help="benchmarks (print one JSON line)")
    bench_sub = bench.add_subparsers(dest="bench_command", required=True)
    bench_survey = bench_sub.add_parser("survey", help="partners answering a survey at once")
    bench_survey.add_argument("--partners", type=int, default=1000)
    bench_survey.add_argument("--think", type=float, default=3.0)
    bench_survey.add_argument(
        "--database", default=None, help="database URL (default: temp SQLite)"
    )
    bench_survey.add_argument(
        "--reference",
        action="store_true",
        help="also run a plain python-telegram-bot survey bot under the same load",
    )
    bench_broadcast = bench_sub.add_parser(
        "broadcast", help="meeting reminders to many contacts while partners answer surveys"
    )
    bench_broadcast.add_argument("--contacts", type=int, default=10_000)
    bench_broadcast.add_argument(
        "--think", type=float, default=10.0, help="seconds each partner takes per answer"
    )
    bench_broadcast.add_argument(
        "--database", default=None, help="database URL (default: temp SQLite)"
    )
    bench_broadcast.add_argument(
        "--lost-replies",
        type=float,
        default=0.0,
        help="share of messages the sandbox sends and then drops the answer of (e.g. 0.03)",
    )
    bench_faults = bench_sub.add_parser(
        "faults", help="partners answering while the bot process is killed at random"
    )
    bench_faults.add_argument("--trials", type=int, default=100, help="kills (and restarts)")
    bench_faults.add_argument("--partners", type=int, default=6)
    bench_faults.add_argument("--seed", type=int, default=1, help="seed for kill moments")
    bench_faults.add_argument(
        "--database", default=None, help="an empty database's URL (default: temp SQLite)"
    )
    bench_shutdown = bench_sub.add_parser(
        "shutdown", help="SIGTERM to the bot process in the middle of a push, then a restart"
    )
    bench_shutdown.add_argument("--pushes", type=int, default=10_000, help="invitations due")
    bench_shutdown.add_argument(
        "--after", type=int, default=500, help="messages delivered before the SIGTERM"
    )
    bench_shutdown.add_argument(
        "--database", default=None, help="an empty database's URL (default: temp SQLite)"
    )
    bench_instances = bench_sub.add_parser(
        "instances", help="bot processes on one PostgreSQL database; the dispatcher killed midway"
    )
    bench_instances.add_argument("--instances", type=int, default=2, help="bot processes")
    bench_instances.add_argument("--pushes", type=int, default=3000, help="invitations due")
    bench_instances.add_argument(
        "--tick-seconds", type=float, default=20.0, help="the bots' periodic tick (takeover)"
    )
    bench_instances.add_argument(
        "--database", default=None, help="an empty PostgreSQL database's URL (required)"
    )
    bench_summary = bench_sub.add_parser("summary", help="summaries over many answers")
    bench_summary.add_argument("--answers", type=int, default=1_000_000)
    bench_summary.add_argument(
        "--database", default=None, help="database URL (default: temp SQLite)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    log_setup.configure(verbose=args.verbose)  # no tokens, answers or names at any verbosity
    try:
        return _dispatch(args)
    except SettingsError as err:
        print(f"configuration error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except ModuleNotFoundError as err:
        if err.name != "aiohttp":
            raise
        print(NO_SANDBOX_HELP, file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command
    if command in ("run", "start"):
        settings = load_settings()
        if settings.token is None:
            if command == "start":
                from bot.devtools.demo import run_demo

                return run_demo(script=args.script)
            print(NO_TOKEN_HELP, file=sys.stderr)
            return 2
        from bot.runner import run

        return run(settings, webhook=getattr(args, "webhook", False))
    if command == "demo":
        from bot.devtools.demo import run_demo

        return run_demo(script=args.script, database_url=args.database, unpaced=args.unpaced)
    if command == "sandbox":
        from bot.devtools.sandbox.__main__ import main as sandbox_main

        sandbox_argv = ["--host", args.host, "--port", str(args.port)]
        if args.token:
            sandbox_argv += ["--token", args.token]
        if args.no_limits:
            sandbox_argv.append("--no-limits")
        return sandbox_main(sandbox_argv) or 0
    if command == "db":
        return _db(args)
    if command in ("backup", "restore", "doctor") and not args.verbose:
        # Their output is the operator's report: no Alembic start-up chatter around it.
        logging.getLogger("alembic").setLevel(logging.WARNING)
    if command == "backup":
        return _backup(args.path)
    if command == "restore":
        return _restore(args.path)
    if command == "health":
        return _health()
    if command == "doctor":
        from bot import doctor

        return doctor.main()
    if command == "locales":
        from bot import locales_tool

        return locales_tool.main(args.locales_command)
    if command == "surveys":
        from bot.surveys import command_line

        return command_line.main(args)
    if command == "bench":
        if args.bench_command == "survey":
            from bot.devtools.bench.survey import main as bench_survey

            return bench_survey(args.partners, args.think, args.database, args.reference)
        if args.bench_command == "broadcast":
            from bot.devtools.bench.broadcast import main as bench_broadcast

            return bench_broadcast(args.contacts, args.think, args.database, args.lost_replies)
        if args.bench_command == "faults":
            from bot.devtools.bench.faults import main as bench_faults

            return bench_faults(args.trials, args.partners, args.database, args.seed)
        if args.bench_command == "shutdown":
            from bot.devtools.bench.shutdown import main as bench_shutdown

            return bench_shutdown(args.pushes, args.after, args.database)
        if args.bench_command == "instances":
            from bot.devtools.bench.instances import main as bench_instances

            return bench_instances(args.instances, args.pushes, args.database, args.tick_seconds)
        if args.bench_command == "summary":
            from bot.devtools.bench.summary import main as bench_summary

            return bench_summary(args.answers, args.database)
    raise AssertionError(command)


def _health() -> int:
    """For a container's or a supervisor's health probe: cheap (one local HTTP request), unlike
    ``doctor``, which asks Telegram and compiles every catalog."""
    import urllib.error
    import urllib.request

    settings = load_settings()
    if settings.ops_port is None:
        print("PARTNERBOT_OPS_PORT is not set: the bot serves no /healthz", file=sys.stderr)
        return 2
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(
        settings.ops_listen, settings.ops_listen
    )
    url = f"http://{host if ':' not in host else f'[{host}]'}:{settings.ops_port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            print(answer.read().decode("utf-8", "replace"))
            return 0
    except urllib.error.HTTPError as err:  # 503: the body names the failed checks
        print(err.read().decode("utf-8", "replace"))
        return 1
    except OSError as err:
        print(f"no answer from {url}: {type(err).__name__}", file=sys.stderr)
        return 1


def _db(args: argparse.Namespace) -> int:
    from storage.db import Database
    from storage.migrate import current_revision, upgrade

    settings = load_settings()
    db = Database.connect(settings.resolved_database_url)

    async def go() -> None:
        try:
            if args.db_command == "upgrade":
                await upgrade(db.engine)
            print(f"schema revision: {await current_revision(db.engine)}")
        finally:
            await db.close()

    asyncio.run(go())
    return 0


PG_BACKUP_HELP = """\
The database is PostgreSQL: back it up with PostgreSQL's own pg_dump (a consistent snapshot
while the bot runs); the password comes from PGPASSWORD or ~/.pgpass, never this line:
  {command}
Nothing was written. Restore such a file with: partnerbot restore PATH (it checks the target)."""

PG_RESTORE_HELP = """\
The database is PostgreSQL and empty: restore the pg_dump file with PostgreSQL's pg_restore
(the password from PGPASSWORD or ~/.pgpass), then check with partnerbot doctor:
  {command}
Nothing was restored yet."""


def _backup(path: str) -> int:
    from pathlib import Path

    from storage.backup import BackupError, backup_sqlite, pg_dump_command
    from storage.db import is_sqlite

    url = load_settings().resolved_database_url
    if not is_sqlite(url):
        print(PG_BACKUP_HELP.format(command=pg_dump_command(url, path)), file=sys.stderr)
        return 2
    try:
        contents = backup_sqlite(url, Path(path))
    except BackupError as err:
        print(f"backup: {err}", file=sys.stderr)
        return 1
    print(f"backup written to {path}: {contents.describe()}")
    return 0


def _restore(path: str) -> int:
    """Into an empty database only; then the restored schema revision must be one we know."""
    from pathlib import Path

    from storage.backup import (
        BackupError,
        Contents,
        database_contents,
        pg_restore_command,
        restore_sqlite,
    )
    from storage.db import Database, is_sqlite
    from storage.migrate import head_revision, is_known_revision

    url = load_settings().resolved_database_url

    async def contents() -> Contents:
        db = Database.connect(url)
        try:
            return await database_contents(db.engine)
        finally:
            await db.close()

    if not is_sqlite(url):
        present = asyncio.run(contents())
        if present.tables:
            print(
                f"restore: the database is not empty ({present.describe()}): restore only "
                "into an empty database",
                file=sys.stderr,
            )
            return 1
        print(PG_RESTORE_HELP.format(command=pg_restore_command(url, path)), file=sys.stderr)
        return 2
    try:
        restored = restore_sqlite(Path(path), url)
    except BackupError as err:
        print(f"restore: {err}", file=sys.stderr)
        return 1
    # Read back through the bot's own engine: this is the database it will open.
    revision = asyncio.run(contents()).revision
    head = head_revision()
    if revision is None or not is_known_revision(revision):
        print(f"restore: the restored schema revision {revision} is unknown", file=sys.stderr)
        return 1
    print(f"restored {path}: {restored.describe()}")
    if revision != head:
        print(
            f"schema revision {revision} is older than this partnerbot's ({head}): "
            "partnerbot run migrates it at start (or partnerbot db upgrade now)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
