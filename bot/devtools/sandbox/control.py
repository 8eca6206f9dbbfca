"""The JSON control API under ``/sandbox``: the phones and knobs for other processes.

A demo script or a load generator running in another process plays users and turns knobs
through this API; it is a thin layer over the Python API so both behave the same.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from bot.devtools.sandbox.phones import Phone
    from bot.devtools.sandbox.sandbox import Sandbox

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_EVENTS_WAIT = 60.0


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        status=status,
        content_type="application/json",
    )


def _fail(status: int, message: str) -> web.Response:
    return _json({"ok": False, "error": message}, status)


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="body must be JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="body must be a JSON object")
    return body


def _guard(handler: Handler) -> Handler:
    """Turn lookup/value errors into JSON 404/400 answers."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except LookupError as exc:
            return _fail(404, str(exc.args[0] if exc.args else exc))
        except (ValueError, TypeError) as exc:
            return _fail(400, str(exc))

    return wrapped


class ControlApi:
    """Handlers; every one maps to a public Python call."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sb = sandbox

    def _phone(self, request: web.Request) -> Phone:
        return self.sb.user(int(request.match_info["id"]))

    async def create_user(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        phone = self.sb.user(
            int(request.match_info["id"]),
            first_name=body.get("first_name"),
            language_code=body.get("language_code"),
            last_name=body.get("last_name"),
            username=body.get("username"),
        )
        return _json({"ok": True, "user": phone.user.to_api(), "started": phone.started})

    async def get_user(self, request: web.Request) -> web.StreamResponse:
        phone = self.sb.phone(int(request.match_info["id"]))
        return _json(
            {
                "ok": True,
                "user": phone.user.to_api(),
                "started": phone.started,
                "blocked": phone.blocked,
                "event_count": len(phone.chat.events),
                "commands": phone.commands,
            }
        )

    async def text(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        update = await self._phone(request).send_text(str(body["text"]))
        return _json({"ok": True, "update": update})

    async def command(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        phone = self._phone(request)
        update = await phone.send_command(str(body["command"]), str(body.get("args", "")))
        return _json({"ok": True, "update": update})

    async def start(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        update = await self._phone(request).start(body.get("payload"))
        return _json({"ok": True, "update": update})

    async def press(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        update = await self._phone(request).press(
            body.get("text"), data=body.get("data"), message_id=body.get("message_id")
        )
        return _json({"ok": True, "update": update})

    async def press_data(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        update = await self._phone(request).press_data(
            str(body["data"]), message_id=body.get("message_id")
        )
        return _json({"ok": True, "update": update})

    async def voice(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        update = await self._phone(request).send_voice(int(body.get("duration", 5)))
        return _json({"ok": True, "update": update})

    async def document(self, request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        update = await self._phone(request).send_document(
            base64.b64decode(body.get("data_base64", "")) or b"sandbox\n",
            filename=str(body.get("filename", "document.txt")),
            mime_type=body.get("mime_type"),
            caption=body.get("caption"),
        )
        return _json({"ok": True, "update": update})

    async def block(self, request: web.Request) -> web.StreamResponse:
        update = await self._phone(request).block()
        return _json({"ok": True, "update": update})

    async def unblock(self, request: web.Request) -> web.StreamResponse:
        update = await self._phone(request).unblock()
        return _json({"ok": True, "update": update})

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Long poll: events with index > ``after``, waiting up to ``timeout`` s for one."""
        chat = self.sb.state.chats.get(int(request.match_info["id"]))
        if chat is None:
            raise KeyError(f"no sandbox chat {request.match_info['id']}")
        after = int(request.query.get("after", "0"))
        timeout = min(MAX_EVENTS_WAIT, max(0.0, float(request.query.get("timeout", "0"))))
        kinds = [k for k in request.query.get("kinds", "").split(",") if k]
        loop = asyncio.get_running_loop()
        loop_deadline = loop.time() + timeout

        def found() -> list[Any]:
            return [e for e in chat.events[after:] if not kinds or e.kind in kinds]

        events = found()
        while not events:
            remaining = loop_deadline - loop.time()
            if remaining <= 0 or not await chat.notifier.wait(remaining):
                break
            events = found()
        return _json(
            {
                "ok": True,
                "events": [e.to_dict() for e in events],
                "last_index": len(chat.events),
            }
        )

    async def messages(self, request: web.Request) -> web.StreamResponse:
        chat = self.sb.state.chats.get(int(request.match_info["id"]))
        if chat is None:
            raise KeyError(f"no sandbox chat {request.match_info['id']}")
        return _json({"ok": True, "messages": [m.to_dict() for m in chat.bot_messages()]})

    async def transcript(self, request: web.Request) -> web.StreamResponse:
        times = request.query.get("times") in ("1", "true")
        text = self.sb.transcript(int(request.match_info["id"]), times=times)
        return web.Response(text=text, content_type="text/plain")

    async def stats(self, request: web.Request) -> web.StreamResponse:
        return _json({"ok": True, "stats": self.sb.stats.to_dict()})

    async def reset_stats(self, request: web.Request) -> web.StreamResponse:
        self.sb.reset_stats()
        return _json({"ok": True})

    async def faults(self, request: web.Request) -> web.StreamResponse:
        if request.method == "POST":
            self.sb.faults.update(await _body(request))
        return _json({"ok": True, "faults": self.sb.faults.to_dict()})

    async def limits(self, request: web.Request) -> web.StreamResponse:
        if request.method == "POST":
            self.sb.limits.update(**await _body(request))
        return _json({"ok": True, "limits": self.sb.limits.to_dict()})

    async def inject(self, request: web.Request) -> web.StreamResponse:
        update = await self.sb.inject(await _body(request))
        return _json({"ok": True, "update": update})

    async def redeliver(self, request: web.Request) -> web.StreamResponse:
        update = await self.sb.redeliver(int(request.match_info["update_id"]))
        return _json({"ok": True, "update": update})

    async def commands(self, request: web.Request) -> web.StreamResponse:
        scope: Any = request.query.get("scope") or None
        if scope and scope.startswith("{"):
            scope = json.loads(scope)
        commands = self.sb.commands(scope, request.query.get("language_code", ""))
        return _json({"ok": True, "commands": commands})

    async def webhook(self, request: web.Request) -> web.StreamResponse:
        return _json({"ok": True, "webhook": self.sb.webhook_info()})


