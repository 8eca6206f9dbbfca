"""A plain python-telegram-bot survey bot: the yardstick for ``bench survey --reference``.

A ``ConversationHandler`` with ``PicklePersistence`` and nothing else: no database, no i18n,
no pacing. It asks the English texts of the pulse survey (``partner_feedback.yaml``) one
message at a time: inline buttons for choices and scales, free text for text questions, the
one ``show_if`` follow-up only when its condition holds. Its buttons follow the shape the
load driver (``bot.devtools.bench.survey_load``) presses: ``/surveys`` shows the intro with a ``…:go``
button, answer buttons carry ``:c:``, and every question message has a keyboard (Skip/Back on
text questions) while the closing thank-you has none.

With ``--durable FILE`` it is the *durable reference*: the same bot, which also commits each
change (the answer given and the partner's place in the survey, as JSON) to SQLite through
aiosqlite, opened with our pragmas, before it replies. It is the least a bot must do to keep
an answer through a crash, so the gap between the two references is what durability alone
costs, and the gap from the durable reference to ours is what everything else of ours costs.

Run as ``python -m bot.devtools.bench.reference_bot --base-url URL --token T --persistence FILE
[--durable FILE]``.
Protocol on stdio: prints ``READY`` once polling; on a line ``CPU`` prints this process's CPU
seconds so far (user + system, every thread); on ``STOP`` shuts down and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.devtools.bench.measure import cpu_s
from conversations.conditions import evaluate
from conversations.loader import SURVEYS_DIR, load_survey

SURVEY = load_survey(SURVEYS_DIR / "partner_feedback.yaml")
LANG = "en"
INTRO, ASKING = range(2)


@dataclass(frozen=True)
class _Answer:
    value: object
    status: str = "answered"


def _t(texts: Any) -> str:
    return SURVEY.text_for(texts, LANG)


def _options(index: int) -> list[tuple[object, str]]:
    """``(value, label)`` for each answer button of question ``index``."""
    question = SURVEY.questions[index]
    if question.type == "single_choice":
        return [(c.code, _t(c.label)) for c in question.choices]
    if question.type == "scale":
        return [
            (p, f"{p} · {_t(question.labels[p])}" if p in question.labels else str(p))
            for p in question.points
        ]
    return []


def _keyboard(index: int, position: int) -> InlineKeyboardMarkup:
    question = SURVEY.questions[index]
    rows = [
        [InlineKeyboardButton(label[:64], callback_data=f"ref:c:{i}")]
        for i, (_value, label) in enumerate(_options(index))
    ]
    if getattr(question, "allows_dont_know", False):
        rows.append([InlineKeyboardButton("Don't know", callback_data="ref:k")])
    navigation = []
    if not question.required:
        navigation.append(InlineKeyboardButton("Skip", callback_data="ref:s"))
    if position > 0 or question.type == "text":  # a text question always has a keyboard
        navigation.append(InlineKeyboardButton("◀ Back", callback_data="ref:b"))
    if navigation:
        rows.append(navigation)
    return InlineKeyboardMarkup(rows)


def _question_text(index: int, position: int) -> str:
    question = SURVEY.questions[index]
    text = f"{position + 1}. {_t(question.text)}"
    if question.hint:
        text += f"\n\n{_t(question.hint)}"
    return text


def _next_index(answers: dict[str, tuple[object, str]], after: int) -> int | None:
    known = {key: _Answer(value, status) for key, (value, status) in answers.items()}
    for index in range(after + 1, len(SURVEY.questions)):
        question = SURVEY.questions[index]
        if question.show_if is None or evaluate(question.show_if, known):
            return index
    return None


#: With ``--durable FILE``: the "durable reference", the same bot storing each change in SQLite
#: before it replies (see the module docstring); None for the plain reference.
_DB: aiosqlite.Connection | None = None
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS conversation (user_id INTEGER PRIMARY KEY, state TEXT NOT NULL,"
    " updated_at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS answer (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL,"
    " question_key TEXT NOT NULL, value TEXT, status TEXT NOT NULL, at REAL NOT NULL)",
)


async def _open_durable(path: Path) -> aiosqlite.Connection:
    """The database of the durable reference, opened as ours is (``storage.db``'s pragmas)."""
    connection = await aiosqlite.connect(path)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=10000"):
        await connection.execute(f"PRAGMA {pragma}")
    for statement in _SCHEMA:
        await connection.execute(statement)
    await connection.commit()
    return connection


async def _store(
    update: Update, data: dict[str, Any], answer: tuple[str, object, str] | None = None
) -> None:
    """The durable reference commits the answer and where the partner is before replying."""
    if _DB is None:
        return
    assert update.effective_user is not None
    now = time.time()
    if answer is not None:
        key, value, status = answer
        await _DB.execute(
            "INSERT INTO answer (user_id, question_key, value, status, at) VALUES (?, ?, ?, ?, ?)",
            (update.effective_user.id, key, json.dumps(value), status, now),
        )
    await _DB.execute(
        "INSERT INTO conversation (user_id, state, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET state = excluded.state,"
        " updated_at = excluded.updated_at",
        (update.effective_user.id, json.dumps(data), now),
    )
    await _DB.commit()


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    data: dict[str, Any] = context.user_data  # type: ignore[assignment]
    data.clear()
    data.update(answers={}, asked=[])
    await _store(update, data)
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        f"{_t(SURVEY.title)}\n\n{_t(SURVEY.intro)}",
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("Start", callback_data="ref:go")]]
        ),
    )
    return INTRO


