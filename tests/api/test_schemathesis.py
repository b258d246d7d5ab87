"""Property-based fuzzing of the whole API from its own /openapi.json (schemathesis),
as anonymous and as each role: every operation is called, no answer is a server error
(5xx) or breaks the schema the API publishes, and no role gets a success (2xx) where
the access rules (:data:`clusteratlas.registry.access.ACTIONS`) refuse it.

Bounded to fit CI (``EXAMPLES`` per operation and role); ``CLUSTERATLAS_FUZZ_EXAMPLES``
raises it, and ``CLUSTERATLAS_FUZZ_REPORT=FILE`` writes each role's counts there as
JSON (``tools/fuzz.py`` does both and prints the table of docs/security.md)."""

import json
import os
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from clusteratlas.errors import AccessError
from clusteratlas.registry.access import allowed
from clusteratlas.registry.auth import ANONYMOUS
from clusteratlas.service.registry.accounts import CLI_ACTOR
from conftest import seeded_app

EXAMPLES = int(os.environ.get("CLUSTERATLAS_FUZZ_EXAMPLES", "6"))
REPORT = os.environ.get("CLUSTERATLAS_FUZZ_REPORT")
ROLES = ["public", "analyst", "manager", "admin"]
PASSWORD = "fuzz password of twelve"
_ITEM = "/api/initiatives/{initiative_id}"
#: the access rule (a key of ACTIONS) that every changing operation, and every reading
#: one that is not public, must enforce: the oracle for the rights check
ACTION = {
    ("POST", "/api/initiatives"): "create",
    ("PATCH", _ITEM): "edit",
    ("DELETE", _ITEM): "archive",
    ("GET", _ITEM + "/history"): "history",
    ("GET", _ITEM + "/history/{entry_id}"): "history",
    ("POST", _ITEM + "/history/{entry_id}/restore"): "restore",
    ("PUT", _ITEM + "/kpis/{year}"): "edit",
    ("POST", _ITEM + "/kpis/{year}/submit"): "edit",
    ("POST", _ITEM + "/kpis/{year}/review"): "review",
    ("GET", "/api/review-queue"): "review_queue",
    ("GET", "/api/registry/export"): "export",
    ("POST", "/api/registry/import"): "import",
    ("GET", "/api/users"): "manage_users",
    ("POST", "/api/users"): "manage_users",
    ("PATCH", "/api/users/{name}"): "manage_users",
    ("POST", "/api/tokens"): "manage_tokens",
    ("GET", "/api/tokens"): "manage_tokens",
    ("DELETE", "/api/tokens/{token_id}"): "manage_tokens",
} | {(method, f"{_ITEM}/{kind}{rest}"): "award_label" if kind == "labels" else "edit"
     for kind in ("projects", "cooperations", "labels")
     for method, rest in (("POST", ""), ("PATCH", "/{child_id}"), ("DELETE", "/{child_id}"))}


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory, demo_dir, atlas):
    app = seeded_app(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'registry.sqlite'}",
                     demo_dir, atlas)
    with TestClient(app):  # runs the lifespan: the registry service is set up
        service = app.state.registry
        service.add_user("fuzz-admin", "admin", PASSWORD)
        service.add_user("fuzz-analyst", "analyst", PASSWORD)
        service.add_user("fuzz-manager", "manager", PASSWORD, ["metalldialog"])
        yield app


