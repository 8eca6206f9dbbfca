"""getUpdates and the webhook methods.

The bot receives partners' answers through exactly one of these two channels; switching
between them, confirming by offset and re-delivery are where duplicates and lost updates come
from, so the rules (409 while a webhook is set, offset confirmation, drop_pending_updates)
follow Telegram's.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from bot.devtools.sandbox import errors
from bot.devtools.sandbox.api_common import Described
from bot.devtools.sandbox.params import Params
from bot.devtools.sandbox.webhook import WebhookConfig

if TYPE_CHECKING:
    from bot.devtools.sandbox.sandbox import Sandbox

MAX_POLL_TIMEOUT = 50.0
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _allowed_updates(p: Params) -> list[str] | None:
    try:
        value = p.get_json("allowed_updates")
    except ValueError:
        raise errors.bad_request("can't parse allowed updates JSON object") from None
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise errors.bad_request("can't parse allowed updates JSON object")
    return value


async def get_updates(sb: Sandbox, p: Params) -> list[dict[str, Any]]:
    """getUpdates with offset confirmation, limit 1–100 and long polling."""
    if sb.webhook.active:
        raise errors.conflict(errors.WEBHOOK_ACTIVE)
    offset = p.get_int("offset")
    limit = min(100, max(1, p.get_int("limit", 100) or 100))
    timeout = min(MAX_POLL_TIMEOUT, max(0.0, p.get_float("timeout", 0.0) or 0.0))
    sb.updates.set_allowed_updates(_allowed_updates(p))
    updates = await sb.updates.poll(offset, limit, timeout)
    now = time.monotonic()
    for update in updates:
        sb.note_handed_out(update, now)
    return updates


async def set_webhook(sb: Sandbox, p: Params) -> Described:
    """setWebhook (plain http is allowed so tests can listen on loopback)."""
    url = p.get_str("url") or ""
    if not url:
        return await delete_webhook(sb, p)
    if not url.lower().startswith(("http://", "https://")):
        raise errors.bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.get_str("secret_token")
    if secret is not None and not _SECRET_RE.match(secret):
        raise errors.bad_request("secret token contains unallowed characters")
    max_connections = p.get_int("max_connections", 40) or 40
    if not 1 <= max_connections <= 100:
        raise errors.bad_request("bad webhook: max_connections must be between 1 and 100")
    allowed = _allowed_updates(p)
    if p.get_bool("drop_pending_updates"):
        sb.updates.drop_pending()
    sb.updates.set_allowed_updates(allowed)
    sb.updates.interrupt_polls("terminated by setWebhook request")
    sb.webhook.configure(
        WebhookConfig(
            url=url,
            secret_token=secret,
            max_connections=max_connections,
            allowed_updates=allowed,
            ip_address=p.get_str("ip_address"),
        )
    )
    return Described(True, "Webhook was set")


async def delete_webhook(sb: Sandbox, p: Params) -> Described:
    """deleteWebhook (optionally dropping pending updates)."""
    was_set = sb.webhook.active
    if p.get_bool("drop_pending_updates"):
        sb.updates.drop_pending()
    await sb.webhook.clear()
    return Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")


async def get_webhook_info(sb: Sandbox, p: Params) -> dict[str, Any]:
    """getWebhookInfo."""
    return sb.webhook.info()
