"""Telegram's text rules, unit-tested without a server: HTML and MarkdownV2 parsing, UTF-16
offsets, trimming, reply markup validation and image sniffing."""

from __future__ import annotations

import pytest

from bot.devtools.sandbox.entities import EntityParseError, utf16_len
from bot.devtools.sandbox.errors import ApiError
from bot.devtools.sandbox.files import image_size
from bot.devtools.sandbox.formatting import command_entities, format_caption, format_text
from bot.devtools.sandbox.html_check import parse_html
from bot.devtools.sandbox.markdown_check import parse_markdown_legacy, parse_markdown_v2
from bot.devtools.sandbox.markup import parse_reply_markup


def test_utf16_offsets_after_astral_characters() -> None:
    parsed = parse_html("😀 <b>bold</b>")
    assert parsed.text == "😀 bold"
    assert parsed.entities == [{"type": "bold", "offset": 3, "length": 4}]
    assert utf16_len("😀") == 2


def test_html_entities_and_nesting() -> None:
    parsed = parse_html("<b>a <i>b</i></b> &lt;tag&gt; &#x1F600; &amp")
    assert parsed.text == "a b <tag> 😀 &"
    assert {"type": "italic", "offset": 2, "length": 1} in parsed.entities
    assert parsed.entities[0] == {"type": "bold", "offset": 0, "length": 3}


def test_bare_ampersand_is_literal_but_unknown_entity_refused() -> None:
    assert parse_html("Q&A and R & D").text == "Q&A and R & D"
    with pytest.raises(EntityParseError, match='"&nbsp;"'):
        parse_html("a&nbsp;b")
    assert parse_html("a&nbsp;b", strict_entities=False).text == "a&nbsp;b"


def test_html_links_and_mentions() -> None:
    parsed = parse_html(
        '<a href="https://x.org/?a=1&amp;b=2">x</a> <a href="tg://user?id=42">u</a>'
    )
    assert parsed.entities[0]["url"] == "https://x.org/?a=1&b=2"
    assert parsed.entities[1]["type"] == "text_mention"
    assert parsed.entities[1]["user"]["id"] == 42


def test_html_tag_names_are_case_insensitive_but_end_tags_must_match() -> None:
    assert parse_html("<B>x</b>").text == "x"
    with pytest.raises(EntityParseError, match="Unmatched end tag"):
        parse_html("<b>x</B>")


def test_whitespace_is_trimmed_and_entities_shifted() -> None:
    formatted = format_text("  <b>hi</b>  ", "HTML")
    assert formatted.text == "hi"
    assert formatted.entities == [{"type": "bold", "offset": 0, "length": 2}]


def test_unsupported_parse_mode() -> None:
    with pytest.raises(ApiError) as caught:
        format_text("x", "html5")
    assert caught.value.description == "Bad Request: unsupported parse_mode"


@pytest.mark.parametrize(
    ("source", "text"),
    [
        (r"*bold* _it_ __under__ ~strike~ ||spoiler||", "bold it under strike spoiler"),
        (r"[link](https://example.org/a\)b) \- done\!", "link - done!"),
        ("`a.b` and ```python\nprint(1)\n```", "a.b and print(1)\n"),
        (">quoted\n>lines\nnot quoted", "quoted\nlines\nnot quoted"),
    ],
)
def test_markdown_v2_valid(source: str, text: str) -> None:
    assert parse_markdown_v2(source).text == text


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("1. First", "Character '.' is reserved and must be escaped with the preceding '\\'"),
        ("(a)", "Character '(' is reserved"),
        ("*open", "Can't find end of Bold entity at byte offset 0"),
        ("[x](https://a.b", "Can't find end of a URL at byte offset 4"),
    ],
)
def test_markdown_v2_refusals(source: str, message: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_markdown_v2(source)
    assert str(caught.value).startswith(message)


def test_markdown_legacy() -> None:
    parsed = parse_markdown_legacy("*b* _i_ [l](https://a.b) `c`")
    assert parsed.text == "b i l c"
    assert [e["type"] for e in parsed.entities] == ["bold", "italic", "text_link", "code"]
    with pytest.raises(
        EntityParseError, match="Can't find end of the entity starting at byte offset 0"
    ):
        parse_markdown_legacy("*open")


def test_caption_limits() -> None:
    assert format_caption(None, None) is None
    assert format_caption("c" * 1024, None) is not None
    with pytest.raises(ApiError, match="caption is too long"):
        format_caption("c" * 1025, None)


def test_command_entities() -> None:
    assert command_entities("/start abc") == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert command_entities("and/or") == []
    assert command_entities("😀 /help@partner_demo_bot")[0]["offset"] == 3


def test_reply_markup_shapes() -> None:
    assert parse_reply_markup(None) is None
    assert parse_reply_markup('{"remove_keyboard": true}') == {"remove_keyboard": True}
    keyboard = parse_reply_markup({"keyboard": [["Yes", {"text": "No"}]]})
    assert keyboard is not None and keyboard["keyboard"][0][0] == {"text": "Yes"}
    with pytest.raises(ApiError, match="inline keyboard expected"):
        parse_reply_markup({"keyboard": [["Yes"]]}, inline_only=True)
    with pytest.raises(ApiError, match="Wrong HTTP URL"):
        parse_reply_markup({"inline_keyboard": [[{"text": "x", "url": "ftp://x"}]]})
    with pytest.raises(ApiError, match="BUTTON_DATA_INVALID"):
        parse_reply_markup({"inline_keyboard": [[{"text": "x", "callback_data": ""}]]})
    with pytest.raises(ApiError, match="reply markup is too long"):
        parse_reply_markup({"inline_keyboard": [[{"text": "x", "callback_data": "d"}] * 8] * 13})


def test_image_sniffing() -> None:
    gif = b"GIF89a" + (3).to_bytes(2, "little") + (5).to_bytes(2, "little") + b"\x00" * 10
    assert image_size(gif) == (3, 5)
    jpeg = (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        b"\xff\xc0\x00\x11\x08\x00\x20\x00\x40\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    )
    assert image_size(jpeg) == (64, 32)
    assert image_size(b"hello") is None
