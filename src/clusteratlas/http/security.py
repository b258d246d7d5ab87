"""Security headers on every response: a Content-Security-Policy that allows the
app's own scripts and styles only (no inline script, no inline style, no third
party), no MIME sniffing, no framing, and a same-origin referrer."""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BRIEFING_POLICY", "PAGE_POLICY", "ResponseHeaders", "SecurityHeaders",
           "add_security_headers"]

PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
               # PNG downloads draw the chart from a data: URL onto a canvas
               "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
               "form-action 'self'; frame-ancestors 'none'")
# A briefing (/briefing/….html) is a self-contained document to download and
# keep: its own inline CSS and SVG, no script and no other resource at all.
BRIEFING_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                   "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
_BRIEFINGS = "/briefing/"
_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def add_security_headers(headers: MutableHeaders, path: str) -> None:
    """Set the headers a response to ``path`` needs (those already set are kept)."""
    policy = BRIEFING_POLICY if path.startswith(_BRIEFINGS) else PAGE_POLICY
    headers.setdefault("Content-Security-Policy", policy)
    for name, value in _HEADERS.items():
        headers.setdefault(name, value)


class ResponseHeaders:
    """ASGI middleware that lets ``add(headers, scope)`` set headers on every HTTP
    response as it starts (the one mechanism behind the app's header middleware)."""

    def __init__(self, app: ASGIApp, add: Callable[[MutableHeaders, Scope], None]) -> None:
        self.app = app
        self.add = add

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.add(MutableHeaders(scope=message), scope)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SecurityHeaders(ResponseHeaders):
    """ASGI middleware adding the headers (a header a route set itself is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app, lambda headers, scope: add_security_headers(headers, scope["path"]))
