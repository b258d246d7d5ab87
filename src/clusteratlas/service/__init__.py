"""Use cases shared by every front end (CLI, API, web)."""

from clusteratlas.service.atlas import Atlas, open_atlas

__all__ = ["Atlas", "open_atlas"]
