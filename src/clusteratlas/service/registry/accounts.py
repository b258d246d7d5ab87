"""Accounts: users, API tokens, browser sessions and sign-in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from clusteratlas.errors import (
    AccessError,
    ConflictError,
    InputError,
    NotFoundError,
    RateLimitError,
)
from clusteratlas.registry import tables as m
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

__all__ = ["CLI_ACTOR", "MAX_TOKEN_DAYS", "Accounts"]

#: the machine's owner, acting through the command line
CLI_ACTOR = Actor("cli", "admin")


def _check_password(password: str | None) -> None:
    if password is not None and len(password) < 12:
        raise InputError("the password needs at least 12 characters")


#: the longest a token may be valid (ten years; a token without expiry lives until revoked)
MAX_TOKEN_DAYS = 3650


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def _check_role(role: str) -> None:
    if role not in ROLES or role == "public":
        raise InputError(f"role {role!r}: expected admin, analyst or manager")


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
        _check_role(role)
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
                 password: str | None = None, role: str | None = None) -> None:
        """Deactivate or reactivate a user, set a password or a role.  A new password
        or role ends every session and revokes every token of the user: what was
        granted under the old ones must be granted again."""
        require(actor, "manage_users")
        _check_password(password)
        if role is not None:
            _check_role(role)
        with self.uow.writing() as s:
            user = s.scalar(select(m.User).where(m.User.name == name))
            if user is None:
                raise NotFoundError(f"no user {name!r}")
            if role == "manager" and not user.initiatives:
                raise InputError(f"{name} keeps no initiative: a manager needs one")
            role_changed = role is not None and role != user.role
            if active is not None:
                user.active = active
                if not active:
                    self._end_sessions(s, user)
            if password is not None:
                user.password_hash = hash_password(password)
            if role is not None:
                user.role = role
            if password is not None or role_changed:
                self._end_sessions(s, user)
                self._revoke_tokens(s, user)
            self.uow.audit(s, actor, "update", "user", name, None, None,
                           {"active": user.active, "role": user.role,
                            "password_changed": password is not None})

    @staticmethod
    def _end_sessions(s: Session, user: m.User) -> None:
        s.execute(delete(m.LoginSession).where(m.LoginSession.user_id == user.id))

    def _revoke_tokens(self, s: Session, user: m.User) -> None:
        for token in s.scalars(select(m.ApiToken).where(m.ApiToken.user_id == user.id,
                                                        m.ApiToken.revoked.is_(False))):
            token.revoked, token.revoked_at = True, self.uow.clock()

    # ----------------------------------------------------------------- tokens
    def create_token(self, user_name: str, token_name: str, actor: Actor | None = None,
                     *, expires_days: int | None = None) -> str:
        """A new API token for ``user_name``, valid for ``expires_days`` days (or until
        revoked); the secret is shown once, only its hash kept."""
        actor = actor or CLI_ACTOR
        require(actor, "manage_tokens", user=user_name)
        if not token_name or len(token_name) > 80:
            raise InputError("a token's name has 1 to 80 characters")
        if expires_days is not None and not 1 <= expires_days <= MAX_TOKEN_DAYS:
            raise InputError(f"expires: {expires_days} days; expected 1 to {MAX_TOKEN_DAYS}")
        secret = "cat_" + new_secret()
        expires = (None if expires_days is None
                   else _iso(datetime.now(UTC) + timedelta(days=expires_days)))
        with self.uow.writing() as s:
            user = self._user(s, user_name)
            s.add(m.ApiToken(user_id=user.id, name=token_name, token_hash=hash_secret(secret),
                             created_at=self.uow.clock(), expires_at=expires))
            self.uow.audit(s, actor, "add", "token", f"{user_name}/{token_name}", None, None,
                           {"expires_at": expires})
        return secret

    @staticmethod
    def _user(s: Session, name: str) -> m.User:
        user = s.scalar(select(m.User).where(m.User.name == name))
        if user is None:
            raise NotFoundError(f"no user {name!r}")
        return user

    def tokens(self, user_name: str, actor: Actor | None = None) -> list[dict[str, Any]]:
        """The tokens of ``user_name`` (never their secrets), newest first."""
        require(actor or CLI_ACTOR, "manage_tokens", user=user_name)
        now_ = _iso(datetime.now(UTC))
        with self.uow.reading() as s:
            user = self._user(s, user_name)
            rows = s.scalars(select(m.ApiToken).where(m.ApiToken.user_id == user.id)
                             .order_by(m.ApiToken.id.desc()))
            return [{"id": t.id, "user": user_name, "name": t.name,
                     "created_at": t.created_at, "expires_at": t.expires_at,
                     "revoked_at": t.revoked_at,
                     "valid": not t.revoked and (t.expires_at is None or t.expires_at > now_)}
                    for t in rows]

    def revoke_token(self, token_id: int, actor: Actor | None = None) -> dict[str, Any]:
        """Revoke one token (its user or an admin); revoking twice changes nothing."""
        actor = actor or CLI_ACTOR
        with self.uow.writing() as s:
            token = s.get(m.ApiToken, token_id)
            owner = s.get(m.User, token.user_id) if token is not None else None
            if token is None or owner is None:
                raise NotFoundError(f"no token {token_id}")
            # the same answer for a stranger's token as for a missing one
            if not actor.anonymous and actor.role != "admin" and actor.name != owner.name:
                raise NotFoundError(f"no token {token_id}")
            require(actor, "manage_tokens", user=owner.name)
            if not token.revoked:
                token.revoked, token.revoked_at = True, self.uow.clock()
                self.uow.audit(s, actor, "revoke", "token", f"{owner.name}/{token.name}",
                               None, None, None)
            return {"id": token.id, "user": owner.name, "name": token.name,
                    "revoked_at": token.revoked_at}

    def actor_for_token(self, secret: str) -> Actor:
        """The user of a valid token (not revoked, not expired, user active), else 401."""
        with self.uow.reading() as s:
            token = s.scalar(select(m.ApiToken).where(
                m.ApiToken.token_hash == hash_secret(secret), m.ApiToken.revoked.is_(False)))
            if token is not None and token.expires_at is not None \
                    and token.expires_at <= _iso(datetime.now(UTC)):
                token = None
            user = s.get(m.User, token.user_id) if token is not None else None
            if user is None or not user.active:
                raise AccessError("the API token is not valid", 401)
            return _actor(user)

    # --------------------------------------------------------------- sessions
    def login(self, name: str, password: str, client: str) -> tuple[str, Actor]:
        """A new session secret for a correct name and password, else one answer for
        every failure (no hint whether the name exists).

        Failures are counted per address and per name *at* that address: guessing from
        one address is stopped there, while the user, signing in from another
        address, is never locked out by someone else's guesses."""
        keys = (f"ip:{client}", f"user:{name.lower()}@{client}")
        if self.limiter.blocked(*keys):
            raise RateLimitError("too many failed sign-ins; try again in a few minutes")
        with self.uow.writing() as s:
            user = s.scalar(select(m.User).where(m.User.name == name))
            ok = verify_password(user.password_hash if user is not None else None, password)
            if not ok or user is None or not user.active:
                self.limiter.failed(*keys)
                raise AccessError("wrong name or password", 401)
            secret, csrf = new_secret(), new_secret()
            expires = _iso(datetime.now(UTC) + timedelta(hours=12))
            s.add(m.LoginSession(id_hash=hash_secret(secret), user_id=user.id, csrf=csrf,
                                 expires_at=expires))
            actor = _actor(user, csrf)
        self.limiter.succeeded(*keys)
        return secret, actor

    def actor_for_session(self, secret: str) -> Actor:
        with self.uow.reading() as s:
            row = s.get(m.LoginSession, hash_secret(secret))
            if row is None or row.expires_at < _iso(datetime.now(UTC)):
                return ANONYMOUS
            user = s.get(m.User, row.user_id)
            if user is None or not user.active:
                return ANONYMOUS
            return _actor(user, row.csrf)

    def logout(self, secret: str) -> None:
        with self.uow.writing() as s:
            s.execute(delete(m.LoginSession).where(
                m.LoginSession.id_hash == hash_secret(secret)))
