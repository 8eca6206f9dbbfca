"""Checks and steps shared by the Bot API method handlers, in the order Telegram applies them.

Resolving the chat, reading the text, caption and keyboard, refusing blocked users, taking a
rate-limit token and recording what the phone now shows are the same for every
message-producing method; keeping them here keeps the refusals and the event log consistent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.devtools.sandbox import errors
from bot.devtools.sandbox.entities import FormattedText
from bot.devtools.sandbox.events import ChatMessage
from bot.devtools.sandbox.formatting import format_caption, format_text
from bot.devtools.sandbox.markup import parse_reply_markup
from bot.devtools.sandbox.params import Params
from bot.devtools.sandbox.state import ChatRecord

if TYPE_CHECKING:
    from bot.devtools.sandbox.sandbox import Sandbox


@dataclass(frozen=True)
class Described:
    """A successful result that also carries Telegram's ``description`` (e.g. setWebhook)."""

    result: Any
    description: str


def chat_id_param(p: Params, name: str = "chat_id") -> int | None:
    """``chat_id`` as an int; ``@username`` strings resolve to nothing (no public chats here)."""
    value = p.raw(name)
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.startswith("@"):
        raise errors.bad_request(errors.CHAT_NOT_FOUND)
    try:
        return p.get_int(name)
    except errors.ApiError:
        raise errors.bad_request(errors.CHAT_NOT_FOUND) from None


def target_chat(sb: Sandbox, p: Params) -> ChatRecord:
    """The chat a call addresses (400 chat not found / 403 can't initiate)."""
    return sb.state.chat_for_bot(chat_id_param(p))


def ensure_reachable(chat: ChatRecord) -> None:
    """403 if the user blocked the bot."""
    if chat.blocked:
        raise errors.forbidden(errors.BLOCKED)


def admit(sb: Sandbox, chat: ChatRecord) -> None:
    """Take a flood-limit token for one message to ``chat`` or answer 429."""
    throttle = sb.limiter.acquire(chat.id)
    if throttle is not None:
        raise errors.too_many_requests(throttle.retry_after, throttle.reason)


def message_id_param(p: Params) -> int:
    """``message_id``, required."""
    message_id = p.get_int("message_id")
    if message_id is None:
        raise errors.bad_request("message identifier is not specified")
    return message_id


def reply_to_param(chat: ChatRecord, p: Params) -> int | None:
    """The message this one replies to (``reply_parameters`` or legacy ``reply_to_message_id``)."""
    allow_missing = p.get_bool("allow_sending_without_reply")
    reply_to: int | None = None
    if "reply_parameters" in p:
        try:
            parameters = p.get_json("reply_parameters")
        except ValueError:
            raise errors.bad_request("can't parse reply parameters JSON object") from None
        if not isinstance(parameters, dict) or not isinstance(parameters.get("message_id"), int):
            raise errors.bad_request("can't parse reply parameters JSON object")
        reply_to = parameters["message_id"]
        allow_missing = allow_missing or bool(parameters.get("allow_sending_without_reply"))
    elif "reply_to_message_id" in p:
        reply_to = p.get_int("reply_to_message_id")
    if reply_to is None:
        return None
    target = chat.messages.get(reply_to)
    if target is None or target.deleted:
        if allow_missing:
            return None
        raise errors.bad_request("message to be replied not found")
    return reply_to


def entities_param(p: Params, name: str) -> Any:
    """An explicit entities list parameter (JSON)."""
    try:
        return p.get_json(name)
    except ValueError:
        raise errors.bad_request("can't parse entities JSON object") from None


def text_param(sb: Sandbox, p: Params) -> FormattedText:
    """``text`` as the phone will show it (``parse_mode`` or ``entities`` applied, checked)."""
    return format_text(
        p.get_str("text"),
        p.get_str("parse_mode"),
        entities_param(p, "entities"),
        strict_html=sb.strict_html,
    )


def caption_param(sb: Sandbox, p: Params) -> FormattedText | None:
    """``caption`` as the phone will show it; ``None`` when there is none (or it is blank)."""
    return format_caption(
        p.get_str("caption"),
        p.get_str("parse_mode"),
        entities_param(p, "caption_entities"),
        strict_html=sb.strict_html,
    )


def markup_param(p: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
    """``reply_markup``, checked; an empty inline keyboard is the same as no keyboard."""
    markup = parse_reply_markup(p.raw("reply_markup"), inline_only=inline_only)
    if markup is not None and markup.get("inline_keyboard") == []:
        return None
    return markup


def record_message_event(
    sb: Sandbox, chat: ChatRecord, kind: str, method: str, message: ChatMessage
) -> None:
    """Log what ``message`` shows now, so sends and edits leave events of one form."""
    sb.state.record_event(
        chat,
        kind,
        method,
        message_id=message.message_id,
        file=message.file_info,
        **message.shown(),
    )


def post_bot_message(
    sb: Sandbox, p: Params, chat: ChatRecord, event_kind: str, method: str, **content: Any
) -> dict[str, Any]:
    """Put a new bot message in ``chat`` once its ``content`` has been checked.

    Every send (text or media) then goes the same way, in Telegram's order: read the keyboard
    and the message replied to, refuse a blocked user, take a rate-limit token, then store,
    count and record the message. ``content`` holds the :class:`ChatMessage` fields that
    differ between sends. Returns the Bot API ``Message``.
    """
    markup = markup_param(p)
    reply_to = reply_to_param(chat, p)
    ensure_reachable(chat)
    admit(sb, chat)
    message = ChatMessage(
        message_id=chat.allocate_message_id(),
        chat_id=chat.id,
        from_bot=True,
        date=sb.state.now(),
        parse_mode=p.get_str("parse_mode"),
        reply_markup=markup,
        reply_to=reply_to,
        **content,
    )
    chat.messages[message.message_id] = message
    sb.stats.delivered[chat.id] += 1
    record_message_event(sb, chat, event_kind, method, message)
    return sb.state.message_api(message)