@pytest.fixture(scope="module")
def operations(fuzz_app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    ops = [result.ok() for result in schema.get_all_operations()]
    assert len(ops) > 30  # the registry, atlas and user endpoints are all in the schema
    assert {(op.method.upper(), op.path) for op in ops} >= set(ACTION)
    return ops


def _strategies(operations):
    """Each operation as the schema allows, and (where it addresses an initiative) on
    a real one, so that the fuzzer gets past 404 into validation, rights and versions."""
    for operation in operations:
        yield operation.as_strategy()
        if "{initiative_id}" in operation.path:
            yield operation.as_strategy(path_parameters={"initiative_id": "metalldialog"})


class Caller:
    """One role's credentials, renewed when the fuzzer revokes them: an admin may
    deactivate itself, change its own role or revoke its own token, and every later
    request would otherwise stop at 401 and test nothing."""

    def __init__(self, service, role):
        self.service, self.role, self.name = service, role, f"fuzz-{role}"
        self.renewed = 0
        self.secret = None if role == "public" else service.create_token(self.name, "fuzz")

    @property
    def headers(self):
        return {} if self.secret is None else {"Authorization": f"Bearer {self.secret}"}

    def actor(self):
        """Who the next request acts as (credentials renewed first if revoked)."""
        if self.secret is None:
            return ANONYMOUS
        try:
            return self.service.actor_for_token(self.secret)
        except AccessError:
            self.service.set_user(self.name, CLI_ACTOR, active=True, role=self.role)
            self.secret = self.service.create_token(self.name, "fuzz")
            self.renewed += 1
            return self.service.actor_for_token(self.secret)

    def own_tokens(self):
        return set() if self.secret is None else {
            t["id"] for t in self.service.tokens(self.name)}


def _may(caller, actor, case):
    """Whether the access rules let ``actor`` do what ``case`` asks (None: the
    operation is public reading, the rules do not apply)."""
    action = ACTION.get((case.method.upper(), case.operation.path))
    if action is None:
        return None
    params = case.path_parameters or {}
    if action != "manage_tokens":
        return allowed(actor, action, params.get("initiative_id"))
    if case.method.upper() == "DELETE":  # revoking: one's own token, or as admin any
        return not actor.anonymous and (actor.role == "admin"
                                        or params["token_id"] in caller.own_tokens())
    given_ = case.body if case.method.upper() == "POST" else case.query
    user = given_.get("user") if isinstance(given_, dict) else None
    return allowed(actor, action, user=user or actor.name)


# schemathesis's own pytest integration does not run under pytest 9 (it reads a removed
# attribute), so the strategies it derives from the schema drive Hypothesis directly
@pytest.mark.parametrize("role", ROLES)
def test_fuzz_every_operation(operations, fuzz_app, role):
    caller = Caller(fuzz_app.state.registry, role)
    statuses: dict[int, int] = {}
    reached: set[str] = set()
    trespasses: list[str] = []
    for strategy in _strategies(operations):

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), database=None)
        @given(case=strategy)
        def fuzz(case):
            actor = caller.actor()
            may = _may(caller, actor, case)
            response = case.call(headers=caller.headers)
            code = response.status_code
            statuses[code] = statuses.get(code, 0) + 1
            reached.add(f"{case.method.upper()} {case.operation.path}")
            if 200 <= code < 300 and may is False:
                trespasses.append(f"{role}: {code} on {case.method.upper()} "
                                  f"{case.formatted_path}")
            case.validate_response(response, checks=[not_a_server_error,
                                                     response_schema_conformance])

        fuzz()
    requests = sum(statuses.values())
    server_errors = sum(n for code, n in statuses.items() if code >= 500)
    if REPORT:
        path = Path(REPORT)
        report = json.loads(path.read_text()) if path.exists() else {}
        report[role] = {"examples": EXAMPLES, "operations": len(reached),
                        "requests": requests, "server_errors": server_errors,
                        "trespasses": len(trespasses), "renewed": caller.renewed,
                        "statuses": {str(c): n for c, n in sorted(statuses.items())}}
        path.write_text(json.dumps(report, indent=1))
    print(role, requests, sorted(statuses.items()))
    assert server_errors == 0, statuses
    assert trespasses == [], trespasses
    # every operation was called as this role, and got past the door: successes and
    # refusals both occurred
    assert reached == {f"{op.method.upper()} {op.path}" for op in operations}
    assert requests >= 3 * len(operations), statuses
    assert any(200 <= code < 300 for code in statuses), statuses
    assert any(400 <= code < 500 for code in statuses), statuses
