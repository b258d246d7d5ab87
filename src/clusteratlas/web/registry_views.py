"""HTML pages of the initiative registry: list, profile, history, edit and KPI forms,
the review queue, sign-in and user management.  Every page calls the registry
service only; forms carry the session's CSRF token and the version they edit."""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clusteratlas.errors import AccessError, ClusteratlasError, FindingsError
from clusteratlas.http.deps import SESSION_COOKIE
from clusteratlas.http.deps import check_form_csrf as _check_csrf
from clusteratlas.http.deps import registry as _service
from clusteratlas.http.deps import session_actor as _actor
from clusteratlas.http.provenance import PROVENANCE
from clusteratlas.registry.access import require
from clusteratlas.registry.auth import ANONYMOUS, Actor, new_secret
from clusteratlas.registry.fields import KPI_DECIMAL_FIELDS, KPI_FIELDS, KPI_TEXT_FIELDS
from clusteratlas.registry.schemas import (
    FIELD_GROUPS,
    LABELS,
    InitiativePatch,
    KpiReportIn,
)
from clusteratlas.service.explore import by_name, list_categories
from clusteratlas.service.registry import parse

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
#: the sign-in form's CSRF token (double-submit cookie)
LOGIN_COOKIE = "clusteratlas_login"
Lang = Annotated[Literal["de", "en"], Query()]
# each free text beside its English variant (the unsuffixed field is German)
_TEXT_FIELDS = ("name", "short_name", "sector", "sector_en", "seat_town",
                "managing_organisation", "managing_organisation_en",
                "legal_form", "website", "founded_on", "status_since", "successor_id")
_AREA_FIELDS = ("founding_occasion", "founding_occasion_en", "goals", "goals_en", "services",
                "services_en", "members_text", "members_text_en", "staff_text",
                "staff_text_en")


def _registry_meta(atlas: Any = None) -> dict[str, Any]:
    """The provenance of a registry page; with ``atlas``, the page also shows the atlas'
    numbers (employment, impact), and says so when they are synthetic."""
    registry = [p | {"attribution": "Clusteratlas registry", "licence": "facts with their sources"}
                for p in PROVENANCE]
    if atlas is None:
        return {"synthetic": False, "provenance": registry}
    meta: dict[str, Any] = atlas.meta()
    return meta | {"provenance": [*meta["provenance"], *registry]}


def _render(request: Request, template: str, lang: str, actor: Actor, *,
            status: int = 200, **context: Any) -> Response:
    t = request.app.state.translate(lang)
    other = "en" if lang == "de" else "de"
    params = dict(request.query_params) | {"lang": other}
    response: Response = request.app.state.templates.TemplateResponse(
        request, template,
        {"t": t, "lang": lang, "switch_url": request.url.path + "?" + urlencode(params),
         "meta": _registry_meta(), "actor": actor, "labels": LABELS, **context},
        status_code=status)
    return response


def _back(url: str, lang: str) -> RedirectResponse:
    sep = "&" if "?" in url else "?"
    return RedirectResponse(f"{url}{sep}lang={lang}", status_code=303)


