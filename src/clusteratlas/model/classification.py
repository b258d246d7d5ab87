"""Industry classifications (WZ 2008, NACE Rev. 2, NAICS …) and concordances."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from clusteratlas.errors import InputError, NotFoundError, UnknownCodeError

__all__ = ["Classification", "Concordance", "Industry"]


@dataclass(frozen=True, slots=True)
class Industry:
    """One code of a classification.

    Parameters
    ----------
    code
        The official code as a string (``"25.94"``, ``"C"``, ``"336411"``).
    level
        Name of its level (``"section"``, ``"division"``, ``"group"``, ``"class"``,
        ``"subclass"`` for WZ 2008).
    parent
        Code of the parent, ``None`` at the top level.
    title_en, title_de
        Official titles; ``title_de`` may be ``None`` for non-German classifications.
    """

    code: str
    level: str
    parent: str | None
    title_en: str
    title_de: str | None = None

    def title(self, lang: str = "de") -> str:
        return (self.title_de or self.title_en) if lang == "de" else self.title_en


class Classification(Mapping[str, Industry]):
    """An immutable, validated classification hierarchy.

    Codes are unique, every parent exists, and levels are ordered from the top
    (``levels[0]``) down.  Ancestor and descendant queries follow the parent chain,
    not string prefixes, so sections (letters above numeric divisions) work too.

    Parameters
    ----------
    name
        Short identifier, e.g. ``"wz2008"``.
    industries
        All codes of the classification.
    levels
        Level names from the top down.
    source
        Citation of the official source of codes and titles.
    """

    __slots__ = ("_children", "_depth", "_items", "levels", "name", "source")

    def __init__(
        self,
        name: str,
        industries: Iterable[Industry],
        *,
        levels: Iterable[str],
        source: str = "",
    ) -> None:
        self.name = name
        self.levels = tuple(levels)
        self.source = source
        items: dict[str, Industry] = {}
        for ind in industries:
            if ind.code in items:
                raise InputError(f"{name}: industry code {ind.code!r} occurs twice")
            if ind.level not in self.levels:
                raise InputError(
                    f"{name}: code {ind.code!r} has level {ind.level!r}, "
                    f"expected one of {', '.join(self.levels)}"
                )
            items[ind.code] = ind
        children: dict[str | None, list[str]] = {}
        for ind in items.values():
            if ind.parent is not None and ind.parent not in items:
                raise UnknownCodeError(
                    f"{name}: parent {ind.parent!r} of code {ind.code!r} is not in the classification"
                )
            children.setdefault(ind.parent, []).append(ind.code)
        self._items = items
        self._children = {k: tuple(v) for k, v in children.items()}
        self._depth = MappingProxyType({lvl: i for i, lvl in enumerate(self.levels)})

    def __getitem__(self, code: str) -> Industry:
        try:
            return self._items[code]
        except KeyError:
            raise UnknownCodeError(
                f"industry code {code!r} is not in classification {self.name}"
            ) from None

    def __contains__(self, code: object) -> bool:
        return code in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        counts = ", ".join(f"{len(self.at_level(lvl))} {lvl}" for lvl in self.levels)
        return f"<Classification {self.name}: {counts}>"

    def at_level(self, level: str) -> list[Industry]:
        if level not in self._depth:
            raise InputError(
                f"level {level!r} is not one of {', '.join(self.levels)} in {self.name}"
            )
        return [ind for ind in self._items.values() if ind.level == level]

    def depth(self, code: str) -> int:
        """0 for the top level, 1 below it, …"""
        return self._depth[self[code].level]

    def children(self, code: str | None) -> tuple[str, ...]:
        """Direct children of ``code`` (``None`` gives the top level)."""
        if code is not None:
            self[code]
        return self._children.get(code, ())

    def ancestors(self, code: str) -> list[str]:
        """Codes from the parent up to the top."""
        chain: list[str] = []
        parent = self[code].parent
        while parent is not None:
            chain.append(parent)
            parent = self._items[parent].parent
        return chain

    def is_within(self, code: str, container: str) -> bool:
        """True when ``code`` equals ``container`` or lies below it."""
        return code == container or container in self.ancestors(code)

    def leaves_under(self, code: str) -> list[str]:
        """All lowest-level codes below (or equal to) ``code``."""
        stack, leaves = [code], []
        while stack:
            current = stack.pop()
            kids = self._children.get(current, ())
            if kids:
                stack.extend(reversed(kids))
            else:
                leaves.append(current)
        return leaves

    def resolving_partition(self, codes: Iterable[str], *, base_level: str) -> list[str]:
        """The coarsest set of disjoint codes that covers the classification at
        ``base_level`` and resolves every code in ``codes``.

        Starting from all codes at ``base_level``, each node on the path down to a
        requested finer code is replaced by its children, so that the finer code
        becomes a member of the partition.  Used to build panels that are coarse
        where nothing finer is needed.
        """
        base_depth = self._depth[base_level]
        split: set[str] = set()
        for code in codes:
            if self.depth(code) <= base_depth:
                continue
            split.update(a for a in self.ancestors(code) if self.depth(a) >= base_depth)
        out: list[str] = []

        def walk(code: str) -> None:
            if code in split:
                for child in self._children.get(code, ()):
                    walk(child)
            else:
                out.append(code)

        for ind in self.at_level(base_level):
            walk(ind.code)
        return out


@dataclass(frozen=True, slots=True)
class Concordance:
    """A weighted mapping between two classifications (e.g. NAICS 2012 → NAICS 2017).

    ``links`` maps each source code to ``(target code, weight)`` pairs; the weights
    of one source code sum to 1 (employment is split in those proportions).
    """

    source: str
    target: str
    links: Mapping[str, tuple[tuple[str, float], ...]]

    def __post_init__(self) -> None:
        for code, targets in self.links.items():
            if not targets:
                raise InputError(f"concordance {self.source}→{self.target}: {code!r} has no target")
            total = sum(w for _, w in targets)
            if any(w < 0 for _, w in targets) or abs(total - 1.0) > 1e-9:
                raise InputError(
                    f"concordance {self.source}→{self.target}: weights of {code!r} must be "
                    f"non-negative and sum to 1, got {total:g}"
                )

    def targets(self, code: str) -> tuple[tuple[str, float], ...]:
        try:
            return self.links[code]
        except KeyError:
            raise NotFoundError(
                f"code {code!r} is not in concordance {self.source}→{self.target}"
            ) from None
