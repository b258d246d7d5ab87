"""Issue 14.2: a field group an initiative keeps private reaches the public on no path.

For every field group one demo initiative hides that group (and only that one) and
carries a distinctive sentinel in every field of every group.  The test then fetches,
as an anonymous visitor, every GET route of the application (pages, their JSON twins,
CSV downloads, the briefings) for those initiatives, their districts and categories,
and finds none of the hidden sentinels, while the sentinels of the groups the other
initiatives publish do appear (so the pages fetched do show each group somewhere).
A new GET route the test cannot fill in fails it: teach :func:`_urls` its parameters.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from clusteratlas.registry.schemas import FIELD_GROUPS
from conftest import ADMIN, seeded_app

YEAR = 2023


def token(owner: str, group: str) -> str:
    """The sentinel of ``group``'s fields on the initiative that hides ``owner``."""
    return f"zq{owner}x{group}q"


def budget(owner: str) -> float:
    return 9_870_000.0 + 1111 * FIELD_GROUPS.index(owner)


def label_date(owner: str) -> str:
    return f"{1901 + FIELD_GROUPS.index(owner)}-11-11"


def _number_forms(value: float) -> list[str]:
    n = int(value)
    return [str(n), f"{n:,}", f"{n:,}".replace(",", "."), f"{n:,}".replace(",", " "),
            f"{n:,}".replace(",", "\u202f"), f"{n:.3e}"]


def sentinels(owner: str, group: str) -> list[str]:
    """What may be seen of ``group`` on the initiative hiding ``owner`` (lower case)."""
    if group == "budget":
        return _number_forms(budget(owner))
    if group == "labels":
        return [label_date(owner)]
    return [token(owner, group)]


def _fill(service: Any, ident: str, hide: str) -> None:
    """Sentinels into every group of ``ident``; only ``hide`` private."""
    def t(group: str) -> str:
        return token(hide, group)

    version = service.get(ident, ADMIN)["version"]
    service.update(ident, {
        "facts": [{"text": f"{t('facts')} fact",
                   "source_url": f"https://{t('facts')}-fact.example.org/"}],
        "sources": [{"url": f"https://{t('facts')}-source.example.org/"}],
        "members_text": f"{t('facts')} members", "staff_text": f"{t('facts')} staff",
        "members": [{"name": t("members"), "member_type": "sme"}],
        "visibility": {g: g != hide for g in FIELD_GROUPS},
    }, ADMIN, version)
    report = service.put_kpi(ident, YEAR, {
        "members_sme": 30, "members_large": 10, "members_active": 35,
        "active_definition": f"{t('kpis')} active", "staff_headcount": 2, "staff_fte": 1.5,
        "budget_eur": budget(hide), "public_cofunding_share": 40.0, "events": 9,
        "participants": 400, "funding_sources": t("kpis")}, ADMIN, None)
    report = service.submit_kpi(ident, YEAR, ADMIN, report["version"])
    # the reviewer's comment is bookkeeping: never public, whatever the visibility
    service.review_kpi(ident, YEAR, {"decision": "accept", "comment": f"{t('kpis')} review"},
                       ADMIN, report["version"])
    service.add_child(ident, "projects", {"name": t("projects"),
                                          "description": f"{t('projects')} about"}, ADMIN)
    service.add_child(ident, "cooperations", {"partner_name": t("cooperations"),
                                              "description": f"{t('cooperations')} about"},
                      ADMIN)
    service.add_child(ident, "labels", {"label": "ESCA Gold",
                                        "valid_from": label_date(hide)}, ADMIN)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory, demo_dir, atlas):
    """The app with one initiative per field group hiding it, and every page fetched
    anonymously: (owners by group, {url: lower-case text}, the app)."""
    path = tmp_path_factory.mktemp("visibility") / "registry.sqlite"
    app = seeded_app(f"sqlite:///{path}", demo_dir, atlas)
    with TestClient(app) as client:
        service = app.state.registry
        found = service.find(ADMIN, kind="initiative", per_page=100).items
        picked = [i for i in found if i["regions_served"] and i["categories"]
                  and i["seat_region"]][:len(FIELD_GROUPS)]
        owners = dict(zip(FIELD_GROUPS, (i["id"] for i in picked), strict=True))
        for group, ident in owners.items():
            _fill(service, ident, group)
        app.state.registry_changed()  # as after a change through the app's own routes
        pages: dict[str, str] = {}
        for url in _urls(app, service, picked):
            r = client.get(url)
            assert r.status_code < 500, f"{url}: {r.status_code} {r.text[:300]}"
            assert r.status_code in (200, 401, 403, 404), f"{url}: {r.status_code}"
            pages[url] = _text(url, r)
        yield owners, pages, app


def _text(url: str, response: Any) -> str:
    if url.split("?")[0].endswith(".pdf"):
        if response.status_code != 200 or shutil.which("pdftotext") is None:
            return ""
        done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.content,
                              capture_output=True, check=True)
        return done.stdout.decode("utf-8", "replace").lower()
    return response.text.lower()


def _routes(routes: list[Any]) -> list[APIRoute]:
    """The API routes, also those of included routers (FastAPI ≥ 0.165 keeps an
    included router whole, as one entry)."""
    out: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):
            out += _routes(route.original_router.routes)
    return out


