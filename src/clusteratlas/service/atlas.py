"""The atlas service: one snapshot of the store, and the questions the fronts ask of it."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas import reference
from clusteratlas.core.concentration import location_quotient, share_of_category, share_of_region
from clusteratlas.errors import InputError, NotFoundError
from clusteratlas.model.categories import CategorySet
from clusteratlas.model.panel import TOTAL_CODE
from clusteratlas.model.regions import Region, Regions
from clusteratlas.registry.store import InitiativeRecord, RegistryStore
from clusteratlas.service.mapview import (
    LQ_CLASSES,
    NO_DATA_COLOUR,
    classify,
    svg_paths,
    text_colour,
)
from clusteratlas.store.datadir import DataDir
from clusteratlas.store.stats import DatasetInfo, StatsStore

__all__ = ["Atlas", "open_atlas"]


def _num(value: Any) -> float | None:
    """JSON-safe number: NaN and infinities become ``None``."""
    if value is None:
        return None
    f = float(value)
    return f if math.isfinite(f) else None


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


def category_indicators(
    observations: pd.DataFrame, categories: CategorySet, membership: dict[str, list[str]]
) -> pd.DataFrame:
    """Employment, shares and LQ per region × category × year.

    Region totals :math:`E_r` are the published ``TOTAL`` rows where present (they
    stay right when single industries are suppressed), otherwise the sum of the
    known cells.  The reference area is the set of regions in the panel.
    """
    obs = observations[observations["industry"] != TOTAL_CODE]
    pairs = [(ind, cat) for ind, cats in membership.items() for cat in cats]
    link = pd.DataFrame(pairs, columns=["industry", "category"])
    merged = obs.merge(link, on="industry", how="inner")
    merged["is_suppressed"] = merged["flag"] == "suppressed"
    grouped = merged.groupby(["region", "category", "year"], as_index=False).agg(
        employment=("employment", "sum"),
        establishments=("establishments", "sum"),
        suppressed_cells=("is_suppressed", "sum"),
    )
    totals = observations[observations["industry"] == TOTAL_CODE].set_index(["region", "year"])[
        "employment"
    ]
    known = obs.groupby(["region", "year"])["employment"].sum()
    region_total = totals.reindex(known.index).fillna(known)
    out = []
    regions = sorted(obs["region"].unique())
    cats = [c.code for c in categories.categories]
    for year, part in grouped.groupby("year"):
        wide = part.pivot(index="region", columns="category", values="employment")
        wide = wide.reindex(index=regions, columns=cats).fillna(0.0)
        er = region_total.xs(year, level="year").reindex(regions).to_numpy(dtype=float)
        e = wide.to_numpy()
        lq = location_quotient(e, region_totals=er)
        focus = share_of_region(e, region_totals=er)
        conc = share_of_category(e)
        frame = pd.DataFrame(
            {
                "region": np.repeat(regions, len(cats)),
                "category": np.tile(cats, len(regions)),
                "year": int(str(year)),
                "employment": e.ravel(),
                "region_total": np.repeat(er, len(cats)),
                "share_of_region": focus.ravel(),
                "share_of_category": conc.ravel(),
                "lq": lq.ravel(),
            }
        )
        out.append(frame)
    result = pd.concat(out, ignore_index=True)
    extra = grouped[["region", "category", "year", "establishments", "suppressed_cells"]]
    result = result.merge(extra, on=["region", "category", "year"], how="left")
    result["suppressed_cells"] = result["suppressed_cells"].fillna(0).astype(int)
    result["establishments"] = result["establishments"].fillna(0.0)
    return result


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

    # -- provenance ---------------------------------------------------------------
    @cached_property
    def panel_dataset(self) -> DatasetInfo:
        return next(d for d in self.datasets if d.id == self.panel_id)

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
        shown = [self.panel_dataset]
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
                  lang: str = "de") -> dict[str, Any]:
        """LQ of one category in every district, with classes and colours."""
        cat = self.categories[self.category(category)]
        y = self.year_or_latest(year)
        part = self.indicators[(self.indicators["category"] == cat.code)
                               & (self.indicators["year"] == y)].set_index("region")
        features = []
        for r in self.mapped_regions:
            rec = part.loc[r.code] if r.code in part.index else None
            lq = _num(rec["lq"]) if rec is not None else None
            idx = classify(lq)
            features.append({
                "code": r.code, "name": r.display_name, "abbreviation": r.abbreviation,
                "lq": lq,
                "employment": _num(rec["employment"]) if rec is not None else None,
                "share_of_region": _num(rec["share_of_region"]) if rec is not None else None,
                "suppressed_cells": int(str(rec["suppressed_cells"])) if rec is not None else 0,
                "class": idx,
                "colour": LQ_CLASSES[idx].colour if idx is not None else NO_DATA_COLOUR,
                "text_colour": text_colour(LQ_CLASSES[idx].colour if idx is not None
                                           else NO_DATA_COLOUR),
                "initiatives": [{"id": i.id, "name": i.name} for i in self.serving(r.code)
                                if cat.code in i.categories],
            })
        return {
            "category": {"code": cat.code, "name": cat.name(lang),
                         "description": cat.describe(lang)},
            "year": y, "years": self.years, "indicator": "lq",
            "reference": "all regions of the panel (state total)",
            "legend": [{"label": c.label, "colour": c.colour, "lower": c.lower,
                        "upper": _num(c.upper)} for c in LQ_CLASSES]
            + [{"label": "no data / suppressed", "colour": NO_DATA_COLOUR}],
            "layer": self.layer,
            "regions": features,
            **self.meta(),
        }

    @cached_property
    def svg(self) -> dict[str, Any]:
        paths, size, labels = svg_paths(self.geometries, geographic=self.layer != "schematic")
        return {"paths": paths, "width": size[0], "height": size[1], "labels": labels}


def open_atlas(data_dir: DataDir) -> Atlas:
    """Read a data directory into an :class:`Atlas` snapshot."""
    snap = StatsStore(data_dir.stats_file).read_snapshot()
    settings = snap["settings"]
    panel_id = settings.get("active_panel")
    if panel_id is None:
        raise NotFoundError(f"{data_dir.path} holds no employment panel; run 'clusteratlas demo'")
    obs = snap["observations"]
    obs = obs[obs["dataset_id"] == panel_id]
    categories = reference.default_categories()
    classification = reference.wz2008()
    industries = sorted(i for i in obs["industry"].unique() if i != TOTAL_CODE)
    membership = categories.membership(classification, industries)
    indicators = category_indicators(obs, categories, membership)
    layer = settings.get("active_layer", "schematic")
    geoms = snap["geometries"]
    geoms = geoms[geoms["layer"] == layer]
    registry = RegistryStore(data_dir.registry_url)
    registry.migrate()
    suppressed = (
        obs[obs["industry"] != TOTAL_CODE].assign(s=lambda f: f["flag"] == "suppressed")
        .groupby("year")["s"].mean().to_dict()
    )
    return Atlas(
        regions=_regions_from_frame(snap["regions"]),
        datasets=snap["datasets"],
        panel_id=panel_id,
        indicators=indicators,
        categories=categories,
        initiatives=registry.list(),
        geometries=dict(zip(geoms["region"], geoms["geojson"], strict=True)),
        layer=layer,
        suppressed_share={int(k): float(v) for k, v in suppressed.items()},
    )


