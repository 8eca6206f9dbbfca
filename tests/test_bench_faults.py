"""``partnerbot bench faults`` in short: the bot process SIGKILLed three times while two partners
answer a survey loses no update and no acknowledged answer, and applies no answer twice.

These are the guarantees of the update inbox and the claim (``storage.inbox``,
``storage.updates``); the other figures of the bench (wrong-screen edits, lost thank-yous) are
measured, not asserted here. The kill moments are random, as in the bench: that is the fault
model. Readiness is the new process's first getUpdates, never a guessed delay.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.devtools.bench.faults import run


async def test_kills_lose_no_update_and_apply_no_answer_twice(tmp_path: Path) -> None:
    result = await run(
        trials=3,
        partners=2,
        database=f"sqlite+aiosqlite:///{tmp_path / 'faults.sqlite3'}",
        seed=7,
        workdir=tmp_path,
    )
    shown = json.dumps(result, ensure_ascii=False, indent=1)
    assert result["settled"], shown
    assert result["restarts"] == 3
    assert result["updates_sent"] > 0, shown
    assert result["lost_updates"] == 0, shown
    assert result["lost_answers"] == 0, shown
    assert result["duplicate_answers"] == 0, shown
