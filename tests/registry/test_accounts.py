"""Accounts (issue 14.4): a new password or role ends sessions and tokens; tokens are
listed, revoked one by one and expire; a lockout is per name and address."""

from datetime import UTC, datetime, timedelta

import pytest

from clusteratlas.errors import AccessError, InputError, NotFoundError, RateLimitError
from clusteratlas.registry import tables as m
from clusteratlas.registry.auth import Actor, LoginLimiter
from clusteratlas.service.registry import RegistryService
from conftest import ADMIN

PASSWORD = "a long enough password"


@pytest.fixture
def accounts(service):
    service.add_user("hn", "manager", PASSWORD, ["metalldialog"])
    service.add_user("ministry", "analyst", PASSWORD)
    return service


def _signed_in(service, name):
    cookie, _ = service.login(name, PASSWORD, "10.0.0.1")
    token = service.create_token(name, "laptop")
    assert not service.actor_for_session(cookie).anonymous
    assert service.actor_for_token(token).name == name
    return cookie, token


@pytest.mark.parametrize("change", [{"password": "another long password"},
                                    {"role": "admin"}])
def test_a_new_password_or_role_ends_sessions_and_tokens(accounts, change):
    cookie, token = _signed_in(accounts, "hn")
    accounts.set_user("hn", ADMIN, **change)
    assert accounts.actor_for_session(cookie).anonymous
    with pytest.raises(AccessError, match="not valid"):
        accounts.actor_for_token(token)
    assert [t["valid"] for t in accounts.tokens("hn", ADMIN)] == [False]


def test_the_same_role_again_keeps_them(accounts):
    cookie, token = _signed_in(accounts, "ministry")
    accounts.set_user("ministry", ADMIN, role="analyst")
    assert accounts.actor_for_session(cookie).name == "ministry"
    assert accounts.actor_for_token(token).name == "ministry"
    with pytest.raises(InputError, match="a manager needs one"):
        accounts.set_user("ministry", ADMIN, role="manager")


def test_tokens_are_listed_and_revoked_one_by_one(accounts):
    hn = Actor("hn", "manager", frozenset({"metalldialog"}))
    first = accounts.create_token("hn", "laptop", hn)
    second = accounts.create_token("hn", "phone", hn, expires_days=30)
    listed = accounts.tokens("hn", hn)
    assert [(t["name"], t["valid"]) for t in listed] == [("phone", True), ("laptop", True)]
    assert listed[0]["expires_at"] > datetime.now(UTC).isoformat()
    assert listed[1]["expires_at"] is None
    assert all("token" not in t and "token_hash" not in t for t in listed)
    # a stranger neither sees nor revokes them
    with pytest.raises(AccessError):
        accounts.tokens("hn", Actor("ministry", "analyst"))
    with pytest.raises(NotFoundError):
        accounts.revoke_token(listed[1]["id"], Actor("ministry", "analyst"))
    accounts.revoke_token(listed[1]["id"], hn)
    with pytest.raises(AccessError):
        accounts.actor_for_token(first)
    assert accounts.actor_for_token(second).name == "hn"
    assert [t["valid"] for t in accounts.tokens("hn")] == [True, False]
    with pytest.raises(InputError, match="expires"):
        accounts.create_token("hn", "forever", hn, expires_days=0)


def test_expired_tokens_are_refused(accounts):
    token = accounts.create_token("hn", "short", expires_days=1)
    assert accounts.actor_for_token(token).name == "hn"
    with accounts.store.writing() as s:
        row = s.query(m.ApiToken).one()
        row.expires_at = (datetime.now(UTC) - timedelta(seconds=1)).isoformat(
            timespec="seconds")
    with pytest.raises(AccessError, match="not valid"):
        accounts.actor_for_token(token)
    assert accounts.tokens("hn")[0]["valid"] is False


def test_guesses_from_one_address_do_not_lock_the_user_out(store):
    """Five wrong passwords from one address block that address; the user, from
    another address, still signs in (before: the name was locked everywhere)."""
    store.migrate()
    service = RegistryService(store, limiter=LoginLimiter(attempts=5, window=300))
    service.add_user("agency", "admin", PASSWORD)
    for n in range(5):
        with pytest.raises(AccessError):
            service.login("agency", f"guess number {n}", "203.0.113.7")
    with pytest.raises(RateLimitError):
        service.login("agency", PASSWORD, "203.0.113.7")
    _, actor = service.login("agency", PASSWORD, "198.51.100.20")
    assert actor.name == "agency"


def test_the_limiter_forgets_addresses_whose_failures_are_old(monkeypatch):
    """Guesses from many addresses must not grow the limiter's table without bound."""
    clock = [1000.0]
    monkeypatch.setattr("clusteratlas.registry.auth.time.monotonic", lambda: clock[0])
    limiter = LoginLimiter(attempts=2, window=60)
    for n in range(500):
        limiter.failed(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter._failures) == 500
    clock[0] += 61
    assert not limiter.blocked("10.9.9.9")
    assert limiter._failures == {}


def test_a_restore_checks_the_state_like_any_write(service):
    """A state stored before URLs were checked cannot bring a script link back."""
    import json

    service.update("photonics-bw", {"website": "https://photonicsbw.de"}, ADMIN,
                   service.get("photonics-bw", ADMIN)["version"])
    entry = service.history("photonics-bw", ADMIN)[-1]["id"]
    with service.store.session() as s:
        row = s.get(m.AuditEntry, entry)
        state = json.loads(row.after)
        state["sources"] = [{"title": "x", "url": "javascript:alert(1)"}]
        row.after = json.dumps(state)
    with pytest.raises(InputError, match=r"history entry .*url"):
        service.restore("photonics-bw", entry, ADMIN)
    assert all(not str(x.get("url", "")).startswith("javascript")
               for x in service.get("photonics-bw", ADMIN)["sources"])
