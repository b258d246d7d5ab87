"""The registry service on SQLite and PostgreSQL: writes, versions, audit, restore,
KPI workflow, visibility, filters, users and sign-in."""

import pytest

from clusteratlas.errors import (
    AccessError,
    ConflictError,
    FindingsError,
    InputError,
    NotFoundError,
    RateLimitError,
    UnknownCodeError,
)
from clusteratlas.registry.auth import ANONYMOUS, LoginLimiter
from clusteratlas.service.registry import RegistryService, aggregate, same_content
from conftest import ADMIN, ANALYST, MANAGER, OTHER_MANAGER

REPORT = {"members_sme": 30, "members_large": 10, "members_research": 3, "members_active": 38,
          "active_definition": "paying", "staff_headcount": 2, "staff_fte": 1.5,
          "budget_eur": 300000.0, "public_cofunding_share": 40.0, "events": 9,
          "participants": 410, "collaboration_projects": 2}


def test_demo_registry_holds_the_facts_with_sources(service):
    cyber = service.get("cyberforum")
    # German in the field, English in its variant (both from the transcribed sources)
    assert "1.200" in cyber["members_text"]
    assert "1,200" in cyber["members_text_en"]
    assert any("Baden-Baden" in f["text"] for f in cyber["facts"])
    assert cyber["sources"][0]["url"].startswith("https://bnn.de/")
    assert cyber["cooperations"][0]["partner_region"] == "08211"
    metall = service.get("metalldialog")
    assert metall["projects"][0]["name"] == "SEFEX"
    assert service.find(ANONYMOUS, per_page=100).total == 23


def test_update_needs_the_current_version(service):
    current = service.get("cyberforum", ADMIN)["version"]
    with pytest.raises(ConflictError) as missing:
        service.update("cyberforum", {"goals": "x"}, ADMIN, None)
    assert missing.value.http_status == 428
    out = service.update("cyberforum", {"goals": "Digital economy"}, ADMIN, f'"{current}"')
    assert out["version"] == current + 1
    with pytest.raises(ConflictError) as stale:
        service.update("cyberforum", {"goals": "overwritten?"}, ADMIN, current)
    assert stale.value.http_status == 412
    assert stale.value.current == current + 1
    assert service.get("cyberforum")["goals"] == "Digital economy"


def test_manager_edits_own_initiative_only(service):
    v = service.get("metalldialog", MANAGER)["version"]
    service.update("metalldialog", {"services": "Trade fairs"}, MANAGER, v)
    with pytest.raises(AccessError) as denied:
        service.update("cyberforum", {"services": "x"}, MANAGER,
                       service.get("cyberforum")["version"])
    assert denied.value.http_status == 403
    with pytest.raises(AccessError) as anon:
        service.update("cyberforum", {"services": "x"}, ANONYMOUS, 1)
    assert anon.value.http_status == 401


def test_validation_names_the_field(service):
    v = service.get("cyberforum")["version"]
    with pytest.raises(FindingsError) as bad:
        service.update("cyberforum", {"founded": 3000, "website": "no url"}, ADMIN, v)
    fields = {f["field"] for f in bad.value.findings}
    assert fields == {"founded", "website"}
    with pytest.raises(UnknownCodeError, match="'09999'"):
        service.update("cyberforum", {"regions_served": ["09999"]}, ADMIN, v)
    with pytest.raises(FindingsError, match="extra_field"):
        service.update("cyberforum", {"extra_field": 1}, ADMIN, v)
    assert service.get("cyberforum")["version"] == v  # nothing written


def test_kpi_workflow_and_visibility(service):
    out = service.put_kpi("metalldialog", 2024, REPORT, MANAGER, None)
    assert out["status"] == "draft"
    # drafts and non-public KPIs are hidden from the public, with the same answer
    with pytest.raises(NotFoundError):
        service.kpi("metalldialog", 2024)
    with pytest.raises(NotFoundError):
        service.kpi("metalldialog", 2031)
    assert "kpi_reports" not in service.get("metalldialog")
    assert service.kpi("metalldialog", 2024, ANALYST)["events"] == 9
    with pytest.raises(AccessError):
        service.put_kpi("metalldialog", 2024, REPORT, OTHER_MANAGER, out["version"])
    sub = service.submit_kpi("metalldialog", 2024, MANAGER, out["version"])
    assert sub["status"] == "submitted"
    with pytest.raises(ConflictError) as frozen:
        service.put_kpi("metalldialog", 2024, REPORT, MANAGER, sub["version"])
    assert frozen.value.http_status == 409
    assert [r["year"] for r in service.review_queue(ADMIN)] == [2024]
    with pytest.raises(AccessError):
        service.review_queue(ANALYST)
    back = service.review_kpi("metalldialog", 2024, {"decision": "return",
                                                     "comment": "FTE?"}, ADMIN, sub["version"])
    assert back["status"] == "draft"
    assert back["reviewer_comment"] == "FTE?"
    again = service.submit_kpi("metalldialog", 2024, MANAGER, back["version"])
    done = service.review_kpi("metalldialog", 2024, {"decision": "accept"}, ADMIN,
                              again["version"])
    assert done["status"] == "accepted"
    # the manager publishes KPIs but keeps the budget private
    v = service.get("metalldialog", MANAGER)["version"]
    service.update("metalldialog", {"visibility": {"kpis": True}}, MANAGER, v)
    public = service.kpi("metalldialog", 2024)
    assert public["events"] == 9
    assert public["budget_eur"] is None
    assert public["reviewer_comment"] is None
    assert service.kpi("metalldialog", 2024, ANALYST)["budget_eur"] == 300000.0