def add_control_routes(app: web.Application, sandbox: Sandbox, prefix: str = "/sandbox") -> None:
    """Register the control API on ``app``."""
    api = ControlApi(sandbox)
    routes: list[tuple[str, str, Handler]] = [
        ("POST", "/users/{id}", api.create_user),
        ("GET", "/users/{id}", api.get_user),
        ("POST", "/users/{id}/text", api.text),
        ("POST", "/users/{id}/command", api.command),
        ("POST", "/users/{id}/start", api.start),
        ("POST", "/users/{id}/press", api.press),
        ("POST", "/users/{id}/press-data", api.press_data),
        ("POST", "/users/{id}/voice", api.voice),
        ("POST", "/users/{id}/document", api.document),
        ("POST", "/users/{id}/block", api.block),
        ("POST", "/users/{id}/unblock", api.unblock),
        ("GET", "/users/{id}/events", api.events),
        ("GET", "/users/{id}/messages", api.messages),
        ("GET", "/transcript/{id}", api.transcript),
        ("GET", "/stats", api.stats),
        ("POST", "/reset-stats", api.reset_stats),
        ("GET", "/faults", api.faults),
        ("POST", "/faults", api.faults),
        ("GET", "/limits", api.limits),
        ("POST", "/limits", api.limits),
        ("POST", "/inject", api.inject),
        ("POST", "/updates/{update_id}/redeliver", api.redeliver),
        ("GET", "/commands", api.commands),
        ("GET", "/webhook", api.webhook),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, prefix + path, _guard(handler))
