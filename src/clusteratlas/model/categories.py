"""Cluster categories: named, versioned sets of industry codes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from clusteratlas.errors import InputError, NotFoundError, UnknownCodeError
from clusteratlas.model.classification import Classification

__all__ = ["CategorySet", "ClusterCategory"]

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")
#: WZ / NACE section codes and section groups as official tables publish them
#: ("C", "G-I"); "_" joins the sections of a residual derived from them ("B_D_E")
_SECTION = re.compile(r"^[A-U](?:[-_][A-U])*$")


@dataclass(frozen=True, slots=True)
class ClusterCategory:
    """A cluster category (an *agglomeration* type, not an initiative).

    Parameters
    ----------
    code
        Stable identifier (``"medical_technology"``); numeric strings are allowed
        for schemes such as US Cluster Mapping (``"1"`` … ``"51"``).
    name_de, name_en
        Display names.
    include
        Industry codes whose employment belongs to the category; a code includes
        everything below it in the classification.
    exclude
        Codes below an included code that are taken out again.
    description, description_de
        How the category was delimited and where it approximates (English, German).
    group
        A broader field used to group categories in lists (``"mobility"``).
    """

    code: str
    name_de: str
    name_en: str
    include: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    description: str = ""
    group: str = ""
    description_de: str = ""

    def __post_init__(self) -> None:
        if not (_SLUG.match(self.code) or self.code.isdigit() or _SECTION.match(self.code)):
            raise InputError(
                f"category code {self.code!r} is not valid: use lower-case letters, digits and '_'"
            )
        if not self.include:
            raise InputError(f"category {self.code!r} includes no industry codes")
        object.__setattr__(self, "include", tuple(self.include))
        object.__setattr__(self, "exclude", tuple(self.exclude))

    def name(self, lang: str = "de") -> str:
        return self.name_de if lang == "de" else self.name_en

    def describe(self, lang: str = "de") -> str:
        return (self.description_de or self.description) if lang == "de" else self.description


@dataclass(frozen=True)
class CategorySet(Mapping[str, ClusterCategory]):
    """A named, versioned set of cluster categories over one classification.

    Parameters
    ----------
    name, version
        Identify the set (``"clusteratlas-wz2008"``, ``"2026.1"``).
    classification
        Name of the classification its codes come from (``"wz2008"``).
    categories
        The categories, in display order.
    source
        Where the delimitation comes from.
    """

    name: str
    version: str
    classification: str
    categories: Sequence[ClusterCategory]
    source: str = ""
    _by_code: dict[str, ClusterCategory] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code: dict[str, ClusterCategory] = {}
        for cat in self.categories:
            if cat.code in by_code:
                raise InputError(f"category set {self.name}: category {cat.code!r} occurs twice")
            by_code[cat.code] = cat
        object.__setattr__(self, "categories", tuple(self.categories))
        object.__setattr__(self, "_by_code", by_code)

    def __getitem__(self, code: str) -> ClusterCategory:
        try:
            return self._by_code[code]
        except KeyError:
            raise NotFoundError(
                f"category {code!r} is not in category set {self.name} "
                f"(known: {', '.join(self._by_code)})"
            ) from None

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_code)

    def __len__(self) -> int:
        return len(self._by_code)

    def __hash__(self) -> int:
        return hash((self.name, self.version))

    def validate_against(self, classification: Classification) -> None:
        """Raise :class:`UnknownCodeError` for any code not in ``classification``,
        and :class:`InputError` for an exclusion that lies outside every inclusion."""
        for cat in self.categories:
            for code in (*cat.include, *cat.exclude):
                if code not in classification:
                    raise UnknownCodeError(
                        f"category {cat.code!r}: industry code {code!r} is not in "
                        f"{classification.name}"
                    )
            for code in cat.exclude:
                if not any(classification.is_within(code, inc) for inc in cat.include):
                    raise InputError(
                        f"category {cat.code!r}: excluded code {code!r} is not below any "
                        "included code"
                    )

    def all_codes(self) -> set[str]:
        return {c for cat in self.categories for c in (*cat.include, *cat.exclude)}

    def membership(
        self, classification: Classification, industries: Iterable[str]
    ) -> dict[str, list[str]]:
        """Map each panel industry code to the categories it belongs to.

        A panel code belongs to a category when it lies within an included code and
        neither lies within nor contains an excluded one.  A panel code *coarser*
        than a category code cannot be split and therefore belongs to none; :meth:`unresolved` lists
        those cases so that they are reported rather than silently dropped.
        """
        out: dict[str, list[str]] = {}
        for ind in industries:
            cats = [
                cat.code
                for cat in self.categories
                if any(classification.is_within(ind, inc) for inc in cat.include)
                and not any(
                    classification.is_within(ind, exc) or classification.is_within(exc, ind)
                    for exc in cat.exclude
                )
            ]
            out[ind] = cats
        return out

    def unresolved(self, classification: Classification, industries: Iterable[str]) -> list[str]:
        """Category codes that the panel's industries are too coarse to measure."""
        present = set(industries)
        missing = []
        for cat in self.categories:
            for inc in cat.include:
                covered = inc in present or any(
                    classification.is_within(ind, inc) for ind in present
                )
                if not covered:
                    missing.append(f"{cat.code}:{inc}")
            for exc in cat.exclude:
                if any(classification.is_within(exc, ind) and exc != ind for ind in present):
                    missing.append(f"{cat.code}:-{exc}")
        return missing
