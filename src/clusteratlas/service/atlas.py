"""The atlas service: one snapshot of the store, and the questions the fronts ask of it."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas import reference
from clusteratlas.errors import InputError, NotFoundError
from clusteratlas.model.categories import CategorySet, ClusterCategory
from clusteratlas.model.panel import TOTAL_CODE, Panel
from clusteratlas.model.regions import Region, Regions
from clusteratlas.registry.store import InitiativeRecord, RegistryStore
from clusteratlas.service.mapping import MappingOptions, map_panel
from clusteratlas.service.mapview import (
    INDICATOR_CLASSES,
    INDICATORS,
    NO_DATA_COLOUR,
    STATUS_COLOURS,
    classify,
    svg_paths,
    text_colour,
)
from clusteratlas.store.datadir import DataDir
from clusteratlas.store.stats import DatasetInfo, StatsStore

__all__ = ["Atlas", "open_atlas"]


def json_number(value: Any) -> float | None:
    """JSON-safe number: missing values, NaN and infinities become ``None``."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


_num = json_number


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


@dataclass
class Atlas:
    """A read-only snapshot of one data directory, answering the atlas's questions."""

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
    #: answers derived from this snapshot (see :meth:`remember`)
    cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def _registry_state(self) -> tuple[Any, ...]:
        # what the derived answers read from the initiatives (an id() could be reused)
        return tuple((i.id, i.kind, i.status, i.scope, i.founded, i.seat_region, i.name,
                      i.regions, i.categories) for i in self.initiatives)

    def remember(self, key: tuple[Any, ...], compute: Callable[[], Any], *,
                 registry: bool = False) -> Any:
        """``compute()`` once per ``key`` for this snapshot.  With ``registry`` the
        answer also depends on the initiatives, which the server replaces (a new list)
        after every change to the registry.  Callers must not modify what they get."""
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

    # -- basics -------------------------------------------------------------------
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

    # -- questions ----------------------------------------------------------------
    def list_regions(self) -> list[dict[str, Any]]:
        out = []
        for r in self.mapped_regions:
            d = r.to_dict()
            d["ags"] = r.alt_codes.get("ags")
            d["nuts3"] = r.alt_codes.get("nuts")
            out.append(d)
        return out

    def list_categories(self, lang: str = "de") -> list[dict[str, Any]]:
        return [
            {"code": c.code, "name": c.name(lang), "name_de": c.name_de, "name_en": c.name_en,
             "group": c.group, "include": list(c.include), "exclude": list(c.exclude),
             "description": c.describe(lang)}
            for c in self.categories.categories
        ]

    def serving(self, code: str) -> list[InitiativeRecord]:
        return [i for i in self.initiatives if i.kind == "initiative" and code in i.regions]

    def region_profile(self, code: str, *, year: int | None = None, lang: str = "de") -> dict[str, Any]:
        """A district's categories (employment, LQ, shares) and the initiatives serving it."""
        region = self.region(code)
        y = self.year_or_latest(year)
        part = self.indicators[(self.indicators["region"] == region.code)
                               & (self.indicators["year"] == y)]
        first = self.indicators[(self.indicators["region"] == region.code)
                                & (self.indicators["year"] == self.years[0])].set_index("category")
        rows: list[dict[str, Any]] = []
        for rec in part.sort_values("employment", ascending=False).to_dict("records"):
            cat = self.categories[rec["category"]]
            start = first["employment"].get(rec["category"])
            initiatives = [i.id for i in self.serving(region.code) if cat.code in i.categories]
            rows.append({
                "category": cat.code, "name": cat.name(lang),
                "employment": _num(rec["employment"]),
                "establishments": _num(rec["establishments"]),
                "lq": _num(rec["lq"]),
                "share_of_region": _num(rec["share_of_region"]),
                "share_of_category": _num(rec["share_of_category"]),
                "suppressed_cells": int(rec["suppressed_cells"]),
                "stars": int(rec["stars"]),
                "star_size": bool(rec["star_size"]),
                "star_specialisation": bool(rec["star_specialisation"]),
                "star_focus": bool(rec["star_focus"]),
                "strong": bool(rec["strong"]),
                "cagr_5y": _num(rec["cagr"]),
                "change_since_first_year": _num(rec["employment"] - start)
                if start is not None else None,
                "initiatives": initiatives,
            })
        by_lq = sorted((r for r in rows if r["lq"] is not None), key=lambda r: -float(r["lq"]))
        serving = self.serving(region.code)
        statewide = [i for i in self.initiatives if i.kind == "initiative"
                     and i.scope == "statewide" and i not in serving]
        total = float(part["region_total"].iloc[0]) if len(part) else None
        return {
            "region": {**region.to_dict(), "ags": region.alt_codes.get("ags"),
                       "nuts3": region.alt_codes.get("nuts")},
            "year": y,
            "years": self.years,
            "total_employment": _num(total),
            "categories": rows,
            "top_by_lq": [r["category"] for r in by_lq[:5]],
            "initiatives": [self.initiative_summary(i, lang) for i in serving],
            "statewide_networks": [self.initiative_summary(i, lang) for i in statewide],
            **self.meta(),
        }

    def initiative_summary(self, i: InitiativeRecord, lang: str) -> dict[str, Any]:
        return {
            "id": i.id, "name": i.name, "sector": i.sector, "scope": i.scope,
            "seat_region": i.seat_region, "seat_town": i.seat_town,
            "managing_organisation": i.managing_organisation, "founded": i.founded,
            "members": i.members, "staff": i.staff,
            "categories": [{"code": c, "name": self.categories[c].name(lang)}
                           for c in i.categories if c in self.categories],
            "regions_served": list(i.regions), "facts": list(i.facts), "sources": list(i.sources),
        }

    def state_map(self, *, category: str | None = None, year: int | None = None,
                  lang: str = "de", indicator: str = "lq",
                  statuses: Mapping[str, str] | None = None) -> dict[str, Any]:
        """One category in every district: the chosen indicator (``lq``,
        ``employment``, ``stars``, ``strong``, ``growth`` = annual growth over five
        years, or ``coverage`` with the status of each district given in ``statuses``)
        with classes, colours and legend, and the initiatives working on it."""
        if indicator not in INDICATORS:
            raise InputError(f"indicator {indicator!r}: expected one of {', '.join(INDICATORS)}")
        if indicator == "coverage" and statuses is None:
            raise InputError("the coverage map needs the coverage statuses")
        cat = self.categories[self.category(category)]
        y = self.year_or_latest(year)
        part = self.indicators[(self.indicators["category"] == cat.code)
                               & (self.indicators["year"] == y)].set_index("region")
        classes = INDICATOR_CLASSES.get(indicator, ())
        features = []
        for r in self.mapped_regions:
            rec = part.loc[r.code] if r.code in part.index else None
            lq = _num(rec["lq"]) if rec is not None else None
            value: Any
            if indicator == "coverage":
                value = (statuses or {}).get(r.code)
                colour = STATUS_COLOURS.get(str(value), NO_DATA_COLOUR)
                idx = list(STATUS_COLOURS).index(value) if value in STATUS_COLOURS else None
            else:
                column = {"lq": "lq", "employment": "employment", "stars": "stars",
                          "strong": "strong", "growth": "cagr"}[indicator]
                raw = rec[column] if rec is not None else None
                value = _num(float(raw)) if raw is not None and not pd.isna(raw) else None
                idx = classify(value, classes)
                colour = classes[idx].colour if idx is not None else NO_DATA_COLOUR
            features.append({
                "code": r.code, "name": r.display_name, "abbreviation": r.abbreviation,
                "value": value, "lq": lq,
                "employment": _num(rec["employment"]) if rec is not None else None,
                "share_of_region": _num(rec["share_of_region"]) if rec is not None else None,
                "stars": int(str(rec["stars"])) if rec is not None else None,
                "strong": bool(rec["strong"]) if rec is not None else None,
                "growth": _num(rec["cagr"]) if rec is not None else None,
                "suppressed_cells": int(str(rec["suppressed_cells"])) if rec is not None else 0,
                "class": idx, "colour": colour, "text_colour": text_colour(colour),
                "initiatives": [{"id": i.id, "name": i.name} for i in self.serving(r.code)
                                if cat.code in i.categories],
            })
        legend: list[dict[str, Any]]
        if indicator == "coverage":
            legend = [{"label": k, "colour": v} for k, v in STATUS_COLOURS.items()]
        else:
            legend = [{"label": c.label, "colour": c.colour, "lower": _num(c.lower),
                       "upper": _num(c.upper)} for c in classes]
        seats = [{"id": i.id, "name": i.name, "region": i.seat_region, "scope": i.scope}
                 for i in self.initiatives if i.kind == "initiative"
                 and cat.code in i.categories and i.seat_region is not None]
        return {
            "category": {"code": cat.code, "name": cat.name(lang),
                         "description": cat.describe(lang)},
            "year": y, "years": self.years, "indicator": indicator,
            "reference": (f"region {self.options.reference}" if self.options.reference
                          else "all regions of the panel (state total)"),
            "legend": [*legend, {"label": "no data / suppressed", "colour": NO_DATA_COLOUR}],
            "layer": self.layer,
            "regions": features,
            "seats": seats,
            **self.meta(),
        }

    def autocorrelation(self, *, category: str | None = None, year: int | None = None,
                        permutations: int = 999, seed: int = 12345,
                        alpha: float = 0.05) -> dict[str, Any]:
        """Moran's I, local Moran and Getis-Ord Gi* of one category's LQ over the
        districts, with FDR control at ``alpha``.  Neighbours: shared borders when
        official boundaries are imported, otherwise the 5 nearest district centres."""
        from clusteratlas.core.autocorrelation import spatial_autocorrelation

        cat = self.categories[self.category(category)]
        y = self.year_or_latest(year)
        part = self.indicators[(self.indicators["category"] == cat.code)
                               & (self.indicators["year"] == y)].set_index("region")
        regions = [r for r in self.mapped_regions if pd.notna(part["lq"].get(r.code))]
        values = part["lq"].reindex([r.code for r in regions]).to_numpy(dtype=float)
        weights, method = self.neighbours(regions)
        res = spatial_autocorrelation(values, weights, permutations=permutations, seed=seed,
                                      alpha=alpha)
        local = []
        for k, r in enumerate(regions):
            local.append({
                "code": r.code, "name": r.display_name, "lq": _num(values[k]),
                "local_i": _num(res.local_i[k]), "local_p": _num(res.local_p_sim[k]),
                "quadrant": ["", "HH", "LH", "LL", "HL"][int(res.local_quadrant[k])],
                "local_significant": bool(res.local_p_sim[k] <= res.fdr_local),
                "gi_star": _num(res.gi_star[k]), "gi_z": _num(res.gi_z[k]),
                "gi_p": _num(res.gi_p_sim[k]),
                "hot_spot": bool(res.gi_p_sim[k] <= res.fdr_gi and res.gi_z[k] > 0),
                "cold_spot": bool(res.gi_p_sim[k] <= res.fdr_gi and res.gi_z[k] < 0),
            })
        return {
            "category": {"code": cat.code, "name": cat.name()}, "year": y,
            "variable": "lq", "neighbours": method, "permutations": permutations,
            "moran": {"i": res.moran_i, "expected": res.moran_ei, "z_norm": res.moran_z_norm,
                      "p_sim": res.moran_p_sim},
            "fdr": {"alpha": alpha, "local_cutoff": res.fdr_local, "gi_cutoff": res.fdr_gi},
            "islands": [regions[i].code for i in res.islands],
            "single_neighbour": [regions[i].code for i in res.single_neighbour],
            "excluded_unknown": [r.code for r in self.mapped_regions if r not in regions],
            "regions": local,
            **self.meta(),
        }

    def neighbours(self, regions: list[Region]) -> tuple[Any, str]:
        """Binary neighbour matrix of ``regions`` and a description of how it was built."""
        import scipy.sparse as sp
        from scipy.spatial import cKDTree

        if self.layer != "schematic":
            try:
                return self._contiguity(regions), "shared borders (queen contiguity)"
            except ImportError:
                pass
        lat0 = np.radians(np.mean([r.lat or 0.0 for r in regions]))
        pts = np.array([[(r.lon or 0.0) * np.cos(lat0), r.lat or 0.0] for r in regions])
        k = min(5, len(regions) - 1)
        _, idx = cKDTree(pts).query(pts, k=k + 1)
        rows = np.repeat(np.arange(len(regions)), k)
        w = sp.csr_array((np.ones(rows.size), (rows, idx[:, 1:].ravel())),
                         shape=(len(regions), len(regions)))
        return w, f"{k} nearest district centres"

    def _contiguity(self, regions: list[Region]) -> Any:
        import scipy.sparse as sp
        import shapely

        geoms = [shapely.from_geojson(self.geometries[r.code]) for r in regions]
        tree = shapely.STRtree(geoms)
        left, right = tree.query(geoms, predicate="intersects")
        keep = left != right
        return sp.csr_array((np.ones(int(keep.sum())), (left[keep], right[keep])),
                            shape=(len(regions), len(regions)))

    @cached_property
    def svg(self) -> dict[str, Any]:
        paths, size, labels = svg_paths(self.geometries, geographic=self.layer != "schematic")
        return {"paths": paths, "width": size[0], "height": size[1], "labels": labels}


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
    panel = Panel.from_frame(obs.reset_index(drop=True), source=f"{data_dir.path} (active panel)")
    indicators = category_indicators(panel, categories, options)
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


