"""``partnerbot bench shutdown`` in short: SIGTERM in the middle of a push, with Telegram's
limits on, stops the bot process within 10 s, leaves no delivery claimed, and after a restart
every contact has received the invitation exactly once.

The stop moment is event-driven, as in the bench: SIGTERM goes once the sandbox has received
``after`` messages, and the restart is judged done when every delivery is settled.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.devtools.bench.shutdown import run


async def test_sigterm_mid_push_stops_fast_and_sends_each_invitation_once(
    tmp_path: Path,
) -> None:
    result = await run(
        pushes=120,
        after=20,
        database=f"sqlite+aiosqlite:///{tmp_path / 'shutdown.sqlite3'}",
        workdir=tmp_path,
    )
    shown = json.dumps(result, ensure_ascii=False, indent=1)
    assert result["exit_code"] == 0, shown
    assert result["stop_s"] <= 10, shown
    assert result["claimed_after_stop"] == 0, shown
    assert result["first_run_delivered"] < 120, shown  # the SIGTERM came mid-push
    assert result["settled"], shown
    assert result["duplicates"] == 0, shown
    assert result["lost"] == 0, shown
    assert result["delivered_per_chat"] == {"1": 120}, shown
