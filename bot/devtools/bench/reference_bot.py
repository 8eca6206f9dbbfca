"""A plain python-telegram-bot survey bot: the yardstick for ``bench survey --reference``.

A ``ConversationHandler`` with ``PicklePersistence`` and nothing else: no database, no i18n,
no pacing. It asks the English texts of the pulse survey (``partner_feedback.yaml``) one
message at a time: inline buttons for choices and scales, free text for text questions, the
one ``show_if`` follow-up only when its condition holds. Its buttons follow the shape the
load driver (``bot.devtools.bench.survey_load``) presses: ``/surveys`` shows the intro with a ``…:go``
button, answer buttons carry ``:c:``, and every question message has a keyboard (Skip/Back on
text questions) while the closing thank-you has none.

Run as ``python -m bot.devtools.bench.reference_bot --base-url URL --token T --persistence FILE``.
Protocol on stdio: prints ``READY`` once polling; on a line ``CPU`` prints this process's CPU
seconds so far (user + system, every thread); on ``STOP`` shuts down and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    data: dict[str, Any] = context.user_data  # type: ignore[assignment]
    data.clear()
    data.update(answers={}, asked=[])
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
    query = update.callback_query
    if query is not None:
        await query.answer()
        await query.edit_message_text(
            f"{_question_text(current, len(data['asked']) - 1)}\n\n✓ {shown}"
        )
    message = update.effective_message
    assert message is not None
    following = _next_index(data["answers"], current)
    if following is None:
        await message.reply_text("Thank you! All your answers are saved.")
        return ConversationHandler.END
    data["asked"].append(following)
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
    await query.answer()
    if len(data["asked"]) > 1:
        data["asked"].pop()
        data["answers"].pop(SURVEY.questions[data["asked"][-1]].key, None)
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--persistence", required=True)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
