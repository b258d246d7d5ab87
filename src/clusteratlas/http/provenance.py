"""Where the data of a response comes from: the registry's provenance note, and the
``X-Clusteratlas-Synthetic`` header on every response while the atlas shows demo data."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Scope

from clusteratlas.http.security import ResponseHeaders

__all__ = ["PROVENANCE", "SyntheticHeader"]

PROVENANCE: list[dict[str, Any]] = [
    {"id": "registry", "title": "Cluster initiative registry",
     "source": "public web pages (each initiative lists its sources) and the "
               "initiatives' own reports", "synthetic": False}]


def _mark_synthetic(headers: MutableHeaders, scope: Scope) -> None:
    atlas = getattr(scope["app"].state, "atlas", None)
    if atlas is not None:
        headers["X-Clusteratlas-Synthetic"] = "true" if atlas.is_synthetic else "false"


class SyntheticHeader(ResponseHeaders):
    """ASGI middleware: ``X-Clusteratlas-Synthetic: true|false`` once the atlas is open."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app, _mark_synthetic)
