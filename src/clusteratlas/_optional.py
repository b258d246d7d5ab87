"""Import optional dependencies with an error that names the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from clusteratlas.errors import MissingDependency

__all__ = ["import_optional"]


def import_optional(module: str, *, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependency` with the install command."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependency(
            f"{purpose} needs the optional package {module.split('.')[0]!r}; "
            f"install it with: pip install 'clusteratlas[{extra}]'"
        ) from None
