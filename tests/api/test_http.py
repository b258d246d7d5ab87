"""Browser-free HTTP tests of the pages and their JSON twins."""

import re

import pytest

ERROR_KEYS = {"ok", "error", "errors", "status"}


def test_map_page_has_44_district_shapes(client):
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    svg = re.search(r"<svg class=\"map\".*?</svg>", r.text, re.S).group(0)
    assert len(re.findall(r"<path d=\"M", svg)) == 44
    assert len(set(re.findall(r'data-region="(\d{5})"', svg))) == 44
    assert 'data-synthetic="true"' in r.text
    assert "Synthetische Demodaten" in r.text
    # assets come from the app itself: no CDN scripts or stylesheets
    assert "/static/atlas.css" in r.text
    assert not re.search(r'src="https?://', r.text)
    assert not re.search(r'<link[^>]+href="https?://', r.text)


def test_map_page_category_and_language(client):
    r = client.get("/?category=medical_technology&year=2018&lang=en")
    assert r.status_code == 200
    assert "<h1>Medical technology" in r.text
    assert "Synthetic demo data" in r.text
    assert '<option value="2018" selected>' in r.text
    assert 'lang="en"' in r.text


def test_district_page(client):
    r = client.get("/regions/08435")
    assert r.status_code == 200
    assert "<h1>Bodenseekreis" in r.text
    assert 'data-initiative="bodenseeairea"' in r.text
    assert "Luft- und Raumfahrt" in r.text
    assert "https://www.bodensee4you.ch/" in r.text  # the fact's source is shown
    assert 'data-synthetic="true"' in r.text


def test_district_page_numbers_equal_api(client):
    page = client.get("/regions/08435?lang=en").text
    api = client.get("/api/regions/08435").json()
    total = f"{api['total_employment']:,.0f}"
    assert f'<dd data-field="total_employment">{total}</dd>' in page


def test_api_regions_lists_44_with_codes(client):
    body = client.get("/api/regions").json()
    assert body["ok"] is True
    assert body["synthetic"] is True
    assert body["count"] == 44
    codes = {(r["ags"], r["nuts3"]) for r in body["regions"]}
    assert ("08435", "DE147") in codes
    assert ("08111", "DE111") in codes
    assert all(re.fullmatch(r"08\d{3}", a) and re.fullmatch(r"DE1\w\w", n) for a, n in codes)


def test_api_bodenseekreis(client):
    r = client.get("/api/regions/08435")
    body = r.json()
    assert r.status_code == 200
    assert body["synthetic"] is True
    assert r.headers["x-clusteratlas-synthetic"] == "true"
    cats = {c["category"]: c for c in body["categories"]}
    assert len(cats) == 16
    assert cats["aerospace"]["lq"] > 4
    assert cats["aerospace"]["employment"] > 4000
    assert "bodenseeairea" in cats["aerospace"]["initiatives"]
    assert "BodenseeAIRea" in [i["name"] for i in body["initiatives"]]
    assert any("synthetic" in (d["attribution"] or "").lower() for d in body["provenance"])


@pytest.mark.parametrize("path", ["/api/regions", "/api/regions/08111", "/api/map",
                                  "/api/categories", "/api/map?category=plastics&year=2016"])
def test_every_demo_response_is_marked_synthetic(client, path):
    r = client.get(path)
    assert r.status_code == 200
    assert r.json()["synthetic"] is True
    assert r.headers["x-clusteratlas-synthetic"] == "true"


def test_api_map(client):
    body = client.get("/api/map?category=fastening_technology").json()
    assert body["category"]["code"] == "fastening_technology"
    hohenlohe = next(f for f in body["regions"] if f["code"] == "08126")
    assert hohenlohe["lq"] > 10
    assert hohenlohe["initiatives"] == []
    assert body["legend"][-1]["label"] == "no data / suppressed"


@pytest.mark.parametrize(("path", "status", "fragment"), [
    ("/api/regions/99999", 404, "region '99999' is not in the register"),
    ("/api/regions/08435?year=1990", 400, "year 1990 is not in the data"),
    ("/api/map?category=nope", 404, "category 'nope'"),
    ("/api/map?year=abc", 400, "invalid request parameters"),
    ("/api/nothing-here", 404, "no page at /api/nothing-here"),
])
def test_api_errors_share_one_shape(client, path, status, fragment):
    r = client.get(path)
    assert r.status_code == status
    body = r.json()
    assert set(body) == ERROR_KEYS
    assert body["ok"] is False
    assert body["status"] == status
    assert fragment in body["error"] or any(fragment in e for e in body["errors"])


def test_unknown_district_page_is_html_404(client):
    r = client.get("/regions/99999")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "99999" in r.text


def test_static_assets_are_served_locally(client):
    assert client.get("/static/atlas.css").status_code == 200
    assert client.get("/static/atlas.js").status_code == 200


