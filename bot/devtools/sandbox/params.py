"""Bot API request parameters, whichever way the client sent them.

python-telegram-bot sends form fields whose non-string values are JSON-encoded (``"123"``,
``"true"``, a JSON string for ``reply_markup``) or multipart/form-data when uploading; other
tools send a JSON body or a query string. Telegram accepts all of these and coerces types, so
the method handlers read parameters only through :class:`Params`, which does the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.devtools.sandbox import errors

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str
    data: bytes


class Params:
    """Typed access to request parameters with Telegram's coercions."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.uploads = uploads or {}

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) is not None or name in self.uploads

    def raw(self, name: str) -> Any:
        """The value as received (string from forms, typed from JSON)."""
        return self.values.get(name)

    def get_str(self, name: str) -> str | None:
        """A string parameter; numbers and booleans are converted like Telegram does."""
        value = self.values.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value)

    def get_int(self, name: str, default: int | None = None) -> int | None:
        """An integer parameter; refuses values that are not integers."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise errors.bad_request(f"invalid {name} specified")

    def get_float(self, name: str, default: float | None = None) -> float | None:
        """A number parameter."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise errors.bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        """A boolean parameter (``true``/``false``, ``1``/``0``)."""
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return bool(value)
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise errors.bad_request(f"invalid {name} specified")

    def get_json(self, name: str) -> Any:
        """A JSON-serialised parameter: objects/arrays as-is, strings decoded.

        Raises :class:`ValueError` on malformed JSON so each method can answer with the
        description Telegram uses for that parameter.
        """
        value = self.values.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            return json.loads(value)
        return value

    def file_ref(self, name: str) -> Upload | str | None:
        """A file parameter: an uploaded part (direct or ``attach://``), or a file_id/URL."""
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = self.uploads.get(value[len("attach://") :])
            if upload is None:
                raise errors.bad_request(f'can\'t find attached file "{value[9:]}"')
            return upload
        if name in self.uploads:
            return self.uploads[name]
        if value is None or value == "":
            return None
        return self.get_str(name)


async def read_params(request: web.Request) -> Params:
    """Collect query-string, form, multipart or JSON body parameters into :class:`Params`."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method == "POST" and request.can_read_body:
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise errors.bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise errors.bad_request("can't parse JSON request body")
            values.update(body)
        elif content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            form = await request.post()
            for key in form:
                item = form.getone(key)
                if isinstance(item, web.FileField):
                    uploads[key] = Upload(
                        field=key,
                        filename=item.filename,
                        content_type=item.content_type,
                        data=item.file.read(),
                    )
                else:
                    values[key] = item if isinstance(item, str) else bytes(item).decode()
    return Params(values, uploads)
