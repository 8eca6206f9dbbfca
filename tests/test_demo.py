"""The newcomer's first command: the scripted demo runs end to end and exits 0.

It runs ``--unpaced``: the bot does not pace each chat to about one message a second, and the
sandbox does not limit each chat either. Paced, the walkthrough's replies trickle out and the
run takes over two minutes (the J-PAT act alone about 90 s); what it prints is the same. The
pacing itself is tested in ``test_e2e_foundation.py`` and ``test_sending.py``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_scripted_demo_runs_every_act(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERBOT_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--script", "--unpaced"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "Walkthrough complete." in out
    # The admin's very first /start is a welcome, not "welcome back".
    first_act = out[out.index("=== 1.") : out.index("=== 2.")]
    assert "Welcome! You are an admin of this bot." in first_act
    assert "Welcome back" not in first_act
    assert "https://t.me/partner_sandbox_bot?start=" in out  # staff made an invitation
    assert "العربية" in out  # the partner onboarded in Arabic
    assert "completed 1, response rate 100%" in out  # the survey was answered
    assert (tmp_path / "data" / "demo" / "my-data-amina.txt").exists()
    assert "it is final" in out  # the J-PAT round was signed by the partner side
    # The joint meeting's choices differ per statement: one side's score or the middle, and
    # for each flagged statement its own action, owner and due date.
    jpat_act = out[out.index("=== 8.") : out.index("=== 9.")]
    for choice in ("NGO side's score", "partner side's score", "meet in the middle"):
        assert choice in jpat_act
    for owner in ("Both sides", "NGO side", "Partner side"):
        assert f"— {owner}, due " in jpat_act
    actions = re.findall(r"• \d+[a-z]: (.+?) — ", jpat_act)
    assert len(set(actions)) >= 3, actions
    assert "(the bot's clock moves forward to two hours before the meeting)" in out
    assert "1 attending" in out  # the partner answered the meeting reminder
    # The walkthrough ends with the staff summary and names the file its chart was saved to.
    last_act = out[out.rindex("\n=== ") :]
    assert "Staff read the quarter's summary and its chart" in last_act.splitlines()[1]
    assert "Asked: 4 · started: 4 · completed: 4 · response rate: 100%" in last_act
    chart = tmp_path / "data" / "demo" / "summary-chart.png"
    assert f"(the chart is saved as {chart})" in last_act
    assert chart.read_bytes().startswith(b"\x89PNG") and chart.stat().st_size > 20_000
