"""HTML pages.  Views call the service and draw with :mod:`clusteratlas.presentation`,
never core or the stores."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clusteratlas.errors import ClusteratlasError, InputError
from clusteratlas.http.deps import session_actor
from clusteratlas.i18n import text
from clusteratlas.i18n.formats import format_number, format_signed_percent
from clusteratlas.presentation.charts import line_chart
from clusteratlas.presentation.colours import paint_map, ranked
from clusteratlas.presentation.svgmap import marker_point, svg_map
from clusteratlas.service import coverage, diversification, explore, maps, regions
from clusteratlas.service.atlas import Atlas

__all__ = ["router"]

#: rows of the map page's ranking table
RANKED = 100

router = APIRouter(include_in_schema=False)
Lang = Annotated[Literal["de", "en"], Query()]


def _render(request: Request, template: str, lang: str, *, atlas: Atlas | None = None,
            svg: dict[str, Any] | None = None, **context: Any) -> Response:
    atlas = atlas or request.app.state.atlas
    t = request.app.state.translate(lang)
    other = "en" if lang == "de" else "de"
    params = dict(request.query_params) | {"lang": other}
    switch_url = request.url.path + "?" + "&".join(f"{k}={v}" for k, v in params.items())
    response: Response = request.app.state.templates.TemplateResponse(
        request, template,
        {"t": t, "lang": lang, "switch_url": switch_url, "svg": svg or _svg(atlas),
         "meta": atlas.meta(), "layer": atlas.layer,
         "names_lang": _names_language(atlas), **context},
    )
    return response


def _computable(atlas: Atlas, code: str | None, lang: str) -> None:
    """Refuse (400) a cluster category the table cannot measure, in the page's
    language and with the level of data it needs (the API says it in English)."""
    for item in atlas.unsupported(lang):
        if item["code"] == code and code not in atlas.categories:
            raise InputError(text("category_not_computable", lang, name=item["name"],
                                  needs=item["reason"]))


def _names_language(atlas: Atlas) -> str | None:
    """``en`` where the category set's names exist in English only (the US Cluster
    Mapping's official names, the same in both languages): pages mark them."""
    cats = atlas.categories
    if cats.classification.startswith("naics") and all(
            c.name_de == c.name_en for c in cats.categories):
        return "en"
    return None


def _svg(atlas: Atlas) -> dict[str, Any]:
    """The regions of the view's scope as SVG paths, the drawing fitted to them (drawn
    once per view)."""
    shown = {r.code for r in atlas.mapped_regions} if atlas.choice is not None else None
    svg: dict[str, Any] = atlas.remember(("svg",), lambda: svg_map(
        {k: v for k, v in atlas.geometries.items() if shown is None or k in shown},
        geographic=atlas.layer != "schematic"))
    return svg


#: a district page's mini map draws the whole view up to this many regions; a larger
#: view (all US counties: 3,140 shapes, half a megabyte) the district and its
#: :data:`MINI_NEIGHBOURS` nearest neighbours
MINI_WHOLE = 60
MINI_NEIGHBOURS = 24


def mini_svg(atlas: Atlas, code: str) -> dict[str, Any]:
    """The regions a district page's mini map draws (:data:`MINI_WHOLE`), drawn once
    per view and district."""
    if len(atlas.mapped_regions) <= MINI_WHOLE:
        return _svg(atlas)

    def draw() -> dict[str, Any]:
        near = regions.neighbours(atlas, code, n=MINI_NEIGHBOURS)
        if not near:  # no representative points (US counties): the view's drawing's
            at = _svg(atlas)["labels"]  # label points, as near on the map as on the ground
            if code in at:
                x, y = at[code]
                near = sorted((c for c in at if c != code),
                              key=lambda c: (at[c][0] - x) ** 2 + (at[c][1] - y) ** 2
                              )[:MINI_NEIGHBOURS]
        shown = {code, *near}
        return svg_map({k: v for k, v in atlas.geometries.items() if k in shown},
                       geographic=atlas.layer != "schematic")

    svg: dict[str, Any] = atlas.remember(("mini", code), draw)
    return svg


def prepare(atlas: Atlas) -> None:
    """What the first pages of a new snapshot would otherwise compute while a visitor
    waits: the home view's map drawn (all US counties: about a second), the coverage
    of the latest year and the product space (district pages)."""
    _svg(atlas)
    coverage.coverage(atlas)
    diversification.prepare(atlas)


