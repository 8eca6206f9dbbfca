"""Bot API refusals.

Every refusal the sandbox gives travels as an :class:`ApiError` up to the HTTP layer, which turns
it into exactly the body Telegram sends (``{"ok": false, "error_code": N, "description": ...}``),
so python-telegram-bot raises the same exception class it raises against Telegram.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API error answer: HTTP status, Telegram's description, optional parameters."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.reason = reason  # why a 429 happened: "global", "chat", "group" or "storm"

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram would answer with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    """400 with Telegram's ``Bad Request: ...`` prefix."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """403 with Telegram's ``Forbidden: ...`` prefix."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int, reason: str) -> ApiError:
    """429 with ``parameters.retry_after`` (whole seconds, at least 1), like Telegram."""
    retry_after = max(1, int(retry_after))
    return ApiError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        retry_after=retry_after,
        reason=reason,
    )


def conflict(detail: str) -> ApiError:
    """409 with Telegram's ``Conflict: ...`` prefix."""
    return ApiError(409, f"Conflict: {detail}")


# Telegram's exact wording for the refusals bots meet most often.
MESSAGE_TOO_LONG = "message is too long"
TEXT_EMPTY = "message text is empty"
CAPTION_TOO_LONG = "message caption is too long"
BUTTON_DATA_INVALID = "BUTTON_DATA_INVALID"
MARKUP_UNPARSABLE = "can't parse reply keyboard markup JSON object"
EDIT_NOT_FOUND = "message to edit not found"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
DELETE_NOT_FOUND = "message to delete not found"
CHAT_NOT_FOUND = "chat not found"
BLOCKED = "bot was blocked by the user"
CANT_INITIATE = "bot can't initiate conversation with a user"
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
OTHER_GETUPDATES = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)
