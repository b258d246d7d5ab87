"""Public answers computed once per data state, not once per request (issue 17.3).

Every public page and API answer is a function of the request and of the data state:
the atlas snapshot (statistics, read at start-up) and the registry's state token
(:meth:`~clusteratlas.registry.store.RegistryStore.state_token`, which changes with
every change of an initiative, by whichever process).  :class:`ResponseCache` keeps
the answers to anonymous ``GET`` requests under that key and replays them; a new
snapshot or a new registry state empties it.

What is never kept: requests with credentials (an ``Authorization`` header or the
session cookie), conditional requests (``If-None-Match``, ``If-Modified-Since``: the
app may answer 304), answers other than 200, answers that set a cookie, and anything
outside the public pages, APIs and static files (:data:`PUBLIC`).  The cache is
bounded (entries and bytes, least recently used first out), so that memory stays flat
however many different URLs are asked for.

Telling the data state costs a thread hand-off and a query only when something was
committed to the registry: before that, ``known`` (SQLite's data version, read on the
event loop in microseconds) says the snapshot is current, so a kept answer is replayed
without leaving the event loop.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from anyio import to_thread

from clusteratlas.http.deps import SESSION_COOKIE

__all__ = ["PUBLIC", "ResponseCache"]

#: path prefixes of the public pages and APIs whose answers may be kept ("/" exactly)
PUBLIC = ("/regions", "/categories", "/compare", "/search", "/initiatives", "/briefing/",
          "/api/regions", "/api/map", "/api/categories", "/api/compare", "/api/search",
          "/api/autocorrelation", "/api/alignment", "/api/initiatives", "/static/")
# request headers that do not change an answer (everything else is part of the key)
_IGNORED = {b"connection", b"user-agent", b"cache-control", b"pragma", b"referer",
            b"upgrade-insecure-requests", b"dnt", b"priority", b"keep-alive"}
# a conditional request goes to the app, which may answer 304 Not Modified (the static
# files do) where a kept answer would be the whole body again
_CONDITIONAL = {b"if-none-match", b"if-modified-since"}

Scope = dict[str, Any]
Message = dict[str, Any]


def _public(path: str) -> bool:
    if path == "/":
        return True
    return "/edit" not in path and any(
        path == p.rstrip("/") or path.startswith(p.rstrip("/") + "/") for p in PUBLIC)


class ResponseCache:
    """ASGI middleware: replay kept answers of anonymous ``GET`` requests.

    ``state`` returns the current data state (called, off the event loop, before each
    cacheable request; it also brings the snapshot up to the registry's state); an
    answer is kept for the state it was computed in.  ``known``, if given, is asked
    first, on the event loop: the data state when it can tell it without I/O worth a
    thread (e.g. nothing committed to the registry since), else None."""

    def __init__(self, app: Any, state: Callable[[Any], object] | None = None,
                 max_entries: int = 2048, max_bytes: int = 64 << 20,
                 known: Callable[[Any], object | None] | None = None) -> None:
        self.app = app
        self.state = state
        self.known = known
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._kept: OrderedDict[tuple[Any, ...], tuple[Message, bytes]] = OrderedDict()
        self._bytes = 0
        self._of: object = None

    def _cacheable(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "GET" or not _public(scope["path"]):
            return False
        for name, value in scope["headers"]:
            if name == b"authorization":
                return False
            if name == b"cookie" and SESSION_COOKIE.encode() in value:
                return False
            if name in _CONDITIONAL:
                return False
        return True

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if self.state is None or not self._cacheable(scope):
            await self.app(scope, receive, send)
            return
        # the hand-off to a thread costs more than replaying a kept answer: only when
        # the cheap look cannot tell
        state = self.known(scope.get("app")) if self.known is not None else None
        if state is None:
            state = await to_thread.run_sync(self.state, scope.get("app"))
        if state is not self._of:  # a new data state: nothing kept is right any more
            self._kept.clear()
            self._bytes = 0
            self._of = state
        key = (scope["path"], scope.get("query_string", b""), scope.get("scheme"),
               tuple(sorted((n, v) for n, v in scope["headers"] if n not in _IGNORED)))
        hit = self._kept.get(key)
        if hit is not None:
            self._kept.move_to_end(key)
            start, body = hit
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        parts: list[bytes] = []
        started: list[Message] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.append(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._store(key, state, started, parts)
            await send(message)

        await self.app(scope, receive, keep)

    def _store(self, key: tuple[Any, ...], state: object, started: list[Message],
               parts: list[bytes]) -> None:
        if not started or started[0]["status"] != 200 or state is not self._of:
            return
        if any(name.lower() == b"set-cookie" for name, _ in started[0].get("headers", [])):
            return
        body = b"".join(parts)
        if len(body) > self.max_bytes // 16:
            return
        if key in self._kept:  # two requests computed it at once
            self._bytes -= len(self._kept.pop(key)[1])
        self._kept[key] = (dict(started[0]), body)
        self._bytes += len(body)
        while len(self._kept) > self.max_entries or self._bytes > self.max_bytes:
            _, (_, old) = self._kept.popitem(last=False)
            self._bytes -= len(old)