@router.get("/initiatives", response_class=HTMLResponse)
def initiatives_page(
    request: Request, lang: Lang = "de",
    q: Annotated[str | None, Query(max_length=200)] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    region: Annotated[str | None, Query(max_length=32)] = None,
    label: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[Literal["active", "merged", "closed", ""] | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    actor = _actor(request)
    atlas = request.app.state.atlas
    result = _service(request).find(actor, text=q or None, category=category or None,
                                    region=region or None, label=label or None,
                                    status=status or None, page=page, per_page=50)
    return _render(request, "initiatives.html", lang, actor, result=result,
                   filters={"q": q or "", "category": category or "", "region": region or "",
                            "label": label or "", "status": status or ""},
                   categories=by_name(list_categories(atlas, lang)),
                   regions=by_name([{"code": c, "name": atlas.regions[c].display_name}
                                    for c in atlas.regions if len(c) == 5]))


@router.get("/initiatives/{initiative_id}", response_class=HTMLResponse)
def initiative_page(request: Request, initiative_id: str, lang: Lang = "de") -> Response:
    actor = _actor(request)
    service = _service(request)
    item = service.get(initiative_id, actor)
    atlas = request.app.state.atlas
    names = {c["code"]: c["name"] for c in list_categories(atlas, lang)}
    regions = {c: atlas.regions[c].display_name for c in atlas.regions}
    from clusteratlas.service.benchmarks import initiative_benchmark
    from clusteratlas.service.impact import impact as impact_of
    from clusteratlas.service.partners import partners as partners_of

    bench = impact = partner = None
    if any(r.id == initiative_id for r in atlas.shown(actor)):
        if item.get("kpi_reports"):  # reports on the page to compare with
            bench = initiative_benchmark(atlas, service, initiative_id, actor)
        impact = impact_of(atlas, initiative_id)
        partner = partners_of(atlas, initiative_id)
    accepted = [r for r in item.get("kpi_reports", []) if r["status"] == "accepted"]
    return _render(request, "initiative.html", lang, actor, i=item, category_names=names,
                   region_names=regions, kpi_fields=KPI_FIELDS, bench=bench, impact=impact,
                   partners=partner, accepted=accepted,
                   keeps=actor.keeps(initiative_id), json_url=f"/api/initiatives/{initiative_id}",
                   # the impact table and the partners come from the atlas' panel
                   meta=_registry_meta(atlas if impact is not None or partner is not None
                                       else None))


@router.get("/initiatives/{initiative_id}/history", response_class=HTMLResponse)
def history_page(request: Request, initiative_id: str, lang: Lang = "de") -> Response:
    actor = _actor(request)
    service = _service(request)
    entries = service.history(initiative_id, actor)
    item = service.get(initiative_id, actor)
    return _render(request, "history.html", lang, actor, i=item, entries=entries[::-1])


@router.post("/initiatives/{initiative_id}/history/{entry_id}/restore")
def restore_form(request: Request, initiative_id: str, entry_id: int,
                 csrf: Annotated[str, Form()] = "",
                 before: Annotated[bool, Form()] = False, lang: Lang = "de") -> Response:
    actor = _actor(request)
    _check_csrf(actor, csrf)
    _service(request).restore(initiative_id, entry_id, actor, before=before)
    request.app.state.registry_changed()
    return _back(f"/initiatives/{quote(initiative_id)}", lang)


def _edit(request: Request, initiative_id: str, lang: str, actor: Actor,
          errors: list[dict[str, str]] | None = None, form: dict[str, Any] | None = None,
          status: int = 200) -> Response:
    item = _service(request).get(initiative_id, actor)
    require(actor, "edit", initiative_id)
    values = dict(item) | (form or {})
    return _render(request, "edit.html", lang, actor, i=item, v=values, errors=errors or [],
                   text_fields=_TEXT_FIELDS, area_fields=_AREA_FIELDS, groups=FIELD_GROUPS,
                   status=status)


@router.get("/initiatives/{initiative_id}/edit", response_class=HTMLResponse)
def edit_page(request: Request, initiative_id: str, lang: Lang = "de") -> Response:
    return _edit(request, initiative_id, lang, _actor(request))


@router.post("/initiatives/{initiative_id}/edit")
async def edit_form(request: Request, initiative_id: str, lang: Lang = "de") -> Response:
    actor = _actor(request)
    form = dict(await request.form())
    _check_csrf(actor, str(form.get("csrf", "")))
    data: dict[str, Any] = {k: str(form.get(k, "")) for k in _TEXT_FIELDS + _AREA_FIELDS}
    data["status"] = str(form.get("status", "active"))
    founded = str(form.get("founded", "")).strip()
    data["founded"] = int(founded) if founded.isdigit() else (founded or None)
    data["regions_served"] = [c for c in str(form.get("regions_served", "")).replace(",", " ")
                              .split() if c]
    data["categories"] = [c for c in str(form.get("categories", "")).replace(",", " ")
                          .split() if c]
    data["visibility"] = {g: f"public_{g}" in form for g in FIELD_GROUPS}
    for key in ("founded_on", "status_since", "successor_id"):
        if not data[key]:
            data[key] = None
    try:
        patch = parse(InitiativePatch, data, "form")
        _service(request).update(initiative_id, patch, actor, str(form.get("version", "")))
    except (FindingsError, ClusteratlasError) as exc:
        if isinstance(exc, AccessError):
            raise
        findings = getattr(exc, "findings", None) or [
            {"level": "error", "field": "", "message": exc.message}]
        return _edit(request, initiative_id, lang, actor, findings, data | {
            "version": form.get("version")}, status=exc.http_status)
    request.app.state.registry_changed()
    return _back(f"/initiatives/{quote(initiative_id)}", lang)


def _kpi_page(request: Request, initiative_id: str, year: int, lang: str, actor: Actor,
              errors: list[dict[str, str]] | None = None, form: dict[str, Any] | None = None,
              status: int = 200) -> Response:
    service = _service(request)
    item = service.get(initiative_id, actor)
    require(actor, "edit", initiative_id)
    report = next((r for r in item.get("kpi_reports", []) if r["year"] == year), None)
    values = dict(report or {}) | (form or {})
    return _render(request, "kpi.html", lang, actor, i=item, year=year, report=report,
                   v=values, errors=errors or [], kpi_fields=KPI_FIELDS, status=status)


@router.get("/initiatives/{initiative_id}/kpis/{year}", response_class=HTMLResponse)
def kpi_page(request: Request, initiative_id: str, year: int, lang: Lang = "de") -> Response:
    return _kpi_page(request, initiative_id, year, lang, _actor(request))


@router.post("/initiatives/{initiative_id}/kpis/{year}")
async def kpi_form(request: Request, initiative_id: str, year: int,
                   lang: Lang = "de") -> Response:
    actor = _actor(request)
    form = dict(await request.form())
    _check_csrf(actor, str(form.get("csrf", "")))
    data: dict[str, Any] = {}
    for key in KPI_FIELDS:
        raw = str(form.get(key, "")).strip()
        if key in KPI_TEXT_FIELDS:
            data[key] = raw
        elif raw:
            data[key] = raw.replace(",", ".") if key in KPI_DECIMAL_FIELDS else raw
    version = str(form.get("version", "")) or None
    service = _service(request)
    try:
        report = parse(KpiReportIn, data, "form")
        out = service.put_kpi(initiative_id, year, report, actor, version)
        if form.get("action") == "submit":
            service.submit_kpi(initiative_id, year, actor, str(out["version"]))
    except ClusteratlasError as exc:
        if isinstance(exc, AccessError):
            raise
        findings = getattr(exc, "findings", None) or [
            {"level": "error", "field": "", "message": exc.message}]
        return _kpi_page(request, initiative_id, year, lang, actor, findings, data,
                         status=exc.http_status)
    return _back(f"/initiatives/{quote(initiative_id)}/kpis/{year}", lang)


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, lang: Lang = "de") -> Response:
    actor = _actor(request)
    return _render(request, "review.html", lang, actor,
                   queue=_service(request).review_queue(actor))


@router.post("/review/{initiative_id}/{year}")
def review_form(request: Request, initiative_id: str, year: int,
                decision: Annotated[Literal["accept", "return"], Form()],
                version: Annotated[str, Form()], csrf: Annotated[str, Form()] = "",
                comment: Annotated[str, Form(max_length=5000)] = "",
                lang: Lang = "de") -> Response:
    actor = _actor(request)
    _check_csrf(actor, csrf)
    _service(request).review_kpi(initiative_id, year, {"decision": decision,
                                                       "comment": comment}, actor, version)
    return _back("/review", lang)


def _login_form(request: Request, lang: str, actor: Actor, next: str,
                error: str | None = None, status: int = 200) -> Response:
    """The sign-in form with a CSRF token, double-submitted: in a hidden field and in a
    cookie that another site's page cannot read or set (so it cannot sign a browser
    in to an account of its choosing)."""
    token = request.cookies.get(LOGIN_COOKIE) or new_secret()
    response = _render(request, "login.html", lang, actor, error=error, next=next,
                       csrf=token, status=status)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", max_age=3600, path="/login")
    return response


def _local(next: str) -> str:
    return next if next.startswith("/") and not next.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, lang: Lang = "de", next: str = "/initiatives") -> Response:
    return _login_form(request, lang, _actor(request), _local(next))


