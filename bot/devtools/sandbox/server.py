"""The HTTP side: Bot API routing, file downloads, and fault injection.

Requests are answered exactly as Telegram would (status code + JSON body), because
python-telegram-bot picks its exception class from the status code; faults (latency, 502,
dropped connections, 429 storms) are applied here, before any processing, so a failed call
never changes state — the same guarantee Telegram gives.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.devtools.sandbox import errors
from bot.devtools.sandbox.api_common import Described
from bot.devtools.sandbox.control import add_control_routes
from bot.devtools.sandbox.files import MAX_UPLOAD_BYTES
from bot.devtools.sandbox.methods import METHODS, UNIMPLEMENTED
from bot.devtools.sandbox.params import read_params

if TYPE_CHECKING:
    from bot.devtools.sandbox.sandbox import Sandbox


def json_response(body: dict[str, Any], status: int = 200) -> web.Response:
    """UTF-8 JSON answer (non-ASCII kept readable, like Telegram's)."""
    return web.Response(
        body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        status=status,
        content_type="application/json",
    )


class BotApi:
    """Handlers for ``/bot<token>/<method>`` and ``/file/bot<token>/<path>``."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sb = sandbox

    def _error(self, status: int, description: str, reason: str | None = None) -> web.Response:
        self.sb.stats.record_error(status, description, reason)
        return json_response(
            {"ok": False, "error_code": status, "description": description}, status
        )

    async def _drop(self, request: web.Request) -> web.StreamResponse:
        """Close the connection without answering (the client sees a network error)."""
        transport = request.transport
        if transport is not None:
            transport.abort()
        # The handler is cancelled by aiohttp once the connection is gone; if not, end it.
        await asyncio.sleep(0.1)
        raise web.HTTPInternalServerError()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """One Bot API call."""
        sb = self.sb
        if request.match_info["token"] != sb.token:
            return self._error(401, "Unauthorized")
        name = request.match_info["method"].lower()
        spec = METHODS.get(name)
        if spec is None:
            if name in UNIMPLEMENTED:
                return self._error(
                    400,
                    f"Bad Request: the sandbox does not implement method "
                    f"{request.match_info['method']}",
                )
            return self._error(404, "Not Found")
        sb.stats.requests[spec.name] += 1
        faults = sb.faults
        if faults.latency > 0:
            await asyncio.sleep(faults.latency)
        if faults.roll_drop():
            sb.stats.dropped += 1
            return await self._drop(request)
        if faults.roll_error():
            return self._error(502, "Bad Gateway")
        try:
            if spec.produces_message:
                storm = faults.storm_retry_after()
                if storm is not None:
                    raise errors.too_many_requests(storm, "storm")
            params = await read_params(request)
            result = await spec.handler(sb, params)
        except errors.ApiError as exc:
            sb.stats.record_error(exc.status, exc.description, exc.reason)
            return json_response(exc.payload(), exc.status)
        except web.HTTPRequestEntityTooLarge:
            return self._error(413, "Request Entity Too Large")
        if spec.produces_message and faults.roll_lost_reply():
            sb.stats.dropped += 1
            return await self._drop(request)  # sent, but the bot never hears so
        if isinstance(result, Described):
            return json_response(
                {"ok": True, "result": result.result, "description": result.description}
            )
        return json_response({"ok": True, "result": result})

    async def download(self, request: web.Request) -> web.StreamResponse:
        """A file by the ``file_path`` getFile returned."""
        if request.match_info["token"] != self.sb.token:
            return json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )
        stored = self.sb.files.by_path(request.match_info["path"])
        if stored is None or stored.data is None:
            return json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )


async def _not_found(request: web.Request) -> web.StreamResponse:
    return json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)


def build_app(sandbox: Sandbox) -> web.Application:
    """The aiohttp application serving the Bot API, files and the control API."""
    app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
    api = BotApi(sandbox)
    app.router.add_route("*", "/bot{token}/{method}", api.handle)
    app.router.add_route("*", "/bot{token}/", _not_found)
    app.router.add_get("/file/bot{token}/{path:.+}", api.download)
    add_control_routes(app, sandbox)
    return app
