"""Benchmark weights as callers write them: ``indicator:number``."""

from __future__ import annotations

from clusteratlas.errors import InputError

__all__ = ["parse_weights"]


def parse_weights(items: list[str] | None) -> dict[str, float] | None:
    """``["members:2", "events:0.5"]`` → ``{"members": 2.0, "events": 0.5}``; ``None``
    (the default weights) when nothing is given."""
    if not items:
        return None
    out = {}
    for item in items:
        name, sep, value = item.partition(":")
        try:
            out[name] = float(value)
        except ValueError:
            raise InputError(f"weight {item!r}: expected indicator:number") from None
        if not sep:
            raise InputError(f"weight {item!r}: expected indicator:number")
    return out