Scope = Annotated[str | None, Query(max_length=32)]
Comparison = Annotated[str | None, Query(max_length=8)]


def _keep(scope: str | None, reference: str | None, comparison: str | None) -> str:
    """The query part that keeps a page's scope, reference and comparison in its links."""
    given = {"scope": scope, "reference": reference, "comparison": comparison}
    return "".join(f"&{k}={quote(v)}" for k, v in given.items() if v)


Indicator = Literal["lq", "employment", "stars", "strong", "growth", "coverage"]


def _shown(t: Any, indicator: str, value: Any, lang: str) -> str:
    """A region's value as its map title says it (``LQ 1,23``, ``★★``, …)."""
    if indicator == "lq":
        return "LQ " + (format_number(value, lang, 2) if value is not None else t("no_data"))
    if indicator == "employment":
        return (f"{format_number(value, lang, 0) if value is not None else t('no_data')} "
                f"{t('employment')}")
    if indicator == "stars":
        return "★" * int(value) if value is not None else "–"
    if indicator == "strong":
        return str(t("strong")) if value else "–"
    if indicator == "growth":
        return (f"{format_signed_percent(value, lang, 1) if value is not None else t('no_data')}"
                f" {t('per_year')}")
    return str(t("status_" + value) if value else t("no_data"))


def _marks(regions: list[dict[str, Any]], link: str, title: Callable[[dict[str, Any]], str],
           caption: str) -> dict[str, dict[str, str]]:
    """A painted map's fills, links (``link`` with ``{code}``), titles, short labels and
    label colours by region: built here, not in a template loop (all US counties: a
    tenth of a second less per page)."""
    out: dict[str, dict[str, str]] = {"fills": {}, "links": {}, "titles": {"_": caption},
                                      "short": {}, "lfill": {}}
    for f in regions:
        code = f["code"]
        out["fills"][code] = f["colour"]
        out["links"][code] = link.format(code=code)
        out["titles"][code] = title(f)
        out["short"][code] = f["abbreviation"] or f["name"][:3]
        out["lfill"][code] = f["text_colour"]
    return out