@router.post("/login")
def login_form(request: Request, name: Annotated[str, Form(max_length=80)],
               password: Annotated[str, Form(max_length=1000)],
               next: Annotated[str, Form()] = "/initiatives",
               csrf: Annotated[str, Form(max_length=100)] = "",
               lang: Lang = "de") -> Response:
    client = request.client.host if request.client else "unknown"
    target = _local(next)
    expected = request.cookies.get(LOGIN_COOKIE)
    if not expected or not secrets.compare_digest(csrf, expected):
        return _login_form(request, lang, ANONYMOUS, target, status=403,
                           error="the sign-in form has expired (CSRF check failed); "
                                 "sign in again")
    try:
        secret, _ = _service(request).login(name, password, client)
    except AccessError as exc:
        return _login_form(request, lang, ANONYMOUS, target, exc.message, exc.http_status)
    response = _back(target, lang)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    response.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", max_age=12 * 3600, path="/")
    return response


@router.post("/logout")
def logout_form(request: Request, csrf: Annotated[str, Form()] = "",
                lang: Lang = "de") -> Response:
    actor = _actor(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and not actor.anonymous:
        _check_csrf(actor, csrf)
        _service(request).logout(cookie)
    response = _back("/initiatives", lang)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, lang: Lang = "de") -> Response:
    actor = _actor(request)
    return _render(request, "users.html", lang, actor, users=_service(request).users(actor),
                   token=None, error=None)


@router.post("/admin/users")
async def users_form(request: Request, lang: Lang = "de") -> Response:
    actor = _actor(request)
    form = dict(await request.form())
    _check_csrf(actor, str(form.get("csrf", "")))
    # the page is the agency's: nothing on it may act for anyone else (a manager's own
    # token, too, is created through the API, not here)
    require(actor, "manage_users")
    service = _service(request)
    token, error = None, None
    try:
        action = form.get("action")
        name = str(form.get("name", "")).strip()
        if action == "add":
            ids = [x for x in str(form.get("initiatives", "")).replace(",", " ").split() if x]
            service.add_user(name, str(form.get("role", "")),
                             str(form.get("password", "")) or None, ids, actor)
        elif action == "token":
            token = service.create_token(name, str(form.get("token_name", "web")) or "web",
                                         actor)
        elif action in ("deactivate", "activate"):
            service.set_user(name, actor, active=action == "activate")
    except ClusteratlasError as exc:
        if isinstance(exc, AccessError):
            raise
        error = exc.message
    return _render(request, "users.html", lang, actor, users=service.users(actor),
                   token=token, error=error, status=400 if error else 200)
