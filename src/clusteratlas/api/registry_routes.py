"""REST API of the initiative registry: a thin layer over
:class:`clusteratlas.service.registry.RegistryService`.

Every resource that can be changed answers with an ``ETag`` (its version); a change
must send it back in ``If-Match``: missing → 428, stale → 412 with the current version,
and nothing is written.  Callers identify with ``Authorization: Bearer <token>`` or
with the browser session cookie (then unsafe methods also need ``X-CSRF-Token``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from typing import get_type_hints as typing_hints

from fastapi import APIRouter, Body, Header, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from clusteratlas.errors import InputError
from clusteratlas.http.deps import ActorDep
from clusteratlas.http.deps import RegistryDep as Service
from clusteratlas.http.deps import registry_changed as _changed
from clusteratlas.http.provenance import PROVENANCE
from clusteratlas.registry.access import require
from clusteratlas.registry.schemas import (
    LABELS,
    CooperationIn,
    InitiativeIn,
    InitiativePatch,
    KpiReportIn,
    LabelIn,
    ProjectIn,
    ReviewIn,
)
from clusteratlas.service.registry.accounts import MAX_TOKEN_DAYS

__all__ = ["router"]


class ErrorOut(BaseModel):
    ok: Literal[False]
    error: str
    errors: list[str]
    status: int
    findings: list[dict[str, str]] | None = None
    current_version: int | None = None


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class InitiativeOut(_Open):
    id: str
    name: str
    version: int
    status: str
    archived: bool
    regions_served: list[str]
    categories: list[str]
    visibility: dict[str, bool]
    hidden_groups: list[str]


class InitiativePage(BaseModel):
    ok: Literal[True]
    total: int
    page: int
    per_page: int
    initiatives: list[InitiativeOut]
    provenance: list[dict[str, Any]]
    synthetic: bool


class KpiOut(_Open):
    year: int
    status: str
    version: int
    initiative_id: str


class ChildOut(_Open):
    id: int
    version: int


class HistoryEntry(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    version_after: int | None


class UserOut(BaseModel):
    name: str
    role: str
    active: bool
    initiatives: list[str]
    created_at: str | None = None


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    role: Literal["admin", "analyst", "manager"]
    password: str | None = None
    initiatives: list[str] = []


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    active: bool | None = None
    password: str | None = Field(None, max_length=1000)
    role: Literal["admin", "analyst", "manager"] | None = None


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=80)
    user: str | None = Field(None, max_length=80)
    expires_days: int | None = Field(None, ge=1, le=MAX_TOKEN_DAYS,
                                     description="valid for this many days (else until "
                                                 "revoked)")


class TokenOut(BaseModel):
    token: str
    user: str
    name: str


class TokenInfo(BaseModel):
    id: int
    user: str
    name: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    valid: bool


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 412, 428, 429, 503)}
router = APIRouter(prefix="/api", tags=["registry"], responses=_ERRORS)

IfMatch = Annotated[str | None, Header(description="the ETag (version) you changed")]
InitiativeId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", max_length=64)]
ReportYear = Annotated[int, Path(ge=1800, le=2100)]
ChildKind = Literal["projects", "cooperations", "labels"]


def _tag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


@router.get("/initiatives", response_model=InitiativePage,
            summary="Cluster initiatives, filtered and paginated")
def list_initiatives(
    service: Service, actor: ActorDep,
    q: Annotated[str | None, Query(max_length=200, description="text in name, sector, "
                                   "organisation, goals, services, town")] = None,
    sector: Annotated[str | None, Query(max_length=200)] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    region: Annotated[str | None, Query(max_length=32, description="a region served")] = None,
    label: Annotated[Literal[LABELS] | None, Query()] = None,  # type: ignore[valid-type]
    status: Annotated[Literal["active", "merged", "closed"] | None, Query()] = None,
    kind: Annotated[Literal["initiative", "agency"] | None, Query()] = None,
    archived: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 50,
) -> dict[str, Any]:
    result = service.find(actor, text=q, sector=sector, category=category, region=region,
                          label=label, status=status, kind=kind, archived=archived,
                          page=page, per_page=per_page)
    return {"ok": True, "total": result.total, "page": result.page,
            "per_page": result.per_page, "initiatives": result.items,
            "provenance": PROVENANCE, "synthetic": False}


@router.post("/initiatives", status_code=201, response_model=InitiativeOut,
             summary="Register a new initiative (admin)")
def create_initiative(request: Request, service: Service, actor: ActorDep,
                      response: Response, body: Annotated[InitiativeIn, Body()]) -> Any:
    out = service.create(body, actor)
    _tag(response, out["version"])
    _changed(request)
    return out


@router.get("/initiatives/{initiative_id}", response_model=InitiativeOut,
            summary="One initiative: what the caller may see of it")
def get_initiative(service: Service, actor: ActorDep, initiative_id: InitiativeId,
                   response: Response) -> Any:
    out = service.get(initiative_id, actor)
    _tag(response, out["version"])
    return out


@router.patch("/initiatives/{initiative_id}", response_model=InitiativeOut,
              summary="Change profile fields (If-Match required)")
def patch_initiative(request: Request, service: Service, actor: ActorDep,
                     initiative_id: InitiativeId, response: Response,
                     body: Annotated[InitiativePatch, Body()],
                     if_match: IfMatch = None) -> Any:
    out = service.update(initiative_id, body, actor, if_match)
    _tag(response, out["version"])
    _changed(request)
    return out


@router.delete("/initiatives/{initiative_id}", status_code=204,
               summary="Archive an initiative (admin; restorable from its history)")
def archive_initiative(request: Request, service: Service, actor: ActorDep,
                       initiative_id: InitiativeId, if_match: IfMatch = None) -> Response:
    service.archive(initiative_id, actor, if_match)
    _changed(request)
    return Response(status_code=204)


@router.get("/initiatives/{initiative_id}/history", response_model=list[HistoryEntry],
            summary="Every change: who, when, what")
def history(service: Service, actor: ActorDep, initiative_id: InitiativeId) -> Any:
    return service.history(initiative_id, actor)


@router.get("/initiatives/{initiative_id}/history/{entry_id}",
            summary="The initiative as it was after (or before) a change")
def history_state(service: Service, actor: ActorDep, initiative_id: InitiativeId,
                  entry_id: Annotated[int, Path(ge=1, le=2**62)],
                  before: bool = False) -> dict[str, Any]:
    return service.state(initiative_id, entry_id, actor, before=before)


@router.post("/initiatives/{initiative_id}/history/{entry_id}/restore",
             response_model=InitiativeOut,
             summary="Restore the state after (or before) a change (admin)")
def restore(request: Request, service: Service, actor: ActorDep,
            initiative_id: InitiativeId, entry_id: Annotated[int, Path(ge=1, le=2**62)],
            response: Response, before: bool = False) -> Any:
    out = service.restore(initiative_id, entry_id, actor, before=before)
    _tag(response, out["version"])
    _changed(request)
    return out


@router.get("/initiatives/{initiative_id}/kpis", response_model=list[KpiOut],
            summary="The yearly KPI reports the caller may see")
def kpis(service: Service, actor: ActorDep, initiative_id: InitiativeId) -> Any:
    return service.kpis(initiative_id, actor)


@router.get("/initiatives/{initiative_id}/kpis/{year}", response_model=KpiOut,
            summary="One year's KPI report")
def kpi(service: Service, actor: ActorDep, initiative_id: InitiativeId, year: ReportYear,
        response: Response) -> Any:
    out = service.kpi(initiative_id, year, actor)
    _tag(response, out["version"])
    return out


@router.put("/initiatives/{initiative_id}/kpis/{year}", response_model=KpiOut,
            summary="Enter a year's figures (a draft; If-Match once it exists)")
def put_kpi(service: Service, actor: ActorDep, initiative_id: InitiativeId, year: ReportYear,
            response: Response, body: Annotated[KpiReportIn, Body()],
            if_match: IfMatch = None) -> Any:
    out = service.put_kpi(initiative_id, year, body, actor, if_match)
    _tag(response, out["version"])
    return out


@router.post("/initiatives/{initiative_id}/kpis/{year}/submit", response_model=KpiOut,
             summary="Submit a draft report to the agency")
def submit_kpi(service: Service, actor: ActorDep, initiative_id: InitiativeId,
               year: ReportYear, response: Response, if_match: IfMatch = None) -> Any:
    out = service.submit_kpi(initiative_id, year, actor, if_match)
    _tag(response, out["version"])
    return out


@router.post("/initiatives/{initiative_id}/kpis/{year}/review", response_model=KpiOut,
             summary="Accept a submitted report or return it with comments (admin)")
def review_kpi(service: Service, actor: ActorDep, initiative_id: InitiativeId,
               year: ReportYear, response: Response, body: Annotated[ReviewIn, Body()],
               if_match: IfMatch = None) -> Any:
    out = service.review_kpi(initiative_id, year, body, actor, if_match)
    _tag(response, out["version"])
    return out


@router.get("/review-queue", response_model=list[KpiOut],
            summary="Submitted reports waiting for the agency (admin)")
def review_queue(service: Service, actor: ActorDep) -> Any:
    return service.review_queue(actor)


def _child_routes(kind: ChildKind, schema: type[BaseModel]) -> None:
    noun = kind[:-1]

    @router.get(f"/initiatives/{{initiative_id}}/{kind}", response_model=list[ChildOut],
                summary=f"The initiative's {kind}", name=f"list_{kind}")
    def list_children(service: Service, actor: ActorDep,
                      initiative_id: InitiativeId) -> Any:
        return service.children(initiative_id, kind, actor)

    def add_child(request: Request, service: Service, actor: ActorDep,
                  initiative_id: InitiativeId, response: Response, body: Any) -> Any:
        data: dict[str, Any] = body.model_dump()
        out = service.add_child(initiative_id, kind, data, actor)
        _tag(response, out["version"])
        _changed(request)
        return out

    # the body's schema differs per kind: FastAPI reads it from the annotation, which
    # must be an object here (this module's annotations are strings otherwise)
    add_child.__annotations__ = {**typing_hints(add_child, include_extras=True),
                                 "body": Annotated[schema, Body()]}
    router.post(f"/initiatives/{{initiative_id}}/{kind}", status_code=201,
                response_model=ChildOut, summary=f"Add a {noun}", name=f"add_{noun}")(add_child)

    @router.get(f"/initiatives/{{initiative_id}}/{kind}/{{child_id}}",
                response_model=ChildOut, summary=f"One {noun}", name=f"get_{noun}")
    def get_child(service: Service, actor: ActorDep, initiative_id: InitiativeId,
                  child_id: Annotated[int, Path(ge=1, le=2**62)], response: Response) -> Any:
        out = service.child(initiative_id, kind, child_id, actor)
        _tag(response, out["version"])
        return out

    @router.patch(f"/initiatives/{{initiative_id}}/{kind}/{{child_id}}",
                  response_model=ChildOut, summary=f"Change a {noun} (If-Match required)",
                  name=f"patch_{noun}")
    def patch_child(request: Request, service: Service, actor: ActorDep,
                    initiative_id: InitiativeId,
                    child_id: Annotated[int, Path(ge=1, le=2**62)], response: Response,
                    body: Annotated[dict[str, Any], Body()],
                    if_match: IfMatch = None) -> Any:
        out = service.update_child(initiative_id, kind, child_id, body, actor, if_match)
        _tag(response, out["version"])
        _changed(request)
        return out

    @router.delete(f"/initiatives/{{initiative_id}}/{kind}/{{child_id}}", status_code=204,
                   summary=f"Remove a {noun} (If-Match required)", name=f"delete_{noun}")
    def delete_child(request: Request, service: Service, actor: ActorDep,
                     initiative_id: InitiativeId,
                     child_id: Annotated[int, Path(ge=1, le=2**62)],
                     if_match: IfMatch = None) -> Response:
        service.delete_child(initiative_id, kind, child_id, actor, if_match)
        _changed(request)
        return Response(status_code=204)


_child_routes("projects", ProjectIn)
_child_routes("cooperations", CooperationIn)
_child_routes("labels", LabelIn)


_MEDIA = {"json": "application/json", "csv": "application/zip",
          "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@router.get("/registry/export", response_class=Response,
            summary="The registry or some initiatives as JSON, CSV (ZIP) or XLSX "
                    "(admin, analyst)",
            responses={200: {"content": {media: {} for media in _MEDIA.values()}}})
def export(service: Service, actor: ActorDep,
           format: Literal["json", "csv", "xlsx"] = "json",
           initiative: Annotated[list[str] | None, Query(max_length=500)] = None) -> Response:
    from clusteratlas.service.registry.transfer import export_registry

    require(actor, "export")
    data = export_registry(service, format, initiative)
    name = f"clusteratlas-registry.{ {'json': 'json', 'csv': 'zip', 'xlsx': 'xlsx'}[format] }"
    return Response(data, media_type=_MEDIA[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


class ImportOut(BaseModel):
    ok: Literal[True]
    created: int
    replaced: int


@router.post("/registry/import", response_model=ImportOut,
             summary="Import an export (JSON, CSV ZIP or XLSX in the body; admin)",
             openapi_extra={"requestBody": {"content": {
                 media: {"schema": {"type": "string", "format": "binary"}}
                 for media in _MEDIA.values()}}})
async def import_(request: Request, service: Service, actor: ActorDep,
                  format: Literal["json", "csv", "xlsx"] = "json") -> Any:
    from clusteratlas.service.registry.files import LIMITS
    from clusteratlas.service.registry.transfer import import_registry, read_registry

    require(actor, "import")  # before a byte of the body is read
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > LIMITS.max_bytes:
            raise InputError(f"request body: more than {LIMITS.max_bytes // 2**20} MB")
        chunks.append(chunk)
    body = b"".join(chunks)

    def run() -> dict[str, int]:
        aggs = read_registry(body, format, "request body")
        return import_registry(service, aggs, actor, "request body")

    # reading and writing take a while: off the event loop, so other requests go on
    counts = await run_in_threadpool(run)
    _changed(request)
    return {"ok": True, **counts}


@router.get("/users", response_model=list[UserOut], summary="Users (admin)")
def users(service: Service, actor: ActorDep) -> Any:
    return service.users(actor)


@router.post("/users", status_code=201, response_model=UserOut, summary="Add a user (admin)")
def add_user(service: Service, actor: ActorDep, body: Annotated[UserIn, Body()]) -> Any:
    return service.add_user(body.name, body.role, body.password, body.initiatives, actor)


@router.post("/tokens", status_code=201, response_model=TokenOut,
             summary="A new API token for yourself (or, as admin, for a user)")
def create_token(service: Service, actor: ActorDep, body: Annotated[TokenIn, Body()]) -> Any:
    user = body.user or actor.name
    require(actor, "manage_tokens", user=user)
    return {"token": service.create_token(user, body.name, actor,
                                          expires_days=body.expires_days),
            "user": user, "name": body.name}


@router.get("/tokens", response_model=list[TokenInfo],
            summary="Your API tokens (or, as admin, a user's), without their secrets")
def tokens(service: Service, actor: ActorDep,
           user: Annotated[str | None, Query(max_length=80)] = None) -> Any:
    name = user or actor.name
    require(actor, "manage_tokens", user=name)
    return service.tokens(name, actor)


@router.delete("/tokens/{token_id}", status_code=204,
               summary="Revoke one of your API tokens (or, as admin, anyone's)")
def revoke_token(service: Service, actor: ActorDep,
                 token_id: Annotated[int, Path(ge=1, le=2**62)]) -> Response:
    service.revoke_token(token_id, actor)
    return Response(status_code=204)


@router.patch("/users/{name}", status_code=204,
              summary="Deactivate, reactivate, set a password or a role (admin); a new "
                      "password or role ends the user's sessions and tokens")
def patch_user(service: Service, actor: ActorDep,
               name: Annotated[str, Path(max_length=80)],
               body: Annotated[UserPatch, Body()]) -> Response:
    service.set_user(name, actor, active=body.active, password=body.password,
                     role=body.role)
    return Response(status_code=204)
