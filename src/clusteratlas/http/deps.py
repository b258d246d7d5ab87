"""Request dependencies of both fronts: the atlas snapshot, the registry service and
the caller (bearer token, or session cookie with its CSRF token)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from clusteratlas.errors import AccessError
from clusteratlas.registry.auth import ANONYMOUS, Actor
from clusteratlas.service.atlas import Atlas
from clusteratlas.service.registry import RegistryService

__all__ = ["SESSION_COOKIE", "ActorDep", "AtlasDep", "RegistryDep", "atlas",
           "check_form_csrf", "current_actor", "follow_registry", "registry",
           "registry_changed", "session_actor"]

SESSION_COOKIE = "clusteratlas_session"

def atlas(request: Request) -> Atlas:
    """The application's atlas snapshot."""
    current: Atlas = request.app.state.atlas
    return current


def registry(request: Request) -> RegistryService:
    """The application's registry service."""
    service: RegistryService = request.app.state.registry
    return service


def registry_changed(request: Request) -> None:
    """Tell the application that the registry changed (the atlas re-reads its list)."""
    hook = getattr(request.app.state, "registry_changed", None)
    if hook is not None:
        hook()


async def follow_registry(request: Request) -> None:
    """Bring the atlas snapshot's initiatives up to the registry's state when another
    process changed the registry (a CLI import, another server); a dependency of every
    route, run before it reads the snapshot.  On the event loop when nothing was
    committed since (``registry_fresh``), else in a worker thread (queries)."""
    fresh = getattr(request.app.state, "registry_fresh", None)
    if fresh is not None and fresh():
        return
    hook = getattr(request.app.state, "registry_follow", None)
    if hook is not None:
        await run_in_threadpool(hook)


def session_actor(request: Request) -> Actor:
    """The signed-in browser user of the session cookie, else anonymous."""
    cookie = request.cookies.get(SESSION_COOKIE)
    return registry(request).actor_for_session(cookie) if cookie else ANONYMOUS


def _same_secret(given: str | None, expected: str | None) -> bool:
    # constant time, so that the comparison tells nothing about the token
    return bool(given and expected) and secrets.compare_digest(str(given), str(expected))


def check_form_csrf(actor: Actor, token: str) -> None:
    """A form that changes something must come from a signed-in user and carry the
    session's CSRF token."""
    if actor.anonymous:
        raise AccessError("sign in first", 401)
    if not _same_secret(token, actor.csrf):
        raise AccessError("the form has expired (CSRF check failed); reload the page", 403)


def current_actor(request: Request) -> Actor:
    """The caller: bearer token, else session cookie (CSRF-checked for writes), else
    anonymous."""
    service = registry(request)
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, secret = auth.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise AccessError("Authorization must be 'Bearer <token>'", 401)
        return service.actor_for_token(secret.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        actor = service.actor_for_session(cookie)
        if not actor.anonymous and request.method not in ("GET", "HEAD", "OPTIONS") \
                and not _same_secret(request.headers.get("x-csrf-token"), actor.csrf):
            raise AccessError("a signed-in browser must send X-CSRF-Token with changes", 403)
        return actor
    return ANONYMOUS


ActorDep = Annotated[Actor, Depends(current_actor)]
AtlasDep = Annotated[Atlas, Depends(atlas)]
RegistryDep = Annotated[RegistryService, Depends(registry)]
