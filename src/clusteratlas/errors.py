"""One exception hierarchy for Clusteratlas, plus warning classes.

::

    ClusteratlasError(Exception)
    ├── InputError(ValueError)              bad value, shape, code or alignment
    │   ├── SchemaError(InputError)         missing or mistyped columns / fields
    │   └── UnknownCodeError(InputError)    a region, industry or category code not known
    │   └── FindingsError(InputError)       a report fails its plausibility checks
    ├── NotFoundError(LookupError)          a requested object does not exist (HTTP 404)
    ├── AccessError(PermissionError)        not signed in (401) or not allowed (403)
    │   └── RateLimitError(AccessError)     too many failed sign-ins (429)
    ├── ConflictError(ClusteratlasError)    a write based on a stale version (409/412/428)
    ├── ConfigError(ValueError)             an option or setting is invalid
    ├── SourceError(ClusteratlasError)      a source file could not be read or parsed
    ├── StoreError(OSError)                 the data directory is missing, corrupt or locked
    └── EngineError(ClusteratlasError)
        └── MissingDependency(ImportError)  an optional extra is not installed
    ClusteratlasWarning(UserWarning) → DegenerateDataWarning, MethodologyWarning

Every class subclasses a built-in as well, so callers may catch either ours or
Python's (the pattern ibis uses).  Each class carries the HTTP status the API maps it to.
"""

from __future__ import annotations

__all__ = [
    "AccessError",
    "ClusteratlasError",
    "ClusteratlasWarning",
    "ConfigError",
    "ConflictError",
    "DegenerateDataWarning",
    "EngineError",
    "FindingsError",
    "InputError",
    "MethodologyWarning",
    "MissingDependency",
    "NotFoundError",
    "RateLimitError",
    "SchemaError",
    "SourceError",
    "StoreError",
    "UnknownCodeError",
]


class ClusteratlasError(Exception):
    """Base class of every error Clusteratlas raises on purpose."""

    http_status: int = 500

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else type(self).__name__


class InputError(ValueError, ClusteratlasError):
    """A value, shape or code given by the user is not acceptable."""

    http_status = 400


class SchemaError(InputError):
    """Columns or fields are missing or have the wrong type."""


class UnknownCodeError(InputError):
    """A region, industry or category code is not in the register it must come from."""


class FindingsError(InputError):
    """Field-level problems (``findings``: dicts with level, field, message)."""

    def __init__(self, message: str, findings: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.findings = findings


class AccessError(PermissionError, ClusteratlasError):
    """Not signed in (401) or signed in without the right to do this (403)."""

    http_status = 403

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.http_status = status


class RateLimitError(AccessError):
    """Too many failed sign-ins from this address or for this name."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 429)


class ConflictError(ClusteratlasError):
    """A write that does not name the current version (412), names none (428), or
    collides with existing data (409); ``current`` is the version it must name."""

    http_status = 412

    def __init__(self, message: str, status: int = 412, current: int | None = None) -> None:
        super().__init__(message)
        self.http_status = status
        self.current = current


class NotFoundError(LookupError, ClusteratlasError):
    """A requested object (region, initiative, dataset) does not exist."""

    http_status = 404


class ConfigError(ValueError, ClusteratlasError):
    """An option or setting has a value that is not allowed."""

    http_status = 400


class SourceError(ClusteratlasError):
    """A source file could not be read or parsed."""

    http_status = 422


class StoreError(OSError, ClusteratlasError):
    """The data directory or one of its databases is missing, corrupt or locked."""

    http_status = 503


class EngineError(ClusteratlasError):
    """A computation engine could not run."""


class MissingDependency(ImportError, EngineError):
    """An optional dependency is not installed; the message names the install command."""


class ClusteratlasWarning(UserWarning):
    """Base class of Clusteratlas warnings."""


class DegenerateDataWarning(ClusteratlasWarning):
    """The data make a statistic undefined (NaN is then the honest answer)."""


class MethodologyWarning(ClusteratlasWarning):
    """A result rests on an approximation the user should know about."""
