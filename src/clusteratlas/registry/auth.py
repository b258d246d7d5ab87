"""Who may do what in the registry: roles, password and token hashing, rate limits.

- **admin** (the agency): everything, including users and restoring history;
- **analyst**: reads everything, including non-public KPIs, history and exports;
- **manager**: edits the profile, member list, projects and cooperations of the
  initiatives assigned to them and enters and submits their KPI reports;
- **public** (anonymous): the public fields of the public profiles.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106); API tokens and
session ids are random 256-bit secrets of which only the SHA-256 is stored.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["ANONYMOUS", "Actor", "LoginLimiter", "hash_password", "hash_secret",
           "new_secret", "verify_password"]

_HASHER = PasswordHasher()


@functools.cache
def _dummy() -> str:
    """Verified against when the user does not exist, so that the time taken does not
    say whether an account exists; hashed on first use (an Argon2 hash takes about
    0.4 s, which every process that imports this module would otherwise pay)."""
    return _HASHER.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Actor:
    """The user behind a request (``public`` when anonymous)."""

    name: str
    role: str
    initiatives: frozenset[str] = field(default_factory=frozenset)
    csrf: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.role == "public"

    @property
    def reads_all(self) -> bool:
        return self.role in ("admin", "analyst")

    def keeps(self, initiative_id: str) -> bool:
        """Whether the actor edits this initiative (admins all, managers their own)."""
        return self.role == "admin" or (self.role == "manager"
                                        and initiative_id in self.initiatives)

    def sees_all_of(self, initiative_id: str) -> bool:
        return self.reads_all or self.keeps(initiative_id)


ANONYMOUS = Actor("anonymous", "public")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _dummy(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class LoginLimiter:
    """At most ``attempts`` failed logins per ``window`` seconds per key; the service
    counts per client address and per user name at that address (never per name
    alone, which would let anyone lock a user out), with the same answer whether or
    not the name exists."""

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures[key]
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def _forget_old(self, now: float) -> None:
        # keys whose failures all lie outside the window go, so that guesses from many
        # addresses or names cannot grow the table without bound
        for key in [k for k, q in self._failures.items() if not q or now - q[-1] > self.window]:
            del self._failures[key]

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            self._forget_old(now)
            return any(len(self._recent(k, now)) >= self.attempts
                       for k in keys if k in self._failures)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._failures.pop(k, None)
