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
