"""Accounts: users, API tokens, browser sessions and sign-in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from clusteratlas.errors import (
    AccessError,
    ConflictError,
    InputError,
    NotFoundError,
    RateLimitError,
)
from clusteratlas.registry import models as m
from clusteratlas.registry.access import require
from clusteratlas.registry.auth import (
    ANONYMOUS,
    Actor,
    LoginLimiter,
    hash_password,
    hash_secret,
    new_secret,
    verify_password,
)
from clusteratlas.registry.schemas import ROLES
from clusteratlas.service.registry.unit import UnitOfWork

__all__ = ["CLI_ACTOR", "Accounts"]

#: the machine's owner, acting through the command line
CLI_ACTOR = Actor("cli", "admin")


def _check_password(password: str | None) -> None:
    if password is not None and len(password) < 12:
        raise InputError("the password needs at least 12 characters")


def _actor(user: m.User, csrf: str | None = None) -> Actor:
    return Actor(user.name, user.role, frozenset(x.initiative_id for x in user.initiatives),
                 csrf)


class Accounts:
    """The account use cases (users are written without an initiative to audit)."""

    def __init__(self, uow: UnitOfWork, limiter: LoginLimiter | None = None) -> None:
        self.uow = uow
        self.limiter = limiter or LoginLimiter()

    # ------------------------------------------------------------------ users
    def add_user(self, name: str, role: str, password: str | None = None,
                 initiatives: Iterable[str] = (), actor: Actor | None = None) -> dict[str, Any]:
        """Create a user (CLI: no actor, the machine's owner; API: an admin)."""
        actor = actor or CLI_ACTOR
        require(actor, "manage_users")
        if role not in ROLES or role == "public":
            raise InputError(f"role {role!r}: expected admin, analyst or manager")
        if not name or len(name) > 80 or not name.replace("-", "").replace("_", "")\
                .replace(".", "").replace("@", "").isalnum():
            raise InputError(f"user name {name!r}: letters, digits and - _ . @ only, "
                             "at most 80")
        _check_password(password)
        ids = list(dict.fromkeys(initiatives))
        if role == "manager" and not ids:
            raise InputError("a manager needs at least one initiative (--initiative ID)")
        with self.uow.writing() as s:
            for ident in ids:
                if s.get(m.Initiative, ident) is None:
                    raise NotFoundError(f"initiative {ident!r} is not in the registry")
            if s.scalar(select(m.User).where(m.User.name == name)) is not None:
                raise ConflictError(f"user {name!r} exists already", 409)
            user = m.User(name=name, role=role, active=True, created_at=self.uow.clock(),
                          password_hash=hash_password(password) if password else None,
                          initiatives=[m.UserInitiative(initiative_id=x) for x in ids])
            s.add(user)
            self.uow.audit(s, actor, "add", "user", name, None, None,
                           {"name": name, "role": role, "initiatives": ids})
        return {"name": name, "role": role, "initiatives": ids, "active": True}

    def users(self, actor: Actor) -> list[dict[str, Any]]:
        require(actor, "manage_users")
        with self.uow.reading() as s:
            return [{"name": u.name, "role": u.role, "active": u.active,
                     "initiatives": [x.initiative_id for x in u.initiatives],
                     "created_at": u.created_at}
                    for u in s.scalars(select(m.User).order_by(m.User.name))]

    def set_user(self, name: str, actor: Actor, *, active: bool | None = None,
                 password: str | None = None) -> None:
        require(actor, "manage_users")
        _check_password(password)
        with self.uow.writing() as s:
            user = s.scalar(select(m.User).where(m.User.name == name))
            if user is None:
                raise NotFoundError(f"no user {name!r}")
            if active is not None:
                user.active = active
                if not active:
                    s.execute(delete(m.LoginSession).where(m.LoginSession.user_id == user.id))
            if password is not None:
                user.password_hash = hash_password(password)
            self.uow.audit(s, actor, "update", "user", name, None, None,
                           {"active": user.active, "password_changed": password is not None})

    # ----------------------------------------------------------------- tokens
    def create_token(self, user_name: str, token_name: str,
                     actor: Actor | None = None) -> str:
        """A new API token for ``user_name``; the secret is shown once, only its hash kept."""
        actor = actor or CLI_ACTOR
        require(actor, "manage_tokens", user=user_name)
        secret = "cat_" + new_secret()
        with self.uow.writing() as s:
            user = s.scalar(select(m.User).where(m.User.name == user_name))
            if user is None:
                raise NotFoundError(f"no user {user_name!r}")
            s.add(m.ApiToken(user_id=user.id, name=token_name, token_hash=hash_secret(secret),
                             created_at=self.uow.clock()))
            self.uow.audit(s, actor, "add", "token", f"{user_name}/{token_name}", None, None,
                           None)
        return secret

    def actor_for_token(self, secret: str) -> Actor:
        with self.uow.reading() as s:
            token = s.scalar(select(m.ApiToken).where(
                m.ApiToken.token_hash == hash_secret(secret), m.ApiToken.revoked.is_(False)))
            user = s.get(m.User, token.user_id) if token is not None else None
            if user is None or not user.active:
                raise AccessError("the API token is not valid", 401)
            return _actor(user)

    # --------------------------------------------------------------- sessions
    def login(self, name: str, password: str, client: str) -> tuple[str, Actor]:
        """A new session secret for a correct name and password, else one answer for
        every failure (no hint whether the name exists)."""
        keys = (f"ip:{client}", f"user:{name.lower()}")
        if self.limiter.blocked(*keys):
            raise RateLimitError("too many failed sign-ins; try again in a few minutes")
        with self.uow.writing() as s:
            user = s.scalar(select(m.User).where(m.User.name == name))
            ok = verify_password(user.password_hash if user is not None else None, password)
            if not ok or user is None or not user.active:
                self.limiter.failed(*keys)
                raise AccessError("wrong name or password", 401)
            secret, csrf = new_secret(), new_secret()
            expires = (datetime.now(UTC) + timedelta(hours=12)).isoformat(timespec="seconds")
            s.add(m.LoginSession(id_hash=hash_secret(secret), user_id=user.id, csrf=csrf,
                                 expires_at=expires))
            actor = _actor(user, csrf)
        self.limiter.succeeded(*keys)
        return secret, actor

    def actor_for_session(self, secret: str) -> Actor:
        with self.uow.reading() as s:
            row = s.get(m.LoginSession, hash_secret(secret))
            if row is None or row.expires_at < datetime.now(UTC).isoformat(timespec="seconds"):
                return ANONYMOUS
            user = s.get(m.User, row.user_id)
            if user is None or not user.active:
                return ANONYMOUS
            return _actor(user, row.csrf)

    def logout(self, secret: str) -> None:
        with self.uow.writing() as s:
            s.execute(delete(m.LoginSession).where(
                m.LoginSession.id_hash == hash_secret(secret)))
