"""JSON API: the twins of the atlas pages."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from clusteratlas.http.deps import ActorDep
from clusteratlas.http.deps import atlas as _atlas
from clusteratlas.model.panel import FIRST_YEAR, LAST_YEAR
from clusteratlas.presentation.colours import paint_map
from clusteratlas.service import explore, maps
from clusteratlas.service import regions as regions_
from clusteratlas.service.coverage import statuses_for
from clusteratlas.service.exports import table_csv, table_xlsx

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["atlas"])
Lang = Annotated[Literal["de", "en"], Query(description="Language of names")]
Format = Annotated[Literal["json", "csv", "xlsx"],
                   Query(description="json, or csv/xlsx for the table (marked synthetic "
                                     "or not, with its provenance, inside the file)")]
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Scope = Annotated[str | None, Query(max_length=32, description=(
    "Region whose districts are shown and ranked (a country DG/US, a Land 09, a "
    "Regierungsbezirk 081, a US state US-06); default: the data directory's home scope"))]
Reference = Annotated[str | None, Query(max_length=32, description=(
    "Region whose structure is the LQ benchmark; default: the country when the data hold "
    "its row, else the scope's total"))]
Comparison = Annotated[str | None, Query(max_length=8, description=(
    "Regions the star and strong percentiles are taken over: all (every district of the "
    "data, default) or scope"))]
_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, "text/csv": {}, _XLSX: {}}}}


def table_response(rows: list[dict[str, Any]], name: str, meta: dict[str, Any],
                   fmt: str, lang: str) -> Response:
    """A table as a download, ``name.csv`` or ``name.xlsx``, with the synthetic marker
    and the provenance inside the file (:mod:`clusteratlas.service.exports`)."""
    if fmt == "xlsx":
        return Response(table_xlsx(rows, meta, lang, title=name), media_type=_XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    return Response(table_csv(rows, meta), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@router.get("/regions", summary="The districts of a scope with their codes")
def regions(request: Request, scope: Scope = None, reference: Reference = None,
            comparison: Comparison = None) -> dict[str, Any]:
    atlas = _atlas(request).view(scope, reference, comparison)
    items = regions_.list_regions(atlas)
    return {"ok": True, "count": len(items), "regions": items, **atlas.meta()}


@router.get("/regions/{code}", summary="A region's cluster categories and initiatives",
            responses=_CSV)
def region(
    request: Request,
    actor: ActorDep,
    code: str,
    year: Annotated[int | None, Query(ge=1800, le=2200)] = None,
    lang: Lang = "de",
    format: Format = "json",
    scope: Scope = None,
    reference: Reference = None,
    comparison: Comparison = None,
) -> Any:
    whole = _atlas(request)
    canonical = explore.canonical_region_code(whole, code)
    atlas = regions_.region_view(whole, canonical, scope=scope, reference=reference,
                                 comparison=comparison)
    profile = regions_.region_profile(atlas, canonical, year=year, lang=lang, actor=actor)
    if format != "json":
        return table_response(profile["categories"],
                              f"{profile['region']['code']}-{profile['year']}", profile,
                              format, lang)
    return {"ok": True, **profile}


@router.get("/map", summary="One category's indicator (LQ, employment, stars, strong, "
            "growth, coverage) in every region", responses=_CSV)
def state_map(
    request: Request,
    category: str | None = None,
    year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
    lang: Lang = "de",
    indicator: Literal["lq", "employment", "stars", "strong", "growth", "coverage"] = "lq",
    format: Format = "json",
    scope: Scope = None,
    reference: Reference = None,
    comparison: Comparison = None,
) -> Any:
    atlas = _atlas(request).view(scope, reference, comparison)
    statuses = statuses_for(atlas, category, year) if indicator == "coverage" else None
    data = paint_map(maps.state_map(atlas, category=category, year=year, lang=lang,
                                    indicator=indicator, statuses=statuses), lang)
    if format != "json":
        rows = [{k: v for k, v in r.items() if k not in ("colour", "text_colour", "class")}
                for r in data["regions"]]
        return table_response(rows, f"{data['category']['code']}-{data['year']}", data,
                              format, lang)
    return {"ok": True, **data}


@router.get("/categories/{code}", summary="One cluster category across the regions: "
            "ranking, concentration, trend, initiatives", responses=_CSV)
def category(request: Request, code: str,
             year: Annotated[int | None, Query(ge=1800, le=2200)] = None,
             lang: Lang = "de", format: Format = "json") -> Any:
    data = explore.category_profile(_atlas(request), code, year=year, lang=lang)
    if format != "json":
        return table_response(data["ranking"], f"{code}-{data['year']}", data, format, lang)
    return {"ok": True, **data}


@router.get("/compare", summary="Up to five regions side by side", responses=_CSV)
def compare(request: Request,
            regions: Annotated[str, Query(max_length=200, description="codes, comma-separated")],
            year: Annotated[int | None, Query(ge=1800, le=2200)] = None,
            lang: Lang = "de", format: Format = "json") -> Any:
    data = explore.compare(_atlas(request), regions.split(","), year=year, lang=lang)
    if format != "json":
        return table_response(data["rows"], f"compare-{data['year']}", data, format, lang)
    return {"ok": True, **data}


@router.get("/search", summary="Regions, cluster categories and initiatives by text")
def search(request: Request, q: Annotated[str, Query(max_length=200)],
           lang: Lang = "de") -> dict[str, Any]:
    return {"ok": True, **explore.search(_atlas(request), q, lang=lang,
                                         registry=request.app.state.registry)}


@router.get("/autocorrelation", summary="Spatial autocorrelation of one category's LQ")
def autocorrelation(
    request: Request,
    category: str | None = None,
    year: Annotated[int | None, Query(ge=1800, le=2200)] = None,
    permutations: Annotated[int, Query(ge=99, le=9999)] = 999,
    alpha: Annotated[float, Query(gt=0, lt=1)] = 0.05,
) -> dict[str, Any]:
    return {"ok": True, **maps.autocorrelation(
        _atlas(request), category=category, year=year, permutations=permutations,
        alpha=alpha)}


@router.get("/categories", summary="The cluster categories and their industry codes")
def categories(request: Request, lang: Lang = "de") -> dict[str, Any]:
    atlas = _atlas(request)
    return {"ok": True, "category_set": atlas.categories.name,
            "version": atlas.categories.version,
            "categories": explore.list_categories(atlas, lang),
            "unsupported_categories": atlas.unsupported(lang), **atlas.meta()}