async def go(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    query = update.callback_query
    assert query is not None
    data: dict[str, Any] = context.user_data  # type: ignore[assignment]
    first = _next_index(data["answers"], -1)
    assert first is not None
    data["asked"] = [first]
    await _store(update, data)
    await query.answer()
    await query.edit_message_text(_question_text(first, 0), reply_markup=_keyboard(first, 0))
    return ASKING


async def _advance(
    update: Update, context: ContextTypes.DEFAULT_TYPE, value: object, status: str, shown: str
) -> int:
    """Record the answer to the current question, close it, and ask the next one."""
    data: dict[str, Any] = context.user_data  # type: ignore[assignment]
    current = data["asked"][-1]
    question = SURVEY.questions[current]
    data["answers"][question.key] = (value, status)  # plain data: it is pickled
    closed_position = len(data["asked"]) - 1
    following = _next_index(data["answers"], current)
    if following is not None:
        data["asked"].append(following)
    await _store(update, data, (question.key, value, status))
    query = update.callback_query
    if query is not None:
        await query.answer()
        await query.edit_message_text(f"{_question_text(current, closed_position)}\n\n✓ {shown}")
    message = update.effective_message
    assert message is not None
    if following is None:
        await message.reply_text("Thank you! All your answers are saved.")
        return ConversationHandler.END
    position = len(data["asked"]) - 1
    await message.reply_text(
        _question_text(following, position), reply_markup=_keyboard(following, position)
    )
    return ASKING


async def choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    current = context.user_data["asked"][-1]  # type: ignore[index]
    options = _options(current)
    picked = int(query.data.rsplit(":", 1)[1])
    if not 0 <= picked < len(options):
        await query.answer("That button is no longer valid.")
        return ASKING
    value, label = options[picked]
    return await _advance(update, context, value, "answered", label)


async def dont_know(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    return await _advance(update, context, None, "dont_know", "Don't know")


async def skip(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    return await _advance(update, context, None, "skipped", "Skipped")


async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    message = update.effective_message
    assert message is not None and message.text is not None
    current = context.user_data["asked"][-1]  # type: ignore[index]
    if SURVEY.questions[current].type != "text":
        await message.reply_text("Please use the buttons above.")
        return ASKING
    return await _advance(update, context, message.text[:1000], "answered", message.text[:1000])


async def back(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    query = update.callback_query
    assert query is not None
    data: dict[str, Any] = context.user_data  # type: ignore[assignment]
    if len(data["asked"]) > 1:
        data["asked"].pop()
        data["answers"].pop(SURVEY.questions[data["asked"][-1]].key, None)
    await _store(update, data)
    await query.answer()
    current = data["asked"][-1]
    position = len(data["asked"]) - 1
    await query.edit_message_text(
        _question_text(current, position), reply_markup=_keyboard(current, position)
    )
    return ASKING


def build(token: str, base_url: str, persistence_path: Path) -> Application:  # type: ignore[type-arg]
    with warnings.catch_warnings():  # per_message=False with CallbackQueryHandlers: intended
        warnings.simplefilter("ignore", PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[CommandHandler(["start", "surveys"], start)],
            states={
                INTRO: [CallbackQueryHandler(go, pattern=r"^ref:go$")],
                ASKING: [
                    CallbackQueryHandler(choice, pattern=r"^ref:c:\d+$"),
                    CallbackQueryHandler(dont_know, pattern=r"^ref:k$"),
                    CallbackQueryHandler(skip, pattern=r"^ref:s$"),
                    CallbackQueryHandler(back, pattern=r"^ref:b$"),
                    MessageHandler(filters.TEXT & ~filters.COMMAND, text),
                ],
            },
            fallbacks=[],
            allow_reentry=True,
            name="reference_survey",
            persistent=True,
        )
    application = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_url.replace("/bot", "/file/bot"))
        .persistence(PicklePersistence(filepath=persistence_path))
        .build()
    )
    application.add_handler(conversation)
    return application


def _peak_rss_mb() -> float:
    # ru_maxrss survives execve on Linux (this process would report its parent's peak), so
    # read this process image's own high-water mark where /proc has it.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


async def main_async(args: argparse.Namespace) -> None:
    global _DB
    if args.durable:
        _DB = await _open_durable(Path(args.durable))
    application = build(args.token, args.base_url, Path(args.persistence))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    # The same polling settings as ours in bot.devtools.local.start_bot.
    await application.updater.start_polling(poll_interval=0.0, timeout=10, allowed_updates=[])
    print("READY", flush=True)
    loop = asyncio.get_running_loop()
    while True:
        line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
        if line == "CPU":
            print(f"CPU {cpu_s():.6f} {_peak_rss_mb()}", flush=True)
        elif line in ("STOP", ""):
            break
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
    if _DB is not None:
        await _DB.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--persistence", required=True)
    parser.add_argument("--durable", help="SQLite file: store every change before replying")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