def _markers(atlas: Atlas, seats: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Initiative seats as map markers, below the seat's label, several side by side."""
    out: list[dict[str, Any]] = []
    count: dict[str, int] = {}
    for s in seats:
        count[s["region"]] = count.get(s["region"], 0) + 1
    taken: dict[str, int] = {}
    for s in seats:
        point = _svg(atlas)["labels"].get(s["region"])
        if point is None:
            continue
        n = taken.get(s["region"], 0)
        taken[s["region"]] = n + 1
        x, y = marker_point(point, n, count[s["region"]])
        out.append({"id": s["id"], "x": x, "y": y,
                    "title": s["name"], "href": f"/initiatives/{s['id']}?lang={lang}"})
    return out


@router.get("/", response_class=HTMLResponse)
def map_page(
    request: Request,
    category: str | None = None,
    year: Annotated[int | None, Query(ge=1800, le=2200)] = None,
    indicator: Indicator = "lq",
    lang: Lang = "de",
    scope: Scope = None,
    reference: Scope = None,
    comparison: Comparison = None,
) -> Response:
    atlas: Atlas = request.app.state.atlas.view(scope, reference, comparison)
    _computable(atlas, category, lang)
    statuses = (coverage.statuses_for(atlas, category, year) if indicator == "coverage"
                else None)
    data = paint_map(maps.state_map(atlas, category=category, year=year, lang=lang,
                                    indicator=indicator, statuses=statuses), lang)
    ranking = ranked(data["regions"], indicator)
    # the first RANKED rows of a large scope (all US counties: 3,143 rows were 0.8 MB
    # of HTML); the CSV and XLSX downloads have every region
    ranked_of = len(ranking)
    ranking = ranking[:RANKED]
    keep = _keep(scope, reference, comparison)
    query = (f"category={data['category']['code']}&year={data['year']}&indicator={indicator}"
             f"{keep}")
    t = request.app.state.translate(lang)
    marks = _marks(data["regions"],
                   f"/regions/{{code}}?year={data['year']}&lang={lang}{keep}",
                   lambda f: f"{f['name']}: {_shown(t, indicator, f['value'], lang).strip()}",
                   f"{t('ind_' + indicator)}: {data['category']['name']}")
    return _render(request, "map.html", lang, atlas=atlas, data=data, ranking=ranking,
                   marks=marks,
                   ranked_of=ranked_of,
                   keep=keep, scopes=regions.scopes(atlas),
                   categories=explore.by_name(explore.list_categories(atlas, lang)),
                   markers=_markers(atlas, data["seats"], lang),
                   min_employment=format_number(atlas.options.min_employment, lang),
                   unsupported=maps.unsupported_lines(data["unsupported_categories"], lang),
                   json_url=f"/api/map?{query}&lang={lang}",
                   csv_url=f"/api/map?{query}&lang={lang}&format=csv")


@router.get("/regions/{code}", response_class=HTMLResponse)
def region_page(
    request: Request,
    code: str,
    year: Annotated[int | None, Query(ge=1800, le=2200)] = None,
    lang: Lang = "de",
    scope: Scope = None,
    reference: Scope = None,
    comparison: Comparison = None,
) -> Response:
    whole: Atlas = request.app.state.atlas
    canonical = explore.canonical_region_code(whole, code)
    if canonical != code:  # "8435" as a spreadsheet kept it: the page has one address
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/regions/{canonical}{query}", status_code=308)
    atlas = regions.region_view(whole, code, scope=scope, reference=reference,
                                comparison=comparison)
    keep = _keep(scope, reference, comparison)
    profile = regions.region_profile(atlas, code, year=year, lang=lang,
                                     actor=session_actor(request))
    rcode, y = profile["region"]["code"], profile["year"]
    top = [c for c in profile["categories"] if c["category"] in profile["top_by_lq"]]
    top.sort(key=lambda c: -(c["lq"] or 0))
    names = {c["code"]: c["name"] for c in explore.list_categories(atlas, lang)}
    cov = coverage.coverage(atlas, year=y)
    mine = cov[cov["region"] == rcode]
    status = dict(zip(mine["category"], mine["status"], strict=True))
    within = {c: coverage.field_names(w, lang) for c, w in
              zip(mine["category"], mine["within_of"], strict=True) if w}
    series = explore.trends(atlas, rcode, [c["category"] for c in top[:3]])
    chart = line_chart(series, lang=lang) if top else None
    near = regions.neighbours(atlas, rcode)
    compared = explore.compare(atlas, [rcode, *near[:4]], year=y, lang=lang) if near else None
    try:
        options = diversification.opportunities(atlas, rcode, year=y, top=5, lang=lang)
    except ClusteratlasError:
        options = None
    gaps = [c for c in profile["categories"] if status.get(c["category"]) == "gap"]
    return _render(request, "region.html", lang, atlas=atlas, svg=mini_svg(atlas, rcode),
                   p=profile, top=top,
                   status=status, gaps=gaps, within=within, chart=chart, series=series, names=names,
                   compared=compared, options=options, keep=keep,
                   registry_empty=not atlas.initiatives,
                   scopes=regions.scopes(atlas, region=rcode),
                   json_url=f"/api/regions/{rcode}?year={y}&lang={lang}{keep}",
                   csv_url=f"/api/regions/{rcode}?year={y}&lang={lang}{keep}&format=csv")


@router.get("/categories/{code}", response_class=HTMLResponse)
def category_page(request: Request, code: str,
                  year: Annotated[int | None, Query(ge=1800, le=2200)] = None,
                  lang: Lang = "de") -> Response:
    atlas: Atlas = request.app.state.atlas
    _computable(atlas, code, lang)
    data = explore.category_profile(atlas, code, year=year, lang=lang)
    mapped = paint_map(maps.state_map(atlas, category=data["category"]["code"],
                                      year=data["year"], lang=lang), lang)
    chart = line_chart([{"category": data["category"]["code"], "points": [
        {"year": t["year"], "employment": t["employment"]} for t in data["trend"]]}],
        lang=lang)
    q = f"{data['category']['code']}?year={data['year']}&lang={lang}"
    t = request.app.state.translate(lang)
    marks = _marks(mapped["regions"], f"/regions/{{code}}?lang={lang}",
                   lambda f: f"{f['name']}: LQ " + (format_number(f["lq"], lang, 2)
                                                    if f["lq"] is not None else t("no_data")),
                   f"{t('lq_title')}: {data['category']['name']}")
    return _render(request, "category.html", lang, data=data, mapped=mapped, chart=chart,
                   marks=marks,
                   ranking=data["ranking"][:RANKED], ranked_of=len(data["ranking"]),
                   markers=_markers(atlas, mapped["seats"], lang),
                   json_url=f"/api/categories/{q}", csv_url=f"/api/categories/{q}&format=csv")


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request,
                 regions: Annotated[str, Query(max_length=200)] = "",
                 pick: Annotated[list[str] | None, Query(max_length=50)] = None,
                 year: Annotated[int | None, Query(ge=1800, le=2200)] = None,
                 lang: Lang = "de") -> Response:
    atlas: Atlas = request.app.state.atlas
    # the form sends the picked regions (pick=…); shared links carry regions=a,b,c
    chosen = list(dict.fromkeys(pick or [c.strip() for c in regions.split(",")
                                         if c.strip()]))
    # more than the limit: the first ones and a notice, not a dead-end error page
    too_many = len(chosen) if len(chosen) > explore.MAX_COMPARE else 0
    chosen = chosen[:explore.MAX_COMPARE]
    data = explore.compare(atlas, chosen, year=year, lang=lang) if chosen else None
    options = explore.by_name([{"code": r.code, "name": r.display_name}
                               for r in atlas.mapped_regions])
    q = f"regions={','.join(chosen)}&year={data['year'] if data else ''}&lang={lang}"
    return _render(request, "compare.html", lang, data=data, options=options, chosen=chosen,
                   max_regions=explore.MAX_COMPARE, too_many=too_many, json_url=f"/api/compare?{q}",
                   csv_url=f"/api/compare?{q}&format=csv")


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: Annotated[str, Query(max_length=200)] = "",
                lang: Lang = "de") -> Response:
    atlas: Atlas = request.app.state.atlas
    result = None
    # a one-letter query gets the form again with a hint, not an error page
    too_short = 0 < len(q.strip()) < explore.MIN_QUERY
    if q.strip() and not too_short:
        result = explore.search(atlas, q, lang=lang, registry=request.app.state.registry)
    return _render(request, "search.html", lang, q=q, result=result, too_short=too_short,
                   min_query=explore.MIN_QUERY,
                   json_url=f"/api/search?q={q}&lang={lang}")


