"""``partnerbot bench survey --reference`` in short: a few partners answer the pulse survey to
its thank-you, through our bot, the plain python-telegram-bot reference and the durable
reference (the same bot storing each answer in SQLite first), and the JSON line carries all
three sides' figures. The figures themselves are the benchmark's, read
by people; here only that every survey ends, on both bots, without an error.
"""

from __future__ import annotations

import json

from bot.devtools.bench.survey import run_with_reference


async def test_a_few_partners_finish_the_survey_on_our_bot_and_on_the_reference() -> None:
    result = await run_with_reference(partners=3, think=0.05, database=None)
    shown = json.dumps(result, ensure_ascii=False, indent=1)
    assert result["answers"] >= 3 * 7 and result["completed"] == 3, shown
    assert result["reference_answers"] >= 3 * 7 and result["reference_completed"] == 3, shown
    assert result["errors"] == 0 and result["reference_errors"] == 0, shown
    durable = result["durable_reference_answers"]
    assert durable >= 3 * 7 and result["durable_reference_completed"] == 3, shown
    assert result["durable_reference_errors"] == 0, shown
    # the durable reference stored every answer it was given, before replying to it
    assert result["durable_reference_stored_answers"] == durable, shown
    # The closing thank-you is the last message, after the safeguarding notice when nobody
    # can read a confidential answer: listing, 7 or 8 questions, the notice, the thank-you.
    assert result["messages_per_survey"] in (9, 10), shown
    assert result["bot_cpu_ms_per_answer"] > 0 and result["cpu_ratio"] is not None, shown
    assert result["durable_cpu_ratio"] is not None, shown
    assert set(result["requests"]) >= {"sendMessage", "editMessageText", "answerCallbackQuery"}
