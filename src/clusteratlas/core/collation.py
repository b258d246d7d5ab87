"""Sorting names the way a reader expects: case-insensitive, accents beside their base
letter (German dictionary order: "Ärzte" with "Arzt", "ß" as "ss").  Pure Python, so the
order does not depend on the server's locale."""

from __future__ import annotations

import unicodedata

__all__ = ["collation_key"]


def collation_key(text: str) -> tuple[str, str, str]:
    """A sort key for ``text``.

    Parameters
    ----------
    text : str
        A name.

    Returns
    -------
    tuple of str
        The base letters case-folded, then the case-folded text (accents break ties),
        then the text itself (so equal keys mean equal names).
    """
    folded = unicodedata.normalize("NFKD", text.casefold())
    base = "".join(c for c in folded if not unicodedata.combining(c))
    return base, text.casefold(), text
