"""Pages at the scale of all US counties (issue 15.8, issue 17.3): what makes them
quick, checked as behaviour – the district page's mini map draws the district and its
neighbours only, the drawn map is kept per view and replayed byte for byte, a new
snapshot draws afresh, and what the first pages need is ready after start-up."""

import json
import re
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from clusteratlas.presentation.svgmap import svg_map, svg_paths
from clusteratlas.server import create_app
from clusteratlas.service import diversification, regions
from clusteratlas.web import views


def _mini(page: str) -> list[str]:
    """The regions drawn in a district page's mini map."""
    section = page.split('<section class="mini">', 1)[1].split("</section>", 1)[0]
    return re.findall(r'data-region="([^"]+)"', section)


def test_small_view_mini_map_draws_the_whole_view(client, atlas):
    drawn = _mini(client.get("/regions/08126?lang=en").text)
    assert len(atlas.mapped_regions) <= views.MINI_WHOLE
    assert sorted(drawn) == sorted(r.code for r in atlas.mapped_regions)


def test_large_view_mini_map_draws_the_district_and_its_nearest_neighbours(
        client, atlas, monkeypatch):
    # the demo's 44 districts stand in for the 3,140 US counties: the limit set below
    monkeypatch.setattr(views, "MINI_WHOLE", 10)
    monkeypatch.setattr(views, "MINI_NEIGHBOURS", 6)
    code = "08126"
    drawn = _mini(client.get(f"/regions/{code}?lang=en&year={atlas.years[-1]}").text)
    near = regions.neighbours(atlas, code, n=6)
    assert sorted(drawn) == sorted([code, *near])
    assert len(drawn) == 7
    # the nearest ones: no district left out is nearer than the farthest one drawn
    here = atlas.region(code)
    farthest = max(here.distance_km(atlas.region(c)) for c in near)
    others = [r for r in atlas.mapped_regions if r.code not in drawn]
    assert all(here.distance_km(r) >= farthest for r in others)
    # the district stands out, its neighbours link to their own pages
    assert re.search(rf'class="region highlight" data-region="{code}"', client.get(
        f"/regions/{code}?lang=en&year={atlas.years[-1]}").text)


def test_mini_map_without_representative_points_takes_the_nearest_on_the_map(
        atlas, monkeypatch):
    # US counties have no representative points: the neighbours are the regions whose
    # label points on the view's map are nearest
    monkeypatch.setattr(views, "MINI_WHOLE", 10)
    monkeypatch.setattr(views, "MINI_NEIGHBOURS", 5)
    monkeypatch.setattr(regions, "neighbours", lambda *a, **k: [])
    view = replace(atlas)
    code = "08126"
    at = views._svg(view)["labels"]
    x, y = at[code]
    dist = {c: (p[0] - x) ** 2 + (p[1] - y) ** 2 for c, p in at.items() if c != code}
    drawn = set(views.mini_svg(view, code)["paths"])
    assert len(drawn) == 6
    assert code in drawn
    assert max(dist[c] for c in drawn - {code}) <= min(
        d for c, d in dist.items() if c not in drawn)


def test_mini_map_is_the_drawing_of_those_regions(atlas, monkeypatch):
    monkeypatch.setattr(views, "MINI_WHOLE", 10)
    view = replace(atlas)  # an empty cache of drawn maps
    code = "08435"
    got = views.mini_svg(view, code)
    shown = {code, *regions.neighbours(view, code, n=views.MINI_NEIGHBOURS)}
    expected = svg_map({k: v for k, v in view.geometries.items() if k in shown},
                       geographic=view.layer != "schematic")
    assert got == expected
    assert views.mini_svg(view, code) is got  # drawn once per view and district


def test_drawn_map_is_kept_and_replayed_identically(atlas):
    view = replace(atlas)
    first = views._svg(view)
    again = views._svg(view)
    assert again is first
    fresh = svg_map(dict(view.geometries), geographic=view.layer != "schematic")
    assert json.dumps(first, sort_keys=True) == json.dumps(fresh, sort_keys=True)


def test_new_snapshot_draws_its_map_afresh(atlas):
    old = replace(atlas)
    views._svg(old)
    assert ("svg",) in old.cache
    # a new snapshot (an import, a reopened data directory) keeps nothing drawn before
    new = replace(old, geometries={k: v for k, v in list(old.geometries.items())[:5]})
    assert ("svg",) not in new.cache
    assert set(views._svg(new)["paths"]) == set(list(old.geometries)[:5])
    # a new registry state keeps the drawing: the map does not read the initiatives
    assert ("svg",) in old.with_initiatives([]).cache


def test_start_up_draws_the_home_map_and_the_product_space(demo_dir, atlas):
    fresh = replace(atlas)
    with TestClient(create_app(demo_dir, atlas=fresh)) as web:
        held = web.app.state.atlas.cache
        assert ("svg",) in held
        assert ("space", fresh.years[-1]) in held
        # ... and the first page is drawn from what start-up kept
        assert web.get("/?lang=en").status_code == 200
        assert held[("svg",)] is views._svg(web.app.state.atlas)


def test_product_space_is_computed_once_for_both_languages(atlas):
    view = replace(atlas)
    de = diversification._space(view, None, "de")
    en = diversification._space(view, None, "en")
    assert de.result is en.result
    assert de.names != en.names  # each language its own industry titles
    assert set(de.names) == set(en.names) == set(de.industries)


def test_rings_with_heights_draw_as_their_flat_rings():
    flat = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    high = {"type": "Polygon", "coordinates": [[[0, 0, 5], [1, 0, 5], [1, 1], [0, 1, 2],
                                                [0, 0, 5]]]}
    assert svg_paths({"a": json.dumps(high)}, tolerance=0) == svg_paths(
        {"a": json.dumps(flat)}, tolerance=0)


@pytest.mark.parametrize("indicator", ["lq", "employment", "stars", "strong", "growth",
                                       "coverage"])
def test_map_titles_say_each_region_s_value(client, atlas, indicator):
    page = client.get(f"/?category=automotive&indicator={indicator}&lang=en").text
    titles = dict(re.findall(r'data-region="([^"]+)"><path d="[^"]*" fill="[^"]*">'
                             r"<title>([^<]*)</title>", page))
    assert set(titles) == {r.code for r in atlas.mapped_regions}
    for code, title in titles.items():
        name = atlas.region(code).display_name
        assert title.startswith(name.replace("&", "&amp;") + ": ")
    if indicator == "lq":  # LQ with two decimals, as the API's value rounds to
        values = {f["code"]: f["lq"] for f in client.get(
            "/api/map?category=automotive&lang=en").json()["regions"]}
        for code, title in titles.items():
            lq = values[code]
            assert title.endswith(f": LQ {lq:,.2f}" if lq is not None else ": LQ no data")
