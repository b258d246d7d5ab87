"""The HTTP application: JSON API under /api and the server-rendered atlas pages."""

from clusteratlas.api.app import create_app

__all__ = ["create_app"]
