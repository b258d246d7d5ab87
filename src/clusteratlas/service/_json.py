"""Plain JSON values out of numpy and pandas ones."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["json_number"]


def json_number(value: Any) -> float | None:
    """JSON-safe number: missing values, NaN and infinities become ``None``."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None
