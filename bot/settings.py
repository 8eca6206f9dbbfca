"""Configuration from the environment (prefix ``PARTNERBOT_``) and an optional ``.env`` file.

A bad value must stop start-up with one line that names the setting, so operators on a
small VPS can fix it without reading a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SUPPORTED_LANGUAGES = ("en", "fr", "es", "ar", "sw")
DEFAULT_DATA_DIR = Path.cwd() / "data"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PARTNERBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    token: str | None = None
    database_url: str | None = None
    data_dir: Path = DEFAULT_DATA_DIR
    admins: Annotated[list[int], NoDecode] = Field(default_factory=list)
    default_language: str = "en"
    default_timezone: str = "UTC"
    bot_api_url: str | None = None
    bot_api_file_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    global_rate_per_s: float = Field(default=29.5, gt=0)
    chat_burst: float = Field(default=18, ge=1)
    chat_rate_per_s: float = Field(default=0.95, gt=0)
    privacy_threshold: int = Field(default=3, ge=1)
    tick_seconds: float = Field(default=20, ge=0)
    surveys_dir: Path | None = None
    log_format: str = Field(default="text", pattern="^(text|json|kv)$")  # bot.logs
    # Health and metrics over HTTP (bot.ops_server): off unless a port is set (0 picks a free
    # one: tests); on loopback unless an operator opens it up.
    ops_port: int | None = Field(default=None, ge=0, le=65535)
    ops_listen: str = "127.0.0.1"

    @field_validator("ops_port", mode="before")
    @classmethod
    def _blank_port_is_off(cls, value: object) -> object:
        return None if isinstance(value, str) and value.strip() == "" else value

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                return [int(p) for p in parts]
            except ValueError as err:
                raise ValueError("must be comma-separated Telegram user ids (numbers)") from err
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("surveys_dir")
    @classmethod
    def _existing_dir(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"{value} is not a folder of survey definitions")
        return value

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LANGUAGES)}")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError("must be an IANA time zone such as Africa/Nairobi") from err
        return value

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        value = value.strip()
        bot_id, sep, secret = value.partition(":")
        if not sep or not bot_id.isdigit() or len(secret) < 20:
            raise ValueError("does not look like a bot token from @BotFather (123456:ABC...)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        if not 1 <= len(value) <= 256 or set(value) - allowed:
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'partnerbot.sqlite3'}"


class SettingsError(Exception):
    """One readable line per bad setting."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as err:
        lines = []
        for problem in err.errors():
            name = "PARTNERBOT_" + str(problem["loc"][0]).upper() if problem["loc"] else "settings"
            message = str(problem["msg"]).removeprefix("Value error, ")
            lines.append(f"{name}: {message}")
        raise SettingsError("; ".join(lines)) from None
