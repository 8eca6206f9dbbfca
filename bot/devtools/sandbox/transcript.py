"""Readable transcripts of a chat, both sides in order.

When an end-to-end test fails, the first question is "what did the partner actually see?".
A transcript answers it at a glance: user texts and presses, bot messages with their buttons,
edits, deletions, callback answers and files.
"""

from __future__ import annotations

from bot.devtools.sandbox.events import Event, FileInfo, UserAction
from bot.devtools.sandbox.state import ChatRecord, SandboxState

_INDENT = "     "


def human_size(size: int) -> str:
    """Bytes as ``512 B`` / ``12.3 KB`` / ``1.5 MB``."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _file_label(kind: str, file: FileInfo | None) -> str:
    if file is None:
        return f"[{kind}]"
    parts = [kind]
    if file.filename:
        parts.append(file.filename)
    if kind == "photo" and file.width and file.height:
        parts.append(f"{file.width}x{file.height}")
    detail = " ".join(parts)
    extra = human_size(file.size)
    if kind == "document" and file.mime_type:
        extra += f", {file.mime_type}"
    return f"[{detail}, {extra}]"


def _indent_body(text: str) -> str:
    return text.replace("\n", "\n" + _INDENT)


def _buttons(event: Event) -> list[str]:
    return [_INDENT + " ".join(f"[{text}]" for text in row) for row in event.buttons]


def format_event(event: Event) -> list[str]:
    """Transcript lines for one bot-side event."""
    if event.kind == "message":
        return [f"bot: {_indent_body(event.text or '')}", *_buttons(event)]
    if event.kind in ("photo", "document"):
        head = _file_label(event.kind, event.file)
        caption = f" {_indent_body(event.caption)}" if event.caption else ""
        return [f"bot: {head}{caption}", *_buttons(event)]
    if event.kind == "edit":
        body = _indent_body(event.content or "")
        lines = [f"bot: (edited #{event.message_id}) {body}".rstrip()]
        if event.reply_markup:
            lines.extend(_buttons(event))
        else:
            lines.append(_INDENT + "(no buttons)")
        return lines
    if event.kind == "delete":
        return [f"bot: (deleted #{event.message_id})"]
    if event.kind == "callback_answer":
        label = "alert" if event.show_alert else "answer"
        return [f"bot: ({label}) {event.text or ''}".rstrip()]
    if event.kind == "chat_action":
        return [f"bot: ({event.action})"]
    return [f"bot: ({event.kind})"]


def format_transcript(
    state: SandboxState,
    chat: ChatRecord,
    *,
    bot_name: str,
    times: bool = False,
    chat_actions: bool = False,
) -> str:
    """The whole chat as text; ``times`` prefixes monotonic timestamps."""
    if chat.type == "private" and chat.user is not None:
        title = f"{chat.user.first_name} ({chat.id})"
    else:
        title = f"{chat.title or chat.id} ({chat.id})"
    lines = [f"--- chat {title} with @{bot_name} ---"]
    start = chat.history[0].time if chat.history else 0.0
    for item in chat.history:
        stamp = f"[{item.time - start:7.3f}] " if times else ""
        if isinstance(item, UserAction):
            user = state.users.get(item.user_id)
            who = user.first_name if user else str(item.user_id)
            body = _indent_body(item.text)
            lines.append(f"{stamp}{who}: {body}")
            continue
        if item.kind == "chat_action" and not chat_actions:
            continue
        event_lines = format_event(item)
        lines.append(stamp + event_lines[0])
        lines.extend((" " * len(stamp)) + line for line in event_lines[1:])
    return "\n".join(lines)
