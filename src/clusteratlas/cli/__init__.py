"""The ``clusteratlas`` command: a thin layer over the service."""

from clusteratlas.cli.main import app, main

__all__ = ["app", "main"]