def test_implausible_reports_are_refused_per_field(service):
    with pytest.raises(FindingsError) as bad:
        service.put_kpi("metalldialog", 2024, REPORT | {"staff_fte": 5.0}, MANAGER, None)
    assert bad.value.findings[0]["field"] == "staff_fte"
    with pytest.raises(FindingsError) as neg:
        service.put_kpi("metalldialog", 2024, REPORT | {"events": -1}, MANAGER, None)
    assert neg.value.findings[0]["field"] == "events"
    with pytest.raises(NotFoundError):
        service.kpi("metalldialog", 2024, ADMIN)


def test_warnings_accompany_a_report(service):
    out = service.put_kpi("metalldialog", 2023, {"members_sme": 4, "members_research": 6,
                                                 "events": 1}, MANAGER, None)
    fields = {(f["level"], f["field"]) for f in out["findings"]}
    assert ("warning", "committed_partners") in fields
    assert ("warning", "events") in fields


def test_archive_and_restore_is_identical(service):
    before = service.get("photonics-bw", ADMIN)
    v = before["version"]
    service.add_child("photonics-bw", "projects", {"name": "QuantumBW", "start_year": 2022},
                      ADMIN)
    service.put_kpi("photonics-bw", 2022, REPORT, ADMIN, None)
    state = service.get("photonics-bw", ADMIN)
    with pytest.raises(AccessError):
        service.archive("photonics-bw", MANAGER, state["version"])
    service.archive("photonics-bw", ADMIN, state["version"])
    with pytest.raises(NotFoundError):
        service.get("photonics-bw")
    assert service.get("photonics-bw", ANALYST)["archived"] is True
    assert "photonics-bw" not in {i["id"] for i in service.find(ANONYMOUS, per_page=100).items}
    history = service.history("photonics-bw", ADMIN)
    assert [h["action"] for h in history][-3:] == ["add", "kpi", "archive"]
    restored = service.restore("photonics-bw", history[-1]["id"], ADMIN, before=True)
    assert restored["archived"] is False
    assert same_content(service.get("photonics-bw", ADMIN), state)
    assert restored["version"] > v
    # the restore is itself in the history and can be undone
    assert service.history("photonics-bw", ADMIN)[-1]["action"] == "restore"
    with pytest.raises(AccessError):
        service.restore("photonics-bw", history[-1]["id"], ANALYST)


def test_history_states_and_rights(service):
    v = service.get("biolago")["version"]
    service.update("biolago", {"goals": "Life sciences"}, ADMIN, v)
    entry = service.history("biolago", ANALYST)[-1]
    assert entry["actor"] == "agency"
    assert service.state("biolago", entry["id"], ANALYST)["goals"] == "Life sciences"
    assert service.state("biolago", entry["id"], ANALYST, before=True)["goals"] == ""
    with pytest.raises(AccessError):
        service.history("biolago", ANONYMOUS)
    with pytest.raises(AccessError):
        service.history("biolago", MANAGER)
    with pytest.raises(NotFoundError):
        service.state("cyberforum", entry["id"], ADMIN)


def test_children_versions_and_rights(service):
    p = service.add_child("metalldialog", "projects", {"name": "Digital twin", "topics":
                                                        "simulation"}, MANAGER)
    assert p["version"] == 1
    p2 = service.update_child("metalldialog", "projects", p["id"], {"end_year": 2026},
                              MANAGER, p["version"])
    assert (p2["topics"], p2["end_year"], p2["version"]) == ("simulation", 2026, 2)
    with pytest.raises(ConflictError):
        service.update_child("metalldialog", "projects", p["id"], {"end_year": 2027},
                             MANAGER, p["version"])
    with pytest.raises(FindingsError, match="before it starts"):
        service.update_child("metalldialog", "projects", p["id"],
                             {"start_year": 2030, "end_year": 2020}, MANAGER, p2["version"])
    with pytest.raises(AccessError):
        service.add_child("metalldialog", "labels", {"label": "ESCA Gold"}, MANAGER)
    service.add_child("metalldialog", "labels", {"label": "ESCA Gold"}, ADMIN)
    service.delete_child("metalldialog", "projects", p["id"], MANAGER, p2["version"])
    with pytest.raises(NotFoundError):
        service.child("metalldialog", "projects", p["id"])


