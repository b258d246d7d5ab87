"""The atlas snapshot: what one data directory holds, read once, never changed."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas import reference
from clusteratlas.errors import InputError, NotFoundError
from clusteratlas.i18n import text
from clusteratlas.model.categories import CategorySet, ClusterCategory
from clusteratlas.model.panel import TOTAL_CODE, Panel
from clusteratlas.model.regions import Region, Regions
from clusteratlas.registry.access import visible_record
from clusteratlas.registry.auth import ANONYMOUS, Actor
from clusteratlas.registry.records import InitiativeRecord
from clusteratlas.service import snapshot as stored_tables
from clusteratlas.service.mapping import MappingOptions, map_panel
from clusteratlas.service.provenance import provenance_entries
from clusteratlas.service.region_codes import apply_mergers, find_mergers
from clusteratlas.service.registry_reads import initiative_records
from clusteratlas.service.scopes import (
    COMPARISONS,
    SMALLEST_LEVELS,
    Choice,
    district_codes,
    home_scope_of,
    resolve_region,
    summed_reference_rows,
)
from clusteratlas.service.sections import WZ_LEVELS, needed_levels, section_panel
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
    if "establishments" not in cells:  # none in the panel: unknown, not a missing column
        cells = cells.assign(establishments=np.nan)
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
    panel_source: str = "active panel"
    suppressed_share: dict[int, float] = field(default_factory=dict)
    #: the industry-level panel of the mapped regions (region, industry, year,
    #: employment, establishments, wages, flag) and each industry's categories
    observations: pd.DataFrame | None = None
    membership: dict[str, list[str]] = field(default_factory=dict)
    #: how :attr:`indicators` were mapped (reference area, rules, span)
    options: MappingOptions = field(default_factory=MappingOptions)
    #: cluster categories the panel cannot measure, with the data they need
    #: (``{"automotive": "not computable: needs WZ class (4-digit) data"}``)
    unsupported_categories: dict[str, str] = field(default_factory=dict)
    #: this view's scope, reference and comparison set (``None``: a snapshot without a
    #: register to scope by); see :meth:`view`
    choice: Choice | None = None
    #: the data directory's home scope (the default scope of :meth:`view`)
    home_scope: str | None = None
    #: every district of the panel (the default comparison set), in register order
    panel_districts: tuple[str, ...] = ()
    #: the panel's rows of the districts and of the larger regions it publishes (the
    #: country, the Länder): what :meth:`view` maps against another reference
    panel_rows: pd.DataFrame | None = field(default=None, repr=False)
    #: the snapshot every view is taken from (``None``: this is it)
    root: Atlas | None = field(default=None, repr=False, compare=False)
    #: what the mapping rules had to leave out on this data, stated with every result:
    #: ``strong_without_establishments`` (the panel has no establishment counts, so
    #: the strong rule drops that condition), ``growth_span`` (the years growth spans)
    rule_notes: dict[str, Any] = field(default_factory=dict)
    #: where mapped indicator tables are kept between processes (``None``: nowhere);
    #: see :mod:`clusteratlas.service.snapshot`
    data_dir: DataDir | None = field(default=None, repr=False, compare=False)
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
        """The marker and attribution every response carries, with the view's scope,
        reference and comparison set and what the mapping rules left out."""
        shown = list(self.panel_datasets)
        shown += [d for d in self.datasets if d.kind == "regions"]
        if self.layer_dataset is not None:
            shown.append(self.layer_dataset)
        stated = self.choice.to_dict() if self.choice is not None else {}
        return {
            "synthetic": self.is_synthetic,
            "synthetic_notice": self.panel_dataset.attribution if self.is_synthetic else None,
            "provenance": provenance_entries(
                shown, {d.id: self.years for d in self.panel_datasets}),
            **stated,
            "mapping_rules": dict(self.rule_notes),
        }

    # -- scope, reference, comparison ----------------------------------------------
    def view(self, scope: str | None = None, reference: str | None = None,
             comparison: str | None = None) -> Atlas:
        """The atlas of the districts of ``scope`` (default: the home scope), their LQ
        against ``reference`` (default: the country when the panel holds its row, else
        the scope's published row, else the sum of the scope's districts) and their
        star and strong percentiles over ``comparison`` (``all`` districts of the
        panel, the default, or those of the ``scope``).

        With the default reference and comparison the indicators are those mapped
        once at start (:func:`open_atlas`), filtered to the scope; any other choice is
        mapped once per (reference, comparison set) and remembered.

        Raises
        ------
        InputError
            An unknown scope, reference or comparison (the message names the
            parameter and what it expects).
        """
        root = self.root or self
        if comparison is not None and comparison not in COMPARISONS:
            raise InputError(f"comparison={comparison!r}: expected one of "
                             f"{', '.join(COMPARISONS)}")
        if root.home_scope is None:
            if scope is None and reference is None and comparison in (None, "all"):
                return self
            raise InputError("scope/reference: this atlas has no region register to scope by")
        example = f"a region of the register holding districts, e.g. {root.home_scope}"
        sc = (resolve_region(root.regions, scope, "scope", example) if scope is not None
              else root.regions[root.home_scope])
        districts = district_codes(root.regions, sc.code, root.panel_districts)
        if not districts:
            raise InputError(f"scope={scope!r} ({sc.display_name}) has no districts in the "
                             f"data; expected {example}")
        ref, basis, ref_districts = root._reference(sc, reference)
        chosen = comparison or "all"
        compared = root.panel_districts if chosen == "all" else tuple(districts)
        choice = Choice(scope=sc, reference=ref, reference_basis=basis, comparison=chosen,
                        compared=len(compared), districts=len(districts))
        if choice == root.choice:
            return root

        def build() -> Atlas:
            full = root._indicators_for(ref.code, basis, ref_districts, compared)
            part = full[full["region"].isin(districts)].reset_index(drop=True)
            return replace(root, indicators=part, choice=choice, root=root,
                           options=replace(root.options, reference=ref.code,
                                           regions=compared))

        built: Atlas = root.remember(("view", sc.code, ref.code, chosen), build,
                                     registry=True)
        return built

    def _reference(self, scope: Region, code: str | None) -> tuple[Region, str, list[str]]:
        """(reference region, ``row`` or ``sum``, its districts in the panel)."""
        rows = self.panel_rows
        held = set(rows["region"].unique()) if rows is not None else set()
        if code is not None:
            ref = resolve_region(self.regions, code, "reference",
                                 "a region whose row or districts the data hold, e.g. "
                                 f"{self.home_scope}")
        else:
            top = ([scope, *self.regions.ancestors(scope.code)])[-1]
            ref = top if top.code in held else scope
        if ref.code in held:
            return ref, "row", []
        inside = district_codes(self.regions, ref.code, self.panel_districts)
        if not inside:
            raise InputError(f"reference={code!r} ({ref.display_name}): the data hold neither "
                             "its row nor any of its districts; expected a region whose row "
                             f"or districts the data hold, e.g. {self.home_scope}")
        return ref, "sum", inside

    def _indicators_for(self, ref: str, basis: str, ref_districts: list[str],
                        compared: tuple[str, ...]) -> pd.DataFrame:
        """Every district's indicators against ``ref``, percentiles over ``compared``
        (mapped once per choice and remembered)."""
        def compute() -> pd.DataFrame:
            assert self.panel_rows is not None
            rows = self.panel_rows
            if basis == "sum" and sorted(ref_districts) == sorted(compared):
                # the reference is the comparison set's own sum: map_panel's default
                options = replace(self.options, reference=None, regions=compared)
            else:
                if basis == "sum":
                    rows = pd.concat([rows, summed_reference_rows(rows, ref_districts, ref)],
                                     ignore_index=True)
                options = replace(self.options, reference=ref, regions=compared)
            panel = Panel.from_frame(rows.reset_index(drop=True), source=self.panel_source)
            return category_indicators(panel, self.categories, options)

        def kept() -> pd.DataFrame:  # mapped once per data state, also across processes
            if self.data_dir is None or self.panel_rows is None:
                return compute()
            digest = stored_tables.key(self.panel_rows, self.membership, self.categories,
                                       (self.options, ref, basis, tuple(ref_districts), compared))
            return stored_tables.indicators(self.data_dir, digest, compute)

        found: pd.DataFrame = self.remember(("indicators", ref, basis, compared), kept)
        return found

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
        """The code of category ``code`` of :attr:`categories` (default: the first).

        Raises
        ------
        InputError
            ``code`` is a cluster category this table cannot measure (section data):
            the message names the level of data it needs.
        NotFoundError
            ``code`` is no category at all.
        """
        if code is None:
            return self.categories.categories[0].code
        if code in self.unsupported_categories and code not in self.categories:
            name = reference.default_categories()[code].name("en")
            level = needed_levels().get(code, "division")
            raise InputError(
                f"category {code!r} ({name}) is not computable with this table: it needs "
                f"{WZ_LEVELS[level]} data; the table holds WZ sections (categories: "
                f"{', '.join(c.code for c in self.categories.categories)})")
        return self.categories[code].code

    def unsupported(self, lang: str = "de") -> list[dict[str, str]]:
        """The cluster categories this table cannot measure, each with the level of
        data it needs: ``[{code, name, needs, reason}]`` (``needs``: ``division``,
        ``group``, ``class`` or ``subclass``; ``reason`` in ``lang``)."""
        if not self.unsupported_categories:
            return []
        shipped = reference.default_categories()
        levels = needed_levels()
        return [{"code": code, "name": shipped[code].name(lang),
                 "needs": levels.get(code, "division"),
                 "reason": text("category_needs", lang,
                                level=text(f"wz_level_{levels.get(code, 'division')}", lang))}
                for code in self.unsupported_categories if code in shipped]

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
    if classification.name == "naics2017":
        # CBP lists every 6-digit industry a county has; one it lacks has no employees
        return reference.us_categories()
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


def open_atlas(data_dir: DataDir, options: MappingOptions | None = None, *,
               scope: str | None = None) -> Atlas:
    """Read a data directory into an :class:`Atlas` snapshot: the view of ``scope``
    (default: the data directory's setting ``home_scope``, else the smallest region
    enclosing every district of the panel) with the default reference and comparison
    set (:meth:`Atlas.view`).

    ``options`` say how the indicators are mapped (:func:`map_panel`); with a
    ``reference`` region (e.g. the state or the nation, when the active panel holds
    its rows) LQs are relative to it instead of to the default reference.  Growth
    spans ``options.span`` years, or all the years the panel has when it has fewer;
    without establishment counts the strong rule drops that condition.  Both are
    stated in :attr:`Atlas.rule_notes`."""
    options = options or MappingOptions()
    snap = StatsStore(data_dir.stats_file).read_snapshot()
    settings = snap["settings"]
    panel_id = settings.get("active_panel")
    if panel_id is None:
        raise NotFoundError(f"{data_dir.path} holds no employment panel; import an employment "
                            "table ('clusteratlas import genesis-table FILE') or run "
                            "'clusteratlas demo'")
    obs = snap["observations"]
    if "dims" in obs.columns:  # imported tables: the all-total combination of sex, …
        obs = obs[obs["dims"] == ""]
    regions = _regions_from_frame(snap["regions"])
    panel_sets = [d for d in snap["datasets"] if d.id == panel_id or d.table_key == panel_id]
    # a NAICS panel (County Business Patterns) is mapped on the US Cluster Mapping's set
    is_naics = any(d.classification == "naics2017" for d in panel_sets)
    if not is_naics:  # former Kreise merged wholly into one successor count for it
        register = reference.de_regions()
        obs = apply_mergers(obs, find_mergers(obs, register, value="employment"))
    # map the register's districts; an official table also carries the nation, the
    # states and districts elsewhere: those rows are kept apart as possible references
    districts = {r.code for level in SMALLEST_LEVELS for r in regions.at_level(level)}
    if districts:
        obs = obs[obs["region"].isin(set(regions) | {options.reference})]
        mapped = obs[obs["region"].isin(districts) & (obs["region"] != options.reference)]
    else:
        mapped = obs[obs["region"] != options.reference]
    if mapped.empty:
        raise NotFoundError(f"{data_dir.path}: the active panel has no data for the register's "
                            "districts")
    classification = reference.naics2017() if is_naics else reference.wz2008()
    # a table of WZ sections and section groups: its finest non-overlapping partition
    sections = None if is_naics else section_panel(obs)
    if sections is not None:
        obs = sections.observations
        mapped = obs[obs["region"].isin(districts) & (obs["region"] != options.reference)
                     if districts else obs["region"] != options.reference]
    industries = sorted(i for i in mapped["industry"].unique() if i != TOTAL_CODE)
    if sections is not None:
        categories, membership = sections.categories, sections.membership
    else:
        categories = _categories_for(industries, classification, panel_sets)
        if categories.name == "table-sections":
            membership = {i: [_slugify(i)] for i in industries}
        else:
            membership = categories.membership(classification, industries)
    notes: dict[str, Any] = {}
    if "wages" in obs and obs["wages"].isna().all():
        obs = obs.drop(columns="wages")  # none known: no column of zeros
    if "establishments" in obs and mapped["establishments"].isna().all():
        # none known: the strong rule drops its establishment condition, and says so
        obs = obs.drop(columns="establishments")
        notes["strong_without_establishments"] = True
    years = sorted(int(y) for y in mapped["year"].unique())
    if len(years) > 1 and years[-1] - years[0] < options.span:
        options = replace(options, span=years[-1] - years[0])
    notes["growth_span"] = ([years[-1] - options.span, years[-1]]
                            if years[-1] - options.span >= years[0] else None)
    source = f"{data_dir.path} (active panel)"
    layer = settings.get("active_layer", "schematic")
    geoms = snap["geometries"]
    geoms = geoms[geoms["layer"] == layer]
    initiatives = initiative_records(data_dir.registry_url)
    suppressed = (
        mapped[mapped["industry"] != TOTAL_CODE].assign(s=lambda f: f["flag"] == "suppressed")
        .groupby("year")["s"].mean().to_dict()
    )
    held = {str(c) for c in mapped["region"].unique()}
    panel_districts = tuple(code for code in regions if code in held)
    base = Atlas(
        regions=regions,
        datasets=snap["datasets"],
        panel_id=panel_id,
        indicators=pd.DataFrame(),
        categories=categories,
        initiatives=initiatives,
        geometries=dict(zip(geoms["region"], geoms["geojson"], strict=True)),
        layer=layer,
        panel_source=source,
        suppressed_share={int(k): float(v) for k, v in suppressed.items()},
        observations=mapped.reset_index(drop=True),
        membership=membership,
        options=options,
        unsupported_categories=sections.unsupported if sections is not None else {},
        panel_districts=panel_districts,
        panel_rows=obs.reset_index(drop=True),
        rule_notes=notes,
        data_dir=data_dir,
    )
    if not districts:  # a register without districts: map every region of the panel
        panel = Panel.from_frame(obs.reset_index(drop=True), source=source)
        return replace(base, indicators=category_indicators(panel, categories, options))
    home = scope or home_scope_of(regions, list(panel_districts), settings.get("home_scope"))
    if scope is not None:
        home = resolve_region(regions, scope, "scope", "a region of the register holding "
                              "districts").code
    base = replace(base, home_scope=home)
    # the home view becomes the snapshot itself (views of other scopes derive from it)
    view = base.view(reference=options.reference)
    snapshot = replace(view, root=None)
    # keep what was mapped (not the view, whose root is the unscoped base)
    object.__setattr__(snapshot, "cache", {k: v for k, v in base.cache.items()
                                           if k[0] == "indicators"})
    return snapshot
