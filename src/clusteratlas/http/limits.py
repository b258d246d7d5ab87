"""Request body limits, enforced before a route parses anything.

A declared ``Content-Length`` over the limit is refused at once (413, the body is
never read); a body without one (chunked) is counted while the route reads it, and
reading stops with 413 at the first byte over.  The registry import takes whole
exports; every other request is small.
"""

from __future__ import annotations

import json

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clusteratlas.http.errors import error_body

__all__ = ["IMPORT_LIMIT", "LIMIT", "BodyLimit", "limit_for"]

LIMIT = 1024 * 1024
IMPORT_LIMIT = 20 * 1024 * 1024
_LARGE = {"/api/registry/import": IMPORT_LIMIT}


def limit_for(path: str) -> int:
    """The most bytes a request body to ``path`` may have."""
    return _LARGE.get(path.rstrip("/"), LIMIT)


def _too_large(limit: int) -> str:
    return f"the request body is larger than {limit // 1024:,} KiB"


class BodyLimit:
    """ASGI middleware: refuse request bodies over :func:`limit_for` with 413."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await _refuse(send, 400, "Content-Length is not a number")
                return
            if size > limit:
                await _refuse(send, 413, _too_large(limit))
                return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # FastAPI passes its HTTPException through body parsing; the
                    # error handlers turn it into the JSON (or HTML) error shape
                    raise HTTPException(413, _too_large(limit))
            return message

        await self.app(scope, counted, send)


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps(error_body(status, message)).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