def test_openapi_lists_the_api(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/regions", "/api/regions/{code}", "/api/map", "/api/categories"} <= set(paths)


def test_initiatives_endpoint_is_real_facts(client):
    body = client.get("/api/initiatives?per_page=100").json()
    assert body["synthetic"] is False
    assert body["total"] == 23
    assert all(i["sources"] for i in body["initiatives"])


def test_category_description_follows_language(client):
    de = client.get("/api/map?category=aerospace").json()["category"]["description"]
    en = client.get("/api/map?category=aerospace&lang=en").json()["category"]["description"]
    assert de.startswith("Luft- und Raumfahrzeugbau")
    assert en.startswith("Manufacture of air and spacecraft")


def test_autocorrelation_endpoint(client):
    body = client.get("/api/autocorrelation?category=automotive&permutations=199").json()
    assert body["ok"] is True
    assert body["synthetic"] is True
    assert body["neighbours"] == "5 nearest district centres"
    assert -1 <= body["moran"]["i"] <= 1
    assert body["fdr"]["alpha"] == 0.05
    assert len(body["regions"]) + len(body["excluded_unknown"]) == 44
    assert all(r["quadrant"] in ("HH", "LH", "LL", "HL") for r in body["regions"])


def test_district_page_shows_stars_and_strong(client):
    page = client.get("/regions/08435").text
    api = client.get("/api/regions/08435").json()
    aero = next(c for c in api["categories"] if c["category"] == "aerospace")
    assert aero["stars"] >= 2
    assert aero["star_specialisation"]
    assert "★" * aero["stars"] in page


def test_map_indicators_and_csv(client):
    for indicator in ("lq", "employment", "stars", "strong", "growth", "coverage"):
        body = client.get(f"/api/map?category=fastening_technology&indicator={indicator}")
        data = body.json()
        assert data["indicator"] == indicator
        hohenlohe = next(r for r in data["regions"] if r["code"] == "08126")
        assert hohenlohe["colour"].startswith("#")
    cov = client.get("/api/map?category=fastening_technology&indicator=coverage").json()
    assert next(r for r in cov["regions"] if r["code"] == "08126")["value"] == "gap"
    stars = client.get("/api/map?category=aerospace&indicator=stars").json()
    assert {r["value"] for r in stars["regions"] if r["value"] is not None} <= {0, 1, 2, 3}
    csv_text = client.get("/api/map?category=aerospace&format=csv")
    assert csv_text.headers["content-type"].startswith("text/csv")
    lines = csv_text.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("code,name,abbreviation,value,lq")
    assert len(lines) == 45
    assert client.get("/api/map?indicator=nonsense").status_code == 400


def test_category_compare_search(client, atlas):
    cat = client.get("/api/categories/fastening_technology").json()
    assert cat["ranking"][0]["region"] == "08126"  # the planted agglomeration leads
    assert 0 < cat["concentration"]["gini"] <= 1
    assert cat["employment"] == pytest.approx(sum(r["employment"] or 0 for r in cat["ranking"]))
    cmp = client.get("/api/compare?regions=08126,08435").json()
    assert [r["code"] for r in cmp["regions"]] == ["08126", "08435"]
    row = next(r for r in cmp["rows"] if r["category"] == "aerospace")
    api = client.get("/api/regions/08435").json()
    assert row["08435 employment"] == next(c["employment"] for c in api["categories"]
                                           if c["category"] == "aerospace")
    assert client.get("/api/compare?regions=1,2,3,4,5,6").status_code == 400
    found = client.get("/api/search?q=boden").json()
    assert "08435" in {r["code"] for r in found["regions"]}
    assert "bodenseeairea" in {i["id"] for i in found["initiatives"]}
    assert client.get("/api/search?q=x").status_code == 400
    for page in ("/categories/aerospace", "/compare?regions=08126,08435", "/search?q=lago",
                 "/?indicator=coverage&category=fastening_technology", "/regions/08126"):
        assert client.get(page).status_code == 200, page


def test_search_synonyms_towns_and_short_query_page(client):
    found = client.get("/api/search?q=Luftfahrt").json()
    assert "aerospace" in {c["code"] for c in found["categories"]}
    town = client.get("/api/search?q=Friedrichshafen").json()
    assert town["initiatives"]
    assert "08435" in {r["code"] for r in town["regions"]}
    assert client.get("/api/search?q=8435").json()["regions"][0]["code"] == "08435"
    short = client.get("/search?q=x")
    assert short.status_code == 200
    assert "mindestens 2 Zeichen" in short.text
    assert "at least 2 characters" in client.get("/search?q=x&lang=en").text


def test_region_code_without_leading_zero(client):
    r = client.get("/regions/8435?lang=en", follow_redirects=False)
    assert r.status_code == 308
    assert r.headers["location"] == "/regions/08435?lang=en"
    assert client.get("/regions/8435").status_code == 200
    api = client.get("/api/regions/8435")
    assert api.status_code == 200
    assert api.json()["region"]["code"] == "08435"
    assert client.get("/regions/99999").status_code == 404
