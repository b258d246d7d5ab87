"""The atlas snapshot: what one data directory holds, read once, never changed."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import pandas as pd

from clusteratlas import reference
from clusteratlas.errors import InputError, NotFoundError
from clusteratlas.model.categories import CategorySet, ClusterCategory
from clusteratlas.model.panel import TOTAL_CODE, Panel
from clusteratlas.model.regions import Region, Regions
from clusteratlas.registry.access import visible_record
from clusteratlas.registry.auth import ANONYMOUS, Actor
from clusteratlas.registry.store import InitiativeRecord, RegistryStore
from clusteratlas.service import snapshot
from clusteratlas.service.mapping import MappingOptions, map_panel
from clusteratlas.store.datadir import DataDir
from clusteratlas.store.stats import DatasetInfo, StatsStore

__all__ = ["Atlas", "open_atlas"]


def _regions_from_frame(frame: pd.DataFrame) -> Regions:
    def clean(v: Any) -> Any:
        return None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else v

    records = []
    for row in frame.to_dict("records"):
        records.append(
            Region(
                code=row["code"], name=row["name"], level=row["level"],
                parent=clean(row["parent"]),
                vintage=int(row["vintage"]) if clean(row["vintage"]) is not None else None,
                kind=clean(row["kind"]),
                population=int(row["population"]) if clean(row["population"]) is not None else None,
                alt_codes=json.loads(row["alt_codes"]), groupings=json.loads(row["groupings"]),
                lon=clean(row["lon"]), lat=clean(row["lat"]),
                abbreviation=clean(row.get("abbreviation")),
            )
        )
    return Regions(records)


def category_indicators(panel: Panel, categories: CategorySet,
                        options: MappingOptions | None = None) -> pd.DataFrame:
    """Every mapping indicator per region × category × year: :func:`map_panel`'s cell
    table with plain codes (the web keeps no pipeline of its own).

    Region totals :math:`E_r` are the published ``TOTAL`` rows where present (they
    stay right when single industries are suppressed), otherwise the sum of the
    known cells.  The reference area is ``options.reference`` if given, otherwise
    the regions of the panel.  A region, category and year without a row in the
    panel has no row here either: the pages show it as "no data", never as LQ 0.
    """
    result = map_panel(panel, categories, options)
    cells = result.cells
    return cells.assign(region=cells["region"].astype(str),
                        category=cells["category"].astype(str),
                        year=cells["year"].astype(int),
                        suppressed_cells=cells["suppressed_cells"].astype(int),
                        stars=cells["stars"].astype(int))


@dataclass(frozen=True)
class Atlas:
    """A read-only snapshot of one data directory: the mapped indicators, the regions,
    categories and initiatives, the map layer and the provenance.  The use cases
    (:mod:`.regions`, :mod:`.maps`, :mod:`.coverage`, …) read it; nothing changes it.
    After a change to the registry the server takes a new snapshot
    (:meth:`with_initiatives`).

    :attr:`initiatives` are the registry's *full* records, fields the public may not
    see included.  The use cases read them only through :meth:`shown` (and
    :meth:`serving`, :meth:`active_initiatives`, :meth:`initiative`, built on it),
    which project each record for an actor – the public unless said otherwise – with
    the registry's one visibility function
    (:func:`~clusteratlas.registry.access.visible_record`)."""

    regions: Regions
    datasets: list[DatasetInfo]
    panel_id: str
    indicators: pd.DataFrame
    categories: CategorySet
    initiatives: list[InitiativeRecord]
    geometries: dict[str, str]
    layer: str
    suppressed_share: dict[int, float] = field(default_factory=dict)
    #: the industry-level panel of the mapped regions (region, industry, year,
    #: employment, establishments, wages, flag) and each industry's categories
    observations: pd.DataFrame | None = None
    membership: dict[str, list[str]] = field(default_factory=dict)
    #: how :attr:`indicators` were mapped (reference area, rules, span)
    options: MappingOptions = field(default_factory=MappingOptions)
    #: answers derived from this snapshot (see :meth:`remember`); shared only with the
    #: snapshots :meth:`with_initiatives` makes, which is why answers that read the
    #: initiatives are keyed by the registry's state
    cache: dict[Any, Any] = field(default_factory=dict, init=False, repr=False,
                                  compare=False)

    def with_initiatives(self, initiatives: list[InitiativeRecord]) -> Atlas:
        """The same snapshot with the registry's current initiatives."""
        new = replace(self, initiatives=list(initiatives))
        # what does not read the initiatives stays right: keep it (a frozen field)
        object.__setattr__(new, "cache", self.cache)
        return new

    def _registry_state(self) -> tuple[Any, ...]:
        # what the derived answers read from the initiatives (an id() could be reused)
        return tuple((i.id, i.kind, i.status, i.scope, i.founded, i.seat_region, i.name,
                      i.regions, i.categories) for i in self.initiatives)

    def remember(self, key: tuple[Any, ...], compute: Callable[[], Any], *,
                 registry: bool = False) -> Any:
        """``compute()`` once per ``key`` for this snapshot.  With ``registry`` the
        answer also depends on the initiatives, which the server replaces (a new
        snapshot) after every change to the registry.  Callers must not modify what
        they get."""
        full = (*key, self._registry_state()) if registry else key
        if full not in self.cache:
            if len(self.cache) > 512:  # snapshots of older registry states
                self.cache.clear()
            self.cache[full] = compute()
        return self.cache[full]

    # -- provenance ---------------------------------------------------------------
    @cached_property
    def panel_dataset(self) -> DatasetInfo:
        return next(d for d in self.datasets
                    if (d.id == self.panel_id or d.table_key == self.panel_id)
                    and d.status == "active")

    @cached_property
    def panel_datasets(self) -> list[DatasetInfo]:
        return [d for d in self.datasets
                if (d.id == self.panel_id or d.table_key == self.panel_id) and d.status == "active"]

    @property
    def is_synthetic(self) -> bool:
        return self.panel_dataset.is_synthetic

    @cached_property
    def layer_dataset(self) -> DatasetInfo | None:
        kinds = [d for d in self.datasets if d.kind == "boundaries"]
        wanted = "schematic-tiles" if self.layer == "schematic" else None
        for d in kinds:
            if (wanted and d.id == wanted) or (not wanted and d.id != "schematic-tiles"):
                return d
        return kinds[0] if kinds else None

    def meta(self) -> dict[str, Any]:
        """The marker and attribution every response carries."""
        shown = list(self.panel_datasets)
        shown += [d for d in self.datasets if d.kind == "regions"]
        if self.layer_dataset is not None:
            shown.append(self.layer_dataset)
        return {
            "synthetic": self.is_synthetic,
            "synthetic_notice": self.panel_dataset.attribution if self.is_synthetic else None,
            "provenance": [d.to_dict() for d in shown],
        }

    # -- lookups ------------------------------------------------------------------
    @cached_property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.indicators["year"].unique())

    @cached_property
    def mapped_regions(self) -> list[Region]:
        codes = set(self.indicators["region"].unique())
        return [r for r in self.regions.values() if r.code in codes]

    def year_or_latest(self, year: int | None) -> int:
        if year is None:
            return self.years[-1]
        if year not in self.years:
            raise InputError(
                f"year {year} is not in the data; available: {self.years[0]}–{self.years[-1]}"
            )
        return year

    def region(self, code: str) -> Region:
        region = self.regions.resolve(code)
        if region not in self.mapped_regions:
            raise NotFoundError(f"region {code!r} has no data in this atlas")
        return region

    def category(self, code: str | None) -> str:
        if code is None:
            return self.categories.categories[0].code
        return self.categories[code].code

    def shown(self, actor: Actor = ANONYMOUS) -> list[InitiativeRecord]:
        """The initiatives as ``actor`` may see them (hidden field groups emptied)."""
        if actor.anonymous:  # every anonymous caller sees the same: project once
            return self._public
        return [visible_record(i, actor) for i in self.initiatives]

    @cached_property
    def _public(self) -> list[InitiativeRecord]:
        return [visible_record(i, ANONYMOUS) for i in self.initiatives]

    def initiative(self, initiative_id: str, actor: Actor = ANONYMOUS) -> InitiativeRecord:
        """One initiative as ``actor`` may see it."""
        for i in self.shown(actor):
            if i.id == initiative_id:
                return i
        raise NotFoundError(f"initiative {initiative_id!r} is not in the registry")

    def active_initiatives(self, actor: Actor = ANONYMOUS) -> list[InitiativeRecord]:
        """The active initiatives (not the networks, not the closed ones)."""
        return [i for i in self.shown(actor) if i.kind == "initiative" and i.status == "active"]

    def serving(self, code: str, actor: Actor = ANONYMOUS) -> list[InitiativeRecord]:
        """The initiatives serving region ``code``, as ``actor`` may see them."""
        return [i for i in self.shown(actor) if i.kind == "initiative" and code in i.regions]


