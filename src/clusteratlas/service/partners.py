"""Partners for an initiative: the same or related categories, seated nearby."""

from __future__ import annotations

from typing import Any

from clusteratlas.service.atlas import Atlas

__all__ = ["partners"]


def partners(atlas: Atlas, initiative_id: str, *, max_km: float = 100.0,
             year: int | None = None, min_proximity: float = 0.3) -> dict[str, Any]:
    """Initiatives to talk to: the same categories, or categories related by
    co-location (proximity of the categories' presence across regions ≥
    ``min_proximity``), seated within ``max_km`` (statewide networks at any distance)."""
    y = atlas.year_or_latest(year)
    result: dict[str, Any] = atlas.remember(
        ("partners", initiative_id, max_km, y, min_proximity),
        lambda: _partners(atlas, initiative_id, max_km, y, min_proximity), registry=True)
    return result


def _partners(atlas: Atlas, initiative_id: str, max_km: float, y: int,
              min_proximity: float) -> dict[str, Any]:
    ini = atlas.initiative(initiative_id)
    cells = atlas.indicators[atlas.indicators["year"] == y]
    wide = cells.pivot_table(index="region", columns="category", values="lq",
                             aggfunc="first").fillna(0.0)
    from clusteratlas.core.complexity import proximity as category_proximity

    cats = [str(c) for c in wide.columns]
    matrix = category_proximity(wide.to_numpy() >= 1.0)
    phi = {(a, b): float(matrix[x, y]) for x, a in enumerate(cats) for y, b in enumerate(cats)}
    seat = atlas.regions.get(ini.seat_region or "")
    rows: list[dict[str, Any]] = []
    for other in atlas.active_initiatives():
        if other.id == ini.id:
            continue
        shared = sorted(set(ini.categories) & set(other.categories))
        related = sorted({(a, b, phi[a, b]) for a in ini.categories
                          for b in other.categories
                          if a != b and phi.get((a, b), 0.0) >= min_proximity},
                         key=lambda t: -t[2])
        if not shared and not related:
            continue
        there = atlas.regions.get(other.seat_region or "")
        km = seat.distance_km(there) if seat is not None and there is not None else None
        if other.scope != "statewide" and (km is None or km > max_km):
            continue
        rows.append({"initiative": other.id, "name": other.name, "scope": other.scope,
                     "seat_region": other.seat_region, "distance_km": km,
                     "shared_categories": shared,
                     "related_categories": [{"own": a, "theirs": b, "proximity": p}
                                            for a, b, p in related[:3]],
                     "score": 1.0 if shared else related[0][2]})
    rows.sort(key=lambda r: (-float(r["score"]), r["distance_km"] or 0.0))
    return {"initiative": ini.id, "name": ini.name, "max_km": max_km, "year": y,
            "partners": rows}
