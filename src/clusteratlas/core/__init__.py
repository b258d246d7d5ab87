"""Pure analytics: arrays and frames in, results out.  No files, SQL, HTTP or global state.

Submodules are imported on first use, so that a command needing one indicator does not
pay for loading all of them.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "location_quotient": "concentration",
    "share_of_category": "concentration",
    "share_of_region": "concentration",
    "hoover_localisation": "concentration",
    "locational_gini": "concentration",
    "krugman_specialisation": "concentration",
    "herfindahl": "concentration",
    "ellison_glaeser": "concentration",
    "coagglomeration": "concentration",
    "hex_tile_layout": "tilemap",
    "StarRules": "stars",
    "StrongRule": "stars",
    "shift_share": "shiftshare",
    "ShiftShare": "shiftshare",
    "SpatialAutocorrelation": "autocorrelation",
    "spatial_autocorrelation": "autocorrelation",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'clusteratlas.core' has no attribute {name!r}")
    return getattr(importlib.import_module(f"clusteratlas.core.{module}"), name)


def __dir__() -> list[str]:
    return __all__
