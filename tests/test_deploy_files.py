"""The deployment files say what the code does: real settings, commands and console scripts, no
secrets, the versions CI tested; systemd-analyze and docker compose run where they exist."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from bot.cli import _parser
from bot.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / "partnerbot.env.example"
UNIT = DEPLOY / "partnerbot.service"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

SETTINGS_FIELDS = {"PARTNERBOT_" + name.upper() for name in Settings.model_fields}
SECRET_WORDS = ("PASSWORD", "TOKEN", "SECRET")
TOKEN_SHAPE = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}")
INDEX_OPTIONS = re.compile(
    r"--(extra-)?index-url|--find-links|PIP_(EXTRA_)?INDEX_URL|PIP_FIND_LINKS|(^|\s)-i\s+\S*://",
    re.MULTILINE,
)
BOT_VENV_BIN = Path(sys.executable).parent


def console_scripts() -> dict[str, str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]


def cli_accepts(args: list[str]) -> bool:
    try:
        _parser().parse_args(args)
    except SystemExit:
        return False
    return True


def subcommands() -> set[str]:
    parser = _parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return set(action.choices)


# ---------------------------------------------------------------- Dockerfile


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    lines: list[str] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        if raw.strip().startswith("#") and not pending:
            continue
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        lines.append(pending + raw)
        pending = ""
    out = []
    for line in lines:
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def exec_form(args: str) -> list[str]:
    value = yaml.safe_load(args)  # a JSON array is valid YAML
    assert isinstance(value, list), f"not exec form (JSON array): {args}"
    return [str(v) for v in value]


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for word, args in dockerfile_instructions():
        if word == "ENV":
            for item in shlex.split(args):
                key, _, value = item.partition("=")
                env[key] = value
    return env


def test_dockerfile_base_image_and_non_root_user() -> None:
    instructions = dockerfile_instructions()
    froms = [args for word, args in instructions if word == "FROM"]
    assert froms and froms[-1].split()[0] == "python:3.11-slim"
    users = [args for word, args in instructions if word == "USER"]
    assert users, "the image must switch to a non-root user"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    # The user is created in the image with that id.
    assert re.search(rf"useradd\b.*--uid {re.escape(user)}\b", DOCKERFILE.read_text(), re.S)


def test_dockerfile_installs_with_constraints_and_no_index_address() -> None:
    runs = " ".join(args for word, args in dockerfile_instructions() if word == "RUN")
    assert re.search(r"pip install\b[^&]*-c constraints\.txt \.", runs), runs
    copied = " ".join(args for word, args in dockerfile_instructions() if word == "COPY")
    assert "constraints.txt" in copied and "pyproject.toml" in copied
    for path in (DOCKERFILE, COMPOSE, ROOT / "constraints.txt"):
        assert not INDEX_OPTIONS.search(path.read_text()), f"index address in {path.name}"


def test_dockerfile_copies_what_the_package_and_its_catalogs_need() -> None:
    copied = {
        args.split()[0].rstrip("/") for word, args in dockerfile_instructions() if word == "COPY"
    }
    copied |= {
        name
        for word, args in dockerfile_instructions()
        if word == "COPY"
        for name in args.split()[:-1]
    }
    includes = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"
    ]["find"]["include"]
    packages = {pattern.rstrip("*") for pattern in includes}
    # bot/i18n.py reads locales/ beside the bot package; the readme is part of the metadata.
    needed = packages | {"locales", "README.md", "pyproject.toml", "constraints.txt"}
    assert needed <= copied, needed - copied
    ignored = {line.strip() for line in DOCKERIGNORE.read_text().splitlines()}
    assert not needed & ignored
    assert {".venv", ".git", "data", "*.db"} <= ignored
    assert any("cache" in line for line in ignored)


def test_dockerfile_entrypoint_is_a_console_script_and_cmd_a_command() -> None:
    instructions = dict(dockerfile_instructions())
    entrypoint = exec_form(instructions["ENTRYPOINT"])
    cmd = exec_form(instructions["CMD"])
    assert entrypoint == ["partnerbot"]
    assert console_scripts()["partnerbot"] == "bot.cli:main"
    assert cmd == ["run"] and cli_accepts(cmd)


def test_dockerfile_settings_are_real_and_data_dir_is_the_volume() -> None:
    env = dockerfile_env()
    named = {key for key in env if key.startswith("PARTNERBOT_")}
    assert named and named <= SETTINGS_FIELDS, named - SETTINGS_FIELDS
    volumes = [exec_form(args) for word, args in dockerfile_instructions() if word == "VOLUME"]
    assert [env["PARTNERBOT_DATA_DIR"]] in volumes
    # Inside a container the webhook must listen beyond the container's own loopback.
    assert env["PARTNERBOT_WEBHOOK_LISTEN"] == "0.0.0.0"
    load_settings(
        **{k.removeprefix("PARTNERBOT_").lower(): v for k, v in env.items() if k in named}
    )


def test_dockerfile_healthcheck_runs_a_real_command() -> None:
    checks = [args for word, args in dockerfile_instructions() if word == "HEALTHCHECK"]
    assert len(checks) == 1
    args = checks[0]
    command = exec_form(args[args.index("CMD") + 3 :])
    assert command[0] == "partnerbot"
    if command[1] == "doctor" and "doctor" not in subcommands():
        pytest.skip("the healthcheck runs `partnerbot doctor`, which is not in bot/cli.py yet")
    assert cli_accepts(command[1:]), command


def test_entrypoint_runs_under_this_python_with_a_bare_environment(tmp_path: Path) -> None:
    """What the container does on `docker run IMAGE --help` and on `docker run IMAGE` without a
    token: the console script starts and `run` stops with the one-line-per-problem help."""
    script = BOT_VENV_BIN / "partnerbot"
    if not script.exists():
        pytest.skip(f"no partnerbot console script beside {sys.executable}")
    env = {
        "PATH": f"{BOT_VENV_BIN}{os.pathsep}/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PARTNERBOT_DATA_DIR": str(tmp_path / "data"),
        "MPLCONFIGDIR": str(tmp_path / "mpl"),
    }
    help_run = subprocess.run(
        [str(script), "--help"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert help_run.returncode == 0, help_run.stderr
    assert "run" in help_run.stdout
    cmd = exec_form(dict(dockerfile_instructions())["CMD"])
    no_token = subprocess.run(
        [str(script), *cmd], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert no_token.returncode == 2
    assert "PARTNERBOT_TOKEN" in no_token.stderr
    assert "Traceback" not in no_token.stderr


# ---------------------------------------------------------------- compose


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_postgres_16_with_volume_and_healthcheck() -> None:
    data = compose()
    db = data["services"]["db"]
    assert db["image"].startswith("postgres:16")
    named = {v.split(":")[0]: v.split(":")[1] for v in db["volumes"]}
    assert named, "the database needs a volume"
    assert set(named) <= set(data["volumes"]), "a named volume, declared at the top level"
    assert "/var/lib/postgresql/data" in named.values()
    test = db["healthcheck"]["test"]
    assert "pg_isready" in (test if isinstance(test, str) else " ".join(test))


def test_compose_bot_waits_for_a_healthy_database_and_stops_cleanly() -> None:
    bot = compose()["services"]["bot"]
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    grace = re.fullmatch(r"(\d+)s", bot["stop_grace_period"])
    assert grace and int(grace.group(1)) > 10, "the bot may take 10 s after SIGTERM"
    assert (COMPOSE.parent / bot["build"]["context"] / bot["build"]["dockerfile"]).resolve() == (
        DOCKERFILE
    )
    assert cli_accepts(bot.get("command", ["run"]))


def test_compose_secrets_come_from_the_git_ignored_env_file() -> None:
    data = compose()
    bot = data["services"]["bot"]
    assert bot["env_file"] == [".env"]
    for name, service in data["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if any(word in key for word in SECRET_WORDS):
                assert str(value).startswith("${"), f"{name}.{key} is written into the file"
    text = COMPOSE.read_text()
    assert not TOKEN_SHAPE.search(text)
    assert not re.search(r"://[^:@/\s]+:(?!\$\{)[^@\s]+@", text), "a literal password in a URL"
    if shutil.which("git") and (ROOT / ".git").exists():
        ignored = subprocess.run(
            ["git", "check-ignore", "-q", "deploy/.env"], cwd=ROOT, capture_output=True
        )
        assert ignored.returncode == 0, "deploy/.env must be git-ignored"
        kept = subprocess.run(
            ["git", "check-ignore", "-q", "deploy/partnerbot.env.example"], cwd=ROOT
        )
        assert kept.returncode == 1, "the example must stay committed"


def test_compose_database_url_points_at_the_db_service() -> None:
    data = compose()
    db_env = data["services"]["db"]["environment"]
    url = data["services"]["bot"]["environment"]["PARTNERBOT_DATABASE_URL"]
    match = re.fullmatch(
        r"postgresql\+asyncpg://([^:]+):(\$\{POSTGRES_PASSWORD[^}]*\})@(\w+):5432/(\w+)", url
    )
    assert match, url
    user, password, host, database = match.groups()
    assert host in data["services"]
    assert (user, database) == (db_env["POSTGRES_USER"], db_env["POSTGRES_DB"])
    assert db_env["POSTGRES_PASSWORD"] == password


def compose_command() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=20)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    command = compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed here")
    (tmp_path / "deploy").mkdir()
    shutil.copy(COMPOSE, tmp_path / "deploy" / "compose.yaml")
    shutil.copy(DOCKERFILE, tmp_path / "Dockerfile")
    env_file = tmp_path / "deploy" / ".env"
    env = {k: v for k, v in os.environ.items() if k != "POSTGRES_PASSWORD"}
    config = [*command, "-f", str(tmp_path / "deploy" / "compose.yaml"), "config"]

    env_file.write_text(ENV_EXAMPLE.read_text())  # POSTGRES_PASSWORD left empty
    refused = subprocess.run(config, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0
    assert "set POSTGRES_PASSWORD in deploy/.env" in refused.stderr + refused.stdout

    env_file.write_text(
        ENV_EXAMPLE.read_text().replace("POSTGRES_PASSWORD=", "POSTGRES_PASSWORD=pw123")
    )
    done = subprocess.run(config, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    rendered = yaml.safe_load(done.stdout)
    url = rendered["services"]["bot"]["environment"]["PARTNERBOT_DATABASE_URL"]
    assert url == "postgresql+asyncpg://partnerbot:pw123@db:5432/partnerbot"


# ---------------------------------------------------------------- env example


def env_example() -> tuple[dict[str, str], set[str]]:
    """(the settings given values, every setting named, commented out or not)."""
    given: dict[str, str] = {}
    named: set[str] = set()
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.fullmatch(r"(#\s*)?([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if match:
            named.add(match.group(2))
            if not match.group(1):
                given[match.group(2)] = match.group(3)
    return given, named


def test_env_example_names_only_real_settings_and_holds_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    given, named = env_example()
    assert {"PARTNERBOT_TOKEN", "PARTNERBOT_ADMINS", "POSTGRES_PASSWORD"} <= set(given)
    partnerbot = {name for name in named if name.startswith("PARTNERBOT_")}
    assert partnerbot <= SETTINGS_FIELDS, partnerbot - SETTINGS_FIELDS
    assert named - partnerbot == {"POSTGRES_PASSWORD"}
    for key, value in given.items():
        if any(word in key for word in SECRET_WORDS):
            assert value == "", f"{key} has a value in the committed example"
    for line in ENV_EXAMPLE.read_text().splitlines():
        assert not TOKEN_SHAPE.search(line)
        if not line.startswith("#") and "=" in line:
            assert '"' not in line and "'" not in line, "quotes differ between readers"
    # As shipped, the values load (an empty webhook secret, for one, would stop start-up).
    for key in list(os.environ):
        if key.startswith("PARTNERBOT_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no .env file around
    for key, value in given.items():
        monkeypatch.setenv(key, value)
    settings = load_settings()
    assert settings.token is None and settings.admins == []


# ---------------------------------------------------------------- systemd


def unit_sections() -> dict[str, dict[str, list[str]]]:
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for raw in UNIT.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        assert current is not None, f"a setting outside any section: {line}"
        key, sep, value = line.partition("=")
        assert sep, f"not key=value: {line}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_systemd_unit_has_what_a_server_needs() -> None:
    sections = unit_sections()
    service = {key: values[-1] for key, values in sections["Service"].items()}
    assert service["User"] not in ("root", "0")
    assert service["EnvironmentFile"] == "/etc/partnerbot.env"
    assert service["Restart"] == "on-failure"
    assert service["KillSignal"] == "SIGTERM"
    assert int(service["TimeoutStopSec"]) > 10
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    environment = dict(item.split("=", 1) for item in sections["Service"]["Environment"])
    assert {key for key in environment if key.startswith("PARTNERBOT_")} <= SETTINGS_FIELDS
    data_dir = environment["PARTNERBOT_DATA_DIR"]
    assert data_dir in service["ReadWritePaths"].split()
    assert service["WorkingDirectory"] == data_dir
    assert data_dir == "/var/lib/" + service["StateDirectory"]
    executable, *args = shlex.split(service["ExecStart"])
    assert Path(executable).name in console_scripts()
    assert cli_accepts(args)
    # Exit status 2 is a configuration error: restarting cannot fix it.
    assert "2" in service["RestartPreventExitStatus"].split()
    assert sections["Install"]["WantedBy"] == ["multi-user.target"]


def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here")
    script = BOT_VENV_BIN / "partnerbot"
    executable = str(script) if script.exists() else "/bin/true"
    # verify checks that ExecStart exists: point it at this checkout's console script.
    text = UNIT.read_text().replace("/opt/partnerbot/.venv/bin/partnerbot", executable)
    unit = tmp_path / "partnerbot.service"
    unit.write_text(text)
    done = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    complaints = [line for line in (done.stdout + done.stderr).splitlines() if unit.name in line]
    assert done.returncode == 0 and not complaints, done.stdout + done.stderr
