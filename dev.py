#!/usr/bin/env python3
"""Set up what is needed, then run: ``python3 dev.py start`` or ``python3 dev.py test``.

Works on a fresh clone with only Python 3.11+: it creates ``.venv`` beside this file, installs
the project with its ``test`` extra at the versions in ``constraints.txt`` when
``pyproject.toml`` or ``constraints.txt`` changed, and runs the command there.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".partnerbot-installed"


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may run on an old python3
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + (ROOT / "constraints.txt").read_bytes()
    ).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        print("installing dependencies into .venv (first run only) ...", flush=True)
        subprocess.run(
            [
                str(PYTHON),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--constraint",
                str(ROOT / "constraints.txt"),  # the versions CI tested, dependencies included
                "-e",
                f"{ROOT}[test]",
            ],
            check=True,
            cwd=ROOT,
        )
        STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "start"
    rest = argv[1:]
    ensure_environment()
    os.chdir(ROOT)
    if command == "start":
        return subprocess.call([str(PYTHON), "-m", "bot", "start", *rest])
    if command == "test":
        return subprocess.call([str(PYTHON), "-m", "pytest", *rest])
    if command in ("bot", "partnerbot"):
        return subprocess.call([str(PYTHON), "-m", "bot", *rest])
    sys.exit(f"usage: python3 dev.py [start|test|partnerbot ARGS...]; got {command!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