def test_list_filters_and_pages(service):
    assert {i["id"] for i in service.find(category="plastics").items} >= {"kunststoffdialog"}
    assert {i["id"] for i in service.find(region="08212").items} == {"cyberforum"}
    assert {i["id"] for i in service.find(text="LAGO").items} == {"biolago", "cyberlago",
                                                                   "solarlago"}
    labelled = {i["id"] for i in service.find(label="BW Cluster-Exzellenz").items}
    assert {"photonics-bw", "afbw", "automotive-bw"} <= labelled
    first = service.find(per_page=10)
    second = service.find(per_page=10, page=3)
    assert (first.total, len(first.items), len(second.items)) == (23, 10, 3)
    assert service.find(kind="agency").items[0]["id"] == "clusteragentur-bw"
    with pytest.raises(AccessError):
        service.find(ANONYMOUS, archived=True)
    # hiding the labels also hides them from the filter
    v = service.get("afbw")["version"]
    service.update("afbw", {"visibility": {"labels": False}}, ADMIN, v)
    assert "afbw" not in {i["id"] for i in service.find(label="BW Cluster-Exzellenz").items}
    assert "labels" not in service.get("afbw")


def test_create_initiative(service):
    with pytest.raises(AccessError):
        service.create({"id": "new-one", "name": "New"}, MANAGER)
    made = service.create({"id": "new-one", "name": "New", "regions_served": ["08111"],
                           "categories": ["automotive"]}, ADMIN)
    assert made["version"] == 1
    with pytest.raises(ConflictError) as dup:
        service.create({"id": "new-one", "name": "Again"}, ADMIN)
    assert dup.value.http_status == 409
    with pytest.raises(FindingsError, match="id"):
        service.create({"id": "Bad Id!", "name": "x"}, ADMIN)


def test_users_tokens_and_sign_in(service):
    service.add_user("agency", "admin", "a long enough password")
    service.add_user("hn", "manager", "another long password", ["metalldialog"])
    with pytest.raises(InputError, match="at least 12"):
        service.add_user("short", "analyst", "short")
    with pytest.raises(InputError, match="needs at least one initiative"):
        service.add_user("m2", "manager", "a long enough password")
    with pytest.raises(NotFoundError):
        service.add_user("m3", "manager", "a long enough password", ["nope"])
    secret = service.create_token("hn", "ci")
    actor = service.actor_for_token(secret)
    assert (actor.name, actor.role, actor.initiatives) == ("hn", "manager",
                                                           frozenset({"metalldialog"}))
    with pytest.raises(AccessError):
        service.actor_for_token("cat_wrong")
    cookie, who = service.login("hn", "another long password", "10.0.0.1")
    assert service.actor_for_session(cookie).csrf == who.csrf
    service.logout(cookie)
    assert service.actor_for_session(cookie).anonymous
    # deactivated users lose their tokens' power
    service.set_user("hn", ADMIN, active=False)
    with pytest.raises(AccessError):
        service.actor_for_token(secret)


def test_sign_in_failures_say_nothing_and_are_limited(store):
    service = RegistryService(store, limiter=LoginLimiter(attempts=3, window=60))
    store.migrate()
    service.add_user("agency", "admin", "a long enough password")
    messages = set()
    for name in ("agency", "nobody", "agency"):
        with pytest.raises(AccessError) as exc:
            service.login(name, "wrong password!", "10.0.0.9")
        messages.add((exc.value.message, exc.value.http_status))
    assert messages == {("wrong name or password", 401)}
    with pytest.raises(RateLimitError):  # 3 failures from this address
        service.login("agency", "a long enough password", "10.0.0.9")
    # another address may sign in
    service.login("agency", "a long enough password", "10.0.0.10")


def test_aggregate_round_trips_through_restore_format(service):
    with service.store.session() as s:
        from clusteratlas.registry.tables import Initiative

        agg = aggregate(s.get(Initiative, "metalldialog"))
    assert set(agg) >= {"regions_served", "kpi_reports", "projects", "cooperations",
                        "labels", "visibility", "facts", "sources", "members"}


def test_control_characters_are_refused(service):
    v = service.get("cyberforum")["version"]
    with pytest.raises(FindingsError, match=r"goals: .*control characters"):
        service.update("cyberforum", {"goals": "bell \x07 here"}, ADMIN, v)
    service.update("cyberforum", {"goals": "line one\nline two\ttab"}, ADMIN, v)
