"""The dependency rules of the layout, checked by import-linter's contracts in pyproject.toml,
and the line between the running bot and the development tools in ``bot/devtools``."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: What ``partnerbot run``, ``db``, ``locales`` and ``surveys`` load (the command line too).
PRODUCTION_ENTRY_POINTS = (
    "bot.app",
    "bot.runner",
    "bot.cli",
    "bot.locales_tool",
    "conversations.check",
)


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    kept = re.search(r"(\d+) kept, 0 broken", result.stdout)
    assert kept is not None, result.stdout
    assert int(kept.group(1)) == len(contracts["contracts"]), result.stdout


def test_running_bot_loads_no_devtools() -> None:
    """Importing the production modules loads nothing from ``bot.devtools`` (the sandbox, the
    benchmarks, the demo). import-linter lets ``bot.cli`` import the tools inside a command's
    branch; this catches one at module level."""
    code = (
        "import sys\n"
        f"for name in {PRODUCTION_ENTRY_POINTS!r}:\n"
        "    __import__(name)\n"
        "import bot.cli\n"
        "bot.cli._parser()\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('bot.devtools'))\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "[]", result.stdout
