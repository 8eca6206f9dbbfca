"""Issue 16 part 5: ``PARTNERBOT_LOG_FORMAT`` text, json or kv — one line per record in json
and kv (a traceback included), each line parses, and the privacy filter's redaction holds in
every format, for the message, the traceback and the fields passed with ``extra=``.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import datetime

import pytest

from bot import log_setup
from bot.settings import SettingsError, load_settings
from tests.log_secrets import ANSWER, FIRST_NAME

TOKEN = "123456789:AAHf3kQ9-zx_Lm0PqRsTuVwXyZaBcDeFgHi"
INVITE = "Xq3_vR8kLm2NpT5sWz9-aB4cDe"
SECRET = "webhook-secret-for-format-tests"
LEAKS = ("AAHf3kQ9", INVITE, SECRET, ANSWER, "UNIQUE-ANSWER-XYZ", FIRST_NAME)

# key=value, the value bare (no space, quote or =) or quoted with \-escapes
KV_PAIR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^\s"=]+)')


def parse_kv(line: str) -> dict[str, str]:
    pairs = list(KV_PAIR.finditer(line))
    assert " ".join(m.group(0) for m in pairs) == line, line  # nothing outside the pairs
    out = {}
    for match in pairs:
        value = match.group(2)
        out[match.group(1)] = json.loads(value) if value.startswith('"') else value
    return out


def _session() -> None:
    """What a bad day writes: tokens, a secret, an invite, typed text, exceptions."""
    ours = logging.getLogger("bot.format_test")
    ours.info("token %s rejected at /bot%s/getMe", TOKEN, TOKEN)
    ours.info("webhook secret %s, link https://t.me/x_bot?start=%s", SECRET, INVITE)
    ours.info(
        "delivery %s sent",
        42,
        extra={"error_id": "ab12cd34", "delivery_id": 42, "url": f"/bot{TOKEN}/sendMessage"},
    )
    ours.info("a line\nbreak and a \u2028 separator")
    try:
        int(ANSWER)
    except ValueError:
        ours.exception("could not read an answer", extra={"error_id": "0badc0de"})
    try:
        try:
            raise KeyError(FIRST_NAME)
        except KeyError as inner:
            raise RuntimeError(f"lookup failed for {FIRST_NAME}") from inner
    except RuntimeError:
        ours.error("chained", exc_info=True)
    library = logging.getLogger("telegram.ext.Application")
    library.warning("Received data was %r", {"text": ANSWER}, extra={"payload": {"t": ANSWER}})


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    yield io.StringIO()
    log_setup.reset()


def _lines(stream: io.StringIO, log_format: str) -> list[str]:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(log_setup.formatter(log_format))
    log_setup.configure(handlers=[handler], secrets=[SECRET])
    _session()
    log_setup.reset()
    return stream.getvalue().split("\n")[:-1]


@pytest.mark.parametrize("log_format", log_setup.FORMATS)
def test_secrets_and_typed_text_are_redacted_in_every_format(
    stream: io.StringIO, log_format: str
) -> None:
    out = "\n".join(_lines(stream, log_format))
    assert "could not read an answer" in out and "chained" in out
    for leak in LEAKS:
        assert leak not in out, (log_format, leak, out)
    assert "<redacted>" in out


def test_json_is_one_object_per_line_with_stable_keys(stream: io.StringIO) -> None:
    lines = _lines(stream, "json")
    records = [json.loads(line) for line in lines]  # every line parses on its own
    assert len(records) == 7, lines
    for record in records:
        assert list(record)[:4] == ["ts", "level", "logger", "msg"]
        assert record["ts"].endswith("Z")
        datetime.fromisoformat(record["ts"].replace("Z", "+00:00"))
    sent = records[2]
    assert sent["msg"] == "delivery 42 sent"
    assert sent["error_id"] == "ab12cd34" and sent["delivery_id"] == 42
    assert sent["url"] == "/bot<redacted>/sendMessage"
    assert records[3]["msg"] == "a line\nbreak and a \u2028 separator"  # escaped, not split
    failed = records[4]
    assert failed["level"] == "ERROR" and failed["error_id"] == "0badc0de"
    assert failed["exc_type"] == "ValueError"
    assert failed["traceback"].startswith("Traceback (most recent call last):\n")
    assert "test_log_format.py" in failed["traceback"]  # where, not what
    assert failed["traceback"].endswith("ValueError: <withheld>")
    chained = records[5]
    assert chained["exc_type"] == "RuntimeError"
    assert "KeyError: <withheld>" in chained["traceback"]
    library = records[6]
    assert library["logger"] == "telegram.ext.Application"
    assert library["msg"] == "Received data was '<withheld>'"
    assert library["payload"] == "<withheld>"  # a library's extra= holds no payload either
    assert all("exc_type" not in r for r in records[:4])


def test_kv_is_one_line_of_pairs(stream: io.StringIO) -> None:
    lines = _lines(stream, "kv")
    records = [parse_kv(line) for line in lines]
    assert len(records) == 7, lines
    for line, record in zip(lines, records, strict=True):
        assert line.startswith("ts=") and ' msg="' in line
        assert list(record)[:4] == ["ts", "level", "logger", "msg"]
    assert records[2]["error_id"] == "ab12cd34" and records[2]["delivery_id"] == "42"
    assert records[2]["url"] == "/bot<redacted>/sendMessage"
    assert records[3]["msg"] == "a line\nbreak and a \u2028 separator"
    assert records[4]["exc_type"] == "ValueError"
    assert records[4]["traceback"].endswith("ValueError: <withheld>")
    assert records[4]["traceback"].count("\n") >= 2  # a real traceback, escaped onto one line


def test_text_stays_as_it_was(stream: io.StringIO) -> None:
    lines = _lines(stream, "text")
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO bot.format_test: token <redacted> .*", lines[0]
    )
    assert "Traceback (most recent call last):" in lines  # the traceback on lines of its own


def test_the_setting_chooses_the_format_of_the_default_handler(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PARTNERBOT_LOG_FORMAT", "json")
    monkeypatch.delenv("PARTNERBOT_TOKEN", raising=False)
    try:
        log_setup.configure(secrets=())
        logging.getLogger("bot.format_test").warning("hello %s", 7, extra={"error_id": "feed"})
    finally:
        log_setup.reset()
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert json.loads(line)["msg"] == "hello 7" and json.loads(line)["error_id"] == "feed"
    monkeypatch.setenv("PARTNERBOT_LOG_FORMAT", "xml")
    with pytest.raises(SettingsError, match="PARTNERBOT_LOG_FORMAT"):
        load_settings()
    assert load_settings(log_format="kv").log_format == "kv"
