"""The newcomer's first command: the scripted demo runs end to end and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_scripted_demo_runs_every_act(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERBOT_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--script"],
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
    assert "https://t.me/partner_sandbox_bot?start=" in out  # staff made an invitation
    assert "العربية" in out  # the partner onboarded in Arabic
    assert "completed 1, response rate 100%" in out  # the survey was answered
    assert (tmp_path / "data" / "demo" / "my-data-amina.txt").exists()
    assert "it is final" in out  # the J-PAT round was signed by the partner side
    assert "(the bot's clock moves forward to two hours before the meeting)" in out
    assert "1 attending" in out  # the partner answered the meeting reminder
    # The walkthrough ends with the staff summary and names the file its chart was saved to.
    last_act = out[out.rindex("\n=== ") :]
    assert "Staff read the quarter's summary and its chart" in last_act.splitlines()[1]
    assert "Asked: 4 · started: 4 · completed: 4 · response rate: 100%" in last_act
    chart = tmp_path / "data" / "demo" / "summary-chart.png"
    assert f"(the chart is saved as {chart})" in last_act
    assert chart.read_bytes().startswith(b"\x89PNG") and chart.stat().st_size > 20_000