def _urls(app: Any, service: Any, picked: list[dict[str, Any]]) -> list[str]:
    """Every GET route of the app, filled in for the chosen initiatives, their seats,
    districts and categories; with ``format=csv`` too where a route offers it."""
    ids = [i["id"] for i in picked]
    regions = sorted({i["seat_region"] for i in picked}
                     | {i["regions_served"][0] for i in picked})
    categories = sorted({c for i in picked for c in i["categories"]})
    urls: list[str] = []
    for route in _routes(app.routes):
        if "GET" not in route.methods:
            continue
        path = route.path
        names = set(re.findall(r"{(\w+)}", path))
        query = {p.name for p in route.dependant.query_params}
        filled: list[str] = []
        if path.startswith("/briefing/"):
            fmt_urls = {"/briefing/{kind}.{fmt}": ["/briefing/state.{fmt}"],
                        "/briefing/{kind}/{target}.{fmt}":
                            [f"/briefing/district/{r}.{{fmt}}" for r in regions]
                            + [f"/briefing/initiative/{i}.{{fmt}}" for i in ids]}[path]
            filled = [u.replace("{fmt}", f) for u in fmt_urls for f in ("html", "pdf")]
        elif "child_id" in names:
            kind = path.split("/")[-2]
            filled = [path.replace("{initiative_id}", i).replace(
                          "{child_id}", str(c["id"]))
                      for i in ids for c in service.children(i, kind, ADMIN)]
        else:
            filled = [path]
            for name in sorted(names):
                if name == "initiative_id":
                    values = ids
                elif name == "code":
                    values = categories if "/categories/" in path else regions
                elif name in ("year", "entry_id"):
                    values = [str(YEAR) if name == "year" else "1"]
                else:
                    raise AssertionError(f"GET {path}: the visibility test does not know "
                                         f"how to fill {{{name}}}; teach _urls")
                filled = [u.replace(f"{{{name}}}", v) for u in filled for v in values]
        params = []
        if "q" in query:
            params.append(f"q={picked[0]['name'].split()[0]}")
        if "regions" in query:
            params.append("regions=" + ",".join(regions[:3]))
        suffix = "?" + "&".join(params) if params else ""
        if {"category", "indicator"} <= query:  # a map: its seats per category
            filled = [f"{u}?category={c}" for u in filled for c in categories]
            suffix = suffix.replace("?", "&")
        for url in filled:
            urls.append(url + suffix)
            more = "&" if "?" in url + suffix else "?"
            if "format" in query:
                urls.append(f"{url}{suffix}{more}format=csv")
            if "indicator" in query:
                urls.append(f"{url}{suffix}{more}indicator=coverage")
            if "label" in query:
                urls.append(f"{url}?label=ESCA%20Gold")
    return urls


def test_no_hidden_field_reaches_the_public(crawl):
    owners, pages, _ = crawl
    assert sum(1 for t in pages.values() if t) > 100  # the crawl did fetch pages
    leaks = [f"{group} of {owners[group]} ({s!r}) on {url}"
             for group in FIELD_GROUPS for url, text in pages.items()
             if not url.split("?")[0].endswith(".pdf")
             for s in sentinels(group, group) if s in text]
    leaks += [f"review comment of {ident} on {url}" for group, ident in owners.items()
              for url, text in pages.items() if f"{token(group, 'kpis')} review" in text]
    assert not leaks, "\n".join(leaks[:20])
    # nor is an initiative found by a label it keeps private
    for listing in ("/api/initiatives?label=ESCA%20Gold", "/initiatives?label=ESCA%20Gold"):
        assert owners["labels"] not in pages[listing]
        assert owners["facts"] in pages[listing]
    # nor told by the benchmark (its label level and label peer group)
    hidden = json.loads(pages[f"/api/initiatives/{owners['labels']}/benchmark"])
    shown = json.loads(pages[f"/api/initiatives/{owners['facts']}/benchmark"])
    assert (hidden["status"], shown["status"]) == ("ok", "ok")
    assert hidden["label_level"] is None
    assert "same label level" not in hidden["peer_groups"]
    assert shown["label_level"] == 3
    assert "same label level" in shown["peer_groups"]


def test_the_crawl_sees_every_public_group(crawl):
    """The control: each group, where published, is shown on some page fetched (else
    the test above would pass for pages that never show it)."""
    _owners, pages, _ = crawl
    every = "\n".join(t for u, t in pages.items() if not u.split("?")[0].endswith(".pdf"))
    for group in FIELD_GROUPS:
        shown = [o for o in FIELD_GROUPS if o != group
                 and any(s in every for s in sentinels(o, group))]
        assert shown, f"no page shows the {group} group of any initiative publishing it"


def test_briefing_pdfs_hide_hidden_fields(crawl):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF text cannot be "
                    "read; the HTML briefings are checked above")
    _owners, pages, _ = crawl
    pdfs = {u: t for u, t in pages.items() if u.split("?")[0].endswith(".pdf")}
    assert pdfs
    assert all(pdfs.values())
    leaks = [f"{group} ({s!r}) in {url}" for group in FIELD_GROUPS for url, text in pdfs.items()
             for s in sentinels(group, group) if s in text]
    assert not leaks, "\n".join(leaks[:20])
    # the initiative briefings print the facts and projects the others publish
    assert any(token(o, "facts") in t for o in FIELD_GROUPS if o != "facts"
               for t in pdfs.values())


def test_the_district_page_shows_what_its_initiatives_publish(crawl):
    """The region profile as the public and as the agency sees it: the hidden facts
    are the agency's only (the projection is per caller)."""
    owners, pages, app = crawl
    service = app.state.registry
    code = service.get(owners["facts"], ADMIN)["regions_served"][0]
    public = pages[f"/api/regions/{code}"]
    assert owners["facts"] in public
    assert token("facts", "facts") not in public
    assert '"hidden_groups":["facts"]' in public.replace(" ", "")
    service.add_user("agency", "admin", "agency password 1")
    secret = service.create_token("agency", "visibility test")
    with TestClient(app) as client:
        agency = client.get(f"/api/regions/{code}",
                            headers={"Authorization": f"Bearer {secret}"}).text.lower()
    assert token("facts", "facts") in agency