def _categories_for(industries: list[str], classification: Any,
                    datasets: list[DatasetInfo]) -> CategorySet:
    """The default categories where the panel resolves them; otherwise the panel's own
    industry codes (e.g. the WZ section groups of a regional table) as categories."""
    default = reference.default_categories()
    if industries and all(i in classification for i in industries) and not default.unresolved(
            classification, industries):
        return default
    labels: dict[str, str] = {}
    for d in datasets:
        labels.update(json.loads(d.labels or "{}"))
    cats = [ClusterCategory(code=_slugify(i), name_de=labels.get(i, i), name_en=labels.get(i, i),
                            include=(i,), description=f"WZ 2008 {i} as published in the table",
                            description_de=f"WZ 2008 {i} wie in der Tabelle veröffentlicht")
            for i in industries]
    return CategorySet(name="table-sections", version="1", classification="", categories=cats)


def _slugify(code: str) -> str:
    return code.lower().replace("-", "_").replace(".", "_")


def open_atlas(data_dir: DataDir, options: MappingOptions | None = None) -> Atlas:
    """Read a data directory into an :class:`Atlas` snapshot.

    ``options`` say how the indicators are mapped (:func:`map_panel`); with a
    ``reference`` region (e.g. the state or the nation, when the active panel holds
    its rows) LQs are relative to it instead of to the register's districts."""
    options = options or MappingOptions()
    snap = StatsStore(data_dir.stats_file).read_snapshot()
    settings = snap["settings"]
    panel_id = settings.get("active_panel")
    if panel_id is None:
        raise NotFoundError(f"{data_dir.path} holds no employment panel; run 'clusteratlas demo'")
    obs = snap["observations"]
    if "dims" in obs.columns:  # imported tables: the all-total combination of sex, …
        obs = obs[obs["dims"] == ""]
    regions = _regions_from_frame(snap["regions"])
    # map the register's districts; an official table also carries the nation, the
    # states and districts elsewhere, which must not enter the reference area twice
    districts = {r.code for r in regions.at_level("district")}
    if districts:
        obs = obs[obs["region"].isin(districts | {options.reference})]
    if obs.empty:
        raise NotFoundError(f"{data_dir.path}: the active panel has no data for the register's "
                            "districts")
    classification = reference.wz2008()
    mapped = obs[obs["region"] != options.reference]
    industries = sorted(i for i in mapped["industry"].unique() if i != TOTAL_CODE)
    panel_sets = [d for d in snap["datasets"] if d.id == panel_id or d.table_key == panel_id]
    categories = _categories_for(industries, classification, panel_sets)
    if categories.name == "table-sections":
        membership = {i: [_slugify(i)] for i in industries}
    else:
        membership = categories.membership(classification, industries)
    if "wages" in obs and obs["wages"].isna().all():
        obs = obs.drop(columns="wages")  # none known: no column of zeros
    obs = obs.reset_index(drop=True)
    indicators = snapshot.indicators(
        data_dir, snapshot.key(obs, membership, categories, options),
        lambda: category_indicators(Panel.from_frame(obs, source=f"{data_dir.path} (active panel)"),
                                    categories, options))
    layer = settings.get("active_layer", "schematic")
    geoms = snap["geometries"]
    geoms = geoms[geoms["layer"] == layer]
    registry = RegistryStore(data_dir.registry_url)
    try:
        registry.migrate()
        initiatives = registry.list()
    finally:
        registry.close()
    obs = mapped
    suppressed = (
        obs[obs["industry"] != TOTAL_CODE].assign(s=lambda f: f["flag"] == "suppressed")
        .groupby("year")["s"].mean().to_dict()
    )
    return Atlas(
        regions=regions,
        datasets=snap["datasets"],
        panel_id=panel_id,
        indicators=indicators,
        categories=categories,
        initiatives=initiatives,
        geometries=dict(zip(geoms["region"], geoms["geojson"], strict=True)),
        layer=layer,
        suppressed_share={int(k): float(v) for k, v in suppressed.items()},
        observations=obs.reset_index(drop=True),
        membership=membership,
        options=options,
    )


