"""Where the data of a response comes from: the registry's provenance note, and the
``X-Clusteratlas-Synthetic`` header on every response while the atlas shows demo data."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["PROVENANCE", "SyntheticHeader"]

PROVENANCE: list[dict[str, Any]] = [
    {"title": "Cluster initiative registry",
     "source": "public web pages (each initiative lists its sources) and the "
               "initiatives' own reports", "synthetic": False}]


class SyntheticHeader:
    """ASGI middleware: ``X-Clusteratlas-Synthetic: true|false`` once the atlas is open."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                atlas = getattr(scope["app"].state, "atlas", None)
                if atlas is not None:
                    MutableHeaders(scope=message)["X-Clusteratlas-Synthetic"] = (
                        "true" if atlas.is_synthetic else "false")
            await send(message)

        await self.app(scope, receive, send_marked)
