"""TopoJSON decoding: quantized arcs, reversed arcs, holes, the antimeridian, us-atlas."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from clusteratlas.errors import SourceError
from clusteratlas.sources.topojson import is_topojson, read_topology

US_ATLAS = Path(__file__).parents[2] / ".." / "shared" / "data" / "us" / "us-atlas" / "counties-10m.json"


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data))
    return path


def test_quantized_arcs_are_delta_decoded_and_reversed(tmp_path: Path) -> None:
    # two unit squares side by side sharing the arc x = 1 (arc 0), quantized with
    # scale (0.5, 0.25) and translate (10, 50): integer (2, 0) is lon 11
    topo = {"type": "Topology", "transform": {"scale": [0.5, 0.25], "translate": [10, 50]},
            "arcs": [[[2, 0], [0, 4]],                      # (11,50) → (11,51)
                     [[2, 4], [-2, 0], [0, -4], [2, 0]],    # (11,51) → (10,51) → (10,50) → (11,50)
                     [[2, 0], [2, 0], [0, 4], [-2, 0]]],    # (11,50) → (12,50) → (12,51) → (11,51)
            "objects": {"squares": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "id": "A", "arcs": [[0, 1]]},
                {"type": "Polygon", "id": "B", "arcs": [[2, ~0]]}]}}}
    features = read_topology(_write(tmp_path, topo)).features("squares")
    (a_id, _, a), (b_id, _, b) = features
    assert (a_id, b_id) == ("A", "B")
    assert a["coordinates"] == [[[11, 50], [11, 51], [10, 51], [10, 50], [11, 50]]]
    assert b["coordinates"] == [[[11, 50], [12, 50], [12, 51], [11, 51], [11, 50]]]


def test_antimeridian_longitudes_move_west(tmp_path: Path) -> None:
    topo = {"type": "Topology", "arcs": [[[179.5, 52], [-179.5, 52], [-179.5, 53], [179.5, 52]],
                                         [[-70, 40], [-69, 40], [-69, 41], [-70, 40]]],
            "objects": {"o": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "id": "x", "arcs": [[0]]},
                {"type": "Polygon", "id": "y", "arcs": [[1]]}]}}}
    ring = read_topology(_write(tmp_path, topo)).features("o")[0][2]["coordinates"][0]
    assert [p[0] for p in ring] == [-180.5, -179.5, -179.5, -180.5]


@pytest.mark.parametrize(("data", "field"), [
    ({"type": "FeatureCollection"}, "type"),
    ({"type": "Topology", "objects": {}}, "objects"),
    ({"type": "Topology", "objects": {"o": {}}, "arcs": [[[0, 0]]]}, "arc 0"),
    ({"type": "Topology", "objects": {"o": {}}, "arcs": [], "transform": {"scale": [1]}},
     "transform"),
])
def test_bad_topology_is_one_line_naming_the_field(tmp_path: Path, data: dict, field: str) -> None:
    with pytest.raises(SourceError, match=field):
        read_topology(_write(tmp_path, data))


def test_arc_index_out_of_range(tmp_path: Path) -> None:
    topo = {"type": "Topology", "arcs": [[[0, 0], [1, 0], [1, 1], [0, 0]]],
            "objects": {"o": {"type": "Polygon", "arcs": [[3]]}}}
    with pytest.raises(SourceError, match="arc 3"):
        read_topology(_write(tmp_path, topo)).features("o")


@pytest.mark.skipif(not US_ATLAS.exists(), reason="../shared/data/us/us-atlas is not here")
def test_us_atlas_counties() -> None:
    assert is_topojson(US_ATLAS)
    topo = read_topology(US_ATLAS)
    counties = {gid: (props, g) for gid, props, g in topo.features("counties")}
    assert len(counties) == 3231
    assert sum(1 for c in counties if c.startswith("08")) == 64  # Colorado
    props, denver = counties["08031"]
    assert props["name"] == "Denver"
    ring = np.array(denver["coordinates"][0] if denver["type"] == "Polygon"
                    else denver["coordinates"][0][0])
    # Denver lies at about 105.0° W, 39.7° N
    assert -105.2 < ring[:, 0].mean() < -104.7
    assert 39.6 < ring[:, 1].mean() < 39.9
    # the Aleutians West census area lies west of 180° with no longitude east of it
    _, aleutians = counties["02016"]
    xs = [p[0] for poly in aleutians["coordinates"] for ring in poly for p in ring]
    assert max(xs) < -160
    assert min(xs) < -180