#: the glossary's entries: anchor and catalogue key stem (``gl_<stem>_term``, ``_text``,
#: ``_formula``); the explanations beside the indicators link to these anchors
GLOSSARY = (("cluster", "cluster"), ("lq", "lq"), ("stars", "stars"), ("strong", "strong"),
            ("rca", "rca"), ("density", "density"), ("complexity", "complexity"),
            ("cog", "cog"), ("impact", "impact"))


@router.get("/glossary", response_class=HTMLResponse)
def glossary_page(request: Request, lang: Lang = "de") -> Response:
    entries = [{"anchor": anchor, "term": f"gl_{stem}_term", "text": f"gl_{stem}_text",
                "formula": f"gl_{stem}_formula" if stem != "cluster" else None}
               for anchor, stem in GLOSSARY]
    return _render(request, "glossary.html", lang, entries=entries)


@router.get("/briefing/{kind}/{target}.{fmt}")
@router.get("/briefing/{kind}.{fmt}")
def briefing(request: Request, kind: Literal["district", "initiative", "state"],
             fmt: Literal["pdf", "html"], target: str | None = None,
             year: Annotated[int | None, Query(ge=1800, le=2200)] = None,
             lang: Lang = "de", scope: Scope = None, reference: Scope = None) -> Response:
    """The briefing of a district, an initiative or the scope, to download."""
    from clusteratlas.reports import render_briefing
    from clusteratlas.service.briefings import build

    b = build(request.app.state.atlas, request.app.state.registry, kind, target, lang=lang,
              year=year, scope=scope, reference=reference)
    data = render_briefing(b, fmt)
    name = f"clusteratlas-{kind}{'-' + target if target else ''}-{lang}.{fmt}"
    if fmt == "html":
        return Response(data, media_type="text/html; charset=utf-8")
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
