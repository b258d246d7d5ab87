"""JSON API linking agglomerations and initiatives (a thin layer over the use cases
:mod:`~clusteratlas.service.coverage`, :mod:`~clusteratlas.service.benchmarks`,
:mod:`~clusteratlas.service.impact`, :mod:`~clusteratlas.service.diversification` and
:mod:`~clusteratlas.service.partners`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from clusteratlas.api.registry_routes import _ERRORS, InitiativeId
from clusteratlas.http.deps import ActorDep, AtlasDep
from clusteratlas.service import diversification
from clusteratlas.service import impact as impact_
from clusteratlas.service import partners as partners_
from clusteratlas.service.benchmarks import initiative_benchmark, parse_weights
from clusteratlas.service.coverage import CoverageRule
from clusteratlas.service.coverage import coverage as coverage_of
from clusteratlas.service.coverage import portfolio as portfolio_of

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["alignment"], responses=_ERRORS)
Year = Annotated[int | None, Query(ge=1800, le=2200)]
Lang = Annotated[Literal["de", "en"], Query()]


def rule_params(
    rule: Annotated[Literal["strong", "strong_p90", "stars", "lq"], Query(
        description="what makes a cell an agglomeration")] = "strong",
    min_stars: Annotated[int, Query(ge=1, le=3)] = 2,
    min_lq: Annotated[float, Query(gt=0, le=100)] = 1.5,
    emerging_cagr: Annotated[float, Query(ge=-1, le=10)] = 0.03,
    statewide_covers: bool = True,
) -> CoverageRule:
    return CoverageRule(agglomeration=rule, min_stars=min_stars, min_lq=min_lq,
                        emerging_cagr=emerging_cagr, statewide_covers=statewide_covers)


RuleDep = Annotated[CoverageRule, Depends(rule_params)]


@router.get("/alignment", summary="Coverage of every region × category: covered (regionally, "
            "statewide or within a coarser category), gap, emerging, initiative without base, "
            "statewide network, field within a section, none")
def alignment(atlas: AtlasDep, rule: RuleDep, year: Year = None,
              status: Annotated[Literal["covered", "covered_statewide", "covered_within",
                                            "gap", "emerging", "no_base", "statewide_network",
                                            "within_section", "none"]
                                | None, Query()] = None,
              scope: Annotated[str | None, Query(max_length=32, description=(
                  "Region whose districts are covered (default: the home scope)"))] = None,
              reference: Annotated[str | None, Query(max_length=32, description=(
                  "Region whose structure is the LQ benchmark"))] = None,
              comparison: Annotated[str | None, Query(max_length=8, description=(
                  "Percentiles over all districts of the data (default) or the scope"))]
              = None) -> dict[str, Any]:
    atlas = atlas.view(scope, reference, comparison)
    cov = coverage_of(atlas, year=year, rule=rule)
    if status is not None:
        cov = cov[cov["status"] == status]
    rows = cov.astype(object).where(cov.notna(), None).to_dict("records")
    return {"ok": True, "year": int(cov["year"].iloc[0]) if len(cov) else year,
            "count": len(rows), "cells": rows, **atlas.meta()}


@router.get("/alignment/portfolio", summary="Statewide portfolio: covered share, gaps "
            "ranked by employment, initiatives per category, overlaps")
def portfolio(atlas: AtlasDep, rule: RuleDep, year: Year = None,
              top: Annotated[int, Query(ge=1, le=500)] = 20) -> dict[str, Any]:
    return {"ok": True, **portfolio_of(atlas, year=year, rule=rule, top=top)}


@router.get("/initiatives/{initiative_id}/benchmark",
            summary="KPIs against peers: percentiles, trend, weighted composite")
def benchmark(request: Request, atlas: AtlasDep, actor: ActorDep,
              initiative_id: InitiativeId, year: Year = None,
              weight: Annotated[list[str] | None, Query(
                  description="indicator:weight, repeatable (replaces the default weights)",
                  max_length=30)] = None) -> dict[str, Any]:
    return {"ok": True, **initiative_benchmark(atlas, request.app.state.registry,
                                               initiative_id, actor, year=year,
                                               weights=parse_weights(weight))}


@router.get("/initiatives/{initiative_id}/impact",
            summary="Covered cells before and after the founding; matched "
                    "difference in differences (an association, not proof of cause)")
def impact(atlas: AtlasDep, initiative_id: InitiativeId,
           k: Annotated[int, Query(ge=2, le=20)] = 5) -> dict[str, Any]:
    return {"ok": True, **impact_.impact(atlas, initiative_id, k=k)}


@router.get("/initiatives/{initiative_id}/partners",
            summary="Initiatives in the same or related categories nearby")
def partners(atlas: AtlasDep, initiative_id: InitiativeId, year: Year = None,
             max_km: Annotated[float, Query(gt=0, le=20000)] = 100.0,
             min_proximity: Annotated[float, Query(ge=0, le=1)] = 0.3) -> dict[str, Any]:
    # relatedness comes from the atlas' panel: the answer says whether it is demo data
    return {"ok": True, **partners_.partners(atlas, initiative_id, max_km=max_km, year=year,
                                             min_proximity=min_proximity), **atlas.meta()}


@router.get("/regions/{code}/opportunities",
            summary="Related industries the region does not yet specialise in")
def opportunities(atlas: AtlasDep, code: Annotated[str, Path(max_length=32)],
                  year: Year = None, top: Annotated[int, Query(ge=1, le=200)] = 10,
                  lang: Lang = "de") -> dict[str, Any]:
    return {"ok": True, **diversification.opportunities(atlas, code, year=year, top=top,
                                                        lang=lang)}
