from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings


def test_defaults_use_a_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PARTNERBOT_TOKEN", "PARTNERBOT_DATABASE_URL", "PARTNERBOT_ADMINS"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(_env_file=None)
    assert settings.token is None
    assert settings.resolved_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.resolved_database_url.endswith("partnerbot.sqlite3")


def test_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERBOT_ADMINS", "11, 22;33")
    monkeypatch.setenv("PARTNERBOT_DEFAULT_LANGUAGE", "ar")
    monkeypatch.setenv("PARTNERBOT_DEFAULT_TIMEZONE", "Africa/Nairobi")
    monkeypatch.setenv("PARTNERBOT_BOT_API_URL", "http://127.0.0.1:8081/bot")
    settings = load_settings(_env_file=None)
    assert settings.admins == [11, 22, 33]
    assert settings.default_language == "ar"
    assert settings.default_timezone == "Africa/Nairobi"
    assert settings.bot_api_url == "http://127.0.0.1:8081/bot"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("PARTNERBOT_ADMINS", "alice", "PARTNERBOT_ADMINS: must be comma-separated"),
        ("PARTNERBOT_DEFAULT_LANGUAGE", "de", "PARTNERBOT_DEFAULT_LANGUAGE: must be one of"),
        (
            "PARTNERBOT_DEFAULT_TIMEZONE",
            "Mars/Base",
            "PARTNERBOT_DEFAULT_TIMEZONE: must be an IANA",
        ),
        ("PARTNERBOT_TOKEN", "not-a-token", "PARTNERBOT_TOKEN: does not look like a bot token"),
        ("PARTNERBOT_WEBHOOK_PORT", "99999", "PARTNERBOT_WEBHOOK_PORT:"),
        ("PARTNERBOT_WEBHOOK_SECRET", "has spaces", "PARTNERBOT_WEBHOOK_SECRET: must be"),
    ],
)
def test_a_bad_setting_gives_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as err:
        load_settings(_env_file=None)
    assert str(err.value).startswith(expected)
    assert "\n" not in str(err.value)


def test_cli_run_without_token_explains_the_demo(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.delenv("PARTNERBOT_TOKEN", raising=False)
    monkeypatch.chdir("/")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "@BotFather" in err
    assert "partnerbot demo" in err


def test_cli_reports_a_bad_setting_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.setenv("PARTNERBOT_ADMINS", "x")
    monkeypatch.chdir("/")
    assert main(["run"]) == 2
    assert capsys.readouterr().err.strip() == (
        "configuration error: PARTNERBOT_ADMINS: must be comma-separated Telegram user ids (numbers)"
    )
