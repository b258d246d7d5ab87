"""HTML pages.  Views call the service only, never core or the stores."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from clusteratlas.service.atlas import Atlas

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Lang = Annotated[Literal["de", "en"], Query()]


def _render(request: Request, template: str, lang: str, **context: Any) -> Response:
    atlas: Atlas = request.app.state.atlas
    t = request.app.state.translate(lang)
    other = "en" if lang == "de" else "de"
    params = dict(request.query_params) | {"lang": other}
    switch_url = request.url.path + "?" + "&".join(f"{k}={v}" for k, v in params.items())
    response: Response = request.app.state.templates.TemplateResponse(
        request, template,
        {"t": t, "lang": lang, "switch_url": switch_url, "svg": atlas.svg,
         "meta": atlas.meta(), "layer": atlas.layer, **context},
    )
    return response


@router.get("/", response_class=HTMLResponse)
def map_page(
    request: Request,
    category: str | None = None,
    year: Annotated[int | None, Query(ge=1800, le=2200)] = None,
    lang: Lang = "de",
) -> Response:
    atlas: Atlas = request.app.state.atlas
    data = atlas.state_map(category=category, year=year, lang=lang)
    ranking = sorted(data["regions"], key=lambda f: -(f["lq"] if f["lq"] is not None else -1))
    return _render(request, "map.html", lang, data=data, ranking=ranking,
                   categories=atlas.list_categories(lang),
                   json_url=f"/api/map?category={data['category']['code']}&year={data['year']}&lang={lang}")


@router.get("/regions/{code}", response_class=HTMLResponse)
def region_page(
    request: Request,
    code: str,
    year: Annotated[int | None, Query(ge=1800, le=2200)] = None,
    lang: Lang = "de",
) -> Response:
    atlas: Atlas = request.app.state.atlas
    profile = atlas.region_profile(code, year=year, lang=lang)
    top = [c for c in profile["categories"] if c["category"] in profile["top_by_lq"]]
    top.sort(key=lambda c: -(c["lq"] or 0))
    return _render(request, "region.html", lang, p=profile, top=top,
                   json_url=f"/api/regions/{profile['region']['code']}?year={profile['year']}&lang={lang}")
