"""JSON API: the twins of the atlas pages."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from clusteratlas.service.atlas import Atlas

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["atlas"])
Lang = Annotated[Literal["de", "en"], Query(description="Language of names")]


def _atlas(request: Request) -> Atlas:
    atlas: Atlas = request.app.state.atlas
    return atlas


@router.get("/regions", summary="All regions of the atlas with their codes")
def regions(request: Request) -> dict[str, Any]:
    atlas = _atlas(request)
    items = atlas.list_regions()
    return {"ok": True, "count": len(items), "regions": items, **atlas.meta()}


@router.get("/regions/{code}", summary="A region's cluster categories and initiatives")
def region(
    request: Request,
    code: str,
    year: Annotated[int | None, Query(ge=1800, le=2200)] = None,
    lang: Lang = "de",
) -> dict[str, Any]:
    return {"ok": True, **_atlas(request).region_profile(code, year=year, lang=lang)}


@router.get("/map", summary="One category's location quotient in every region")
def state_map(
    request: Request,
    category: str | None = None,
    year: Annotated[int | None, Query(ge=1800, le=2200)] = None,
    lang: Lang = "de",
) -> dict[str, Any]:
    return {"ok": True, **_atlas(request).state_map(category=category, year=year, lang=lang)}


@router.get("/autocorrelation", summary="Spatial autocorrelation of one category's LQ")
def autocorrelation(
    request: Request,
    category: str | None = None,
    year: Annotated[int | None, Query(ge=1800, le=2200)] = None,
    permutations: Annotated[int, Query(ge=99, le=9999)] = 999,
    alpha: Annotated[float, Query(gt=0, lt=1)] = 0.05,
) -> dict[str, Any]:
    return {"ok": True, **_atlas(request).autocorrelation(
        category=category, year=year, permutations=permutations, alpha=alpha)}


@router.get("/categories", summary="The cluster categories and their industry codes")
def categories(request: Request, lang: Lang = "de") -> dict[str, Any]:
    atlas = _atlas(request)
    return {"ok": True, "category_set": atlas.categories.name,
            "version": atlas.categories.version,
            "categories": atlas.list_categories(lang), **atlas.meta()}
