"""SVG maps: coverage simplification keeps shared borders shared; path data are compact."""

from __future__ import annotations

import json
import re

import numpy as np

from clusteratlas.presentation.svgmap import simplify_tolerance, svg_paths


def _absolute(d: str) -> list[list[tuple[float, float]]]:
    """The rings of ``M x,y l dx,dy … z`` path data as absolute points."""
    rings = []
    for m, rel in re.findall(r"M([^l]+)l([^z]*)z", d):
        x, y = (float(v) for v in m.split(","))
        ring = [(x, y)]
        nums = [float(v) for v in re.findall(r"-?[\d.]+", rel)]
        for dx, dy in zip(nums[::2], nums[1::2], strict=True):
            x, y = x + dx, y + dy
            ring.append((round(x, 6), round(y, 6)))
        rings.append(ring)
    return rings


def _wiggle(n: int) -> list[tuple[float, float]]:
    # a border from (1, 0) to (1, 1) with small zig-zags (1/1000 of the map)
    return [(1 + (0.001 if k % 2 else -0.001), k / n) for k in range(n + 1)]


def test_shared_border_stays_shared_after_simplification() -> None:
    border = _wiggle(200)
    left = [(0.0, 0.0), *border, (0.0, 1.0), (0.0, 0.0)]
    right = [*border, (2.0, 1.0), (2.0, 0.0), border[0]]
    geo = {c: json.dumps({"type": "Polygon", "coordinates": [ring]})
           for c, ring in (("L", left), ("R", right))}
    paths, _, _ = svg_paths(geo, width=200, margin=0, geographic=False, tolerance=1.0)
    raw, _, _ = svg_paths(geo, width=200, margin=0, geographic=False, tolerance=0)
    pts = {c: set(_absolute(d)[0]) for c, d in paths.items()}
    assert len(pts["L"]) * 10 < len(set(_absolute(raw["L"])[0]))  # the zig-zags are gone
    # the points of the left square on x ≈ 100 are exactly those of the right square
    on_border = {c: {p for p in v if 99 <= p[0] <= 101} for c, v in pts.items()}
    assert on_border["L"] == on_border["R"]
    assert len(on_border["L"]) >= 2


def test_tolerance_grows_with_the_number_of_regions() -> None:
    assert simplify_tolerance(44) == 0.25
    assert 0.25 < simplify_tolerance(400) < simplify_tolerance(3143) == 1.5


def test_antimeridian_layer_is_drawn_in_one_piece() -> None:
    # an island at 179.5° E beside one at 170° W: 10.5° apart, not 349.5°
    def square(x: float) -> str:
        return json.dumps({"type": "Polygon", "coordinates": [
            [[x, 50], [x + 0.5, 50], [x + 0.5, 50.5], [x, 50.5], [x, 50]]]})
    _, (w, h), labels = svg_paths({"a": square(179.5), "b": square(-170.0)}, width=640,
                                  margin=0, tolerance=0)
    # the drawing spans 11° of longitude (180.5° W to 169.5° W) across 640 px; the
    # centres are 10.5° apart
    assert np.isclose(labels["b"][0] - labels["a"][0], 640 * 10.5 / 11)
    assert h < w / 5
