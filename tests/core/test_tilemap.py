import numpy as np
import pytest

from clusteratlas import reference
from clusteratlas.core import hex_tile_layout
from clusteratlas.errors import InputError


def test_every_district_gets_its_own_tile_near_its_place():
    districts = reference.bw_regions().at_level("district")
    lon = np.array([r.lon for r in districts])
    lat = np.array([r.lat for r in districts])
    centres, polygons = hex_tile_layout(lon, lat)
    assert len(polygons) == 44
    assert all(len(p) == 6 for p in polygons)
    assert len({(round(x, 3), round(y, 3)) for x, y in centres}) == 44
    # geography is kept: west-east and south-north orders correlate strongly
    assert np.corrcoef(centres[:, 0], lon)[0, 1] > 0.9
    assert np.corrcoef(centres[:, 1], lat)[0, 1] > 0.9
    # Mannheim (north-west) lies left of and above the Bodenseekreis (south-east)
    code = [r.code for r in districts]
    mannheim, bodensee = code.index("08222"), code.index("08435")
    assert centres[mannheim, 0] < centres[bodensee, 0]
    assert centres[mannheim, 1] > centres[bodensee, 1]


def test_layout_is_deterministic():
    lon, lat = [8.0, 8.5, 9.0, 9.5], [48.0, 48.5, 48.2, 47.9]
    a, _ = hex_tile_layout(lon, lat)
    b, _ = hex_tile_layout(lon, lat)
    np.testing.assert_array_equal(a, b)


def test_bad_points():
    with pytest.raises(InputError):
        hex_tile_layout([1.0, 2.0], [1.0])
    with pytest.raises(InputError):
        hex_tile_layout([np.nan], [1.0])
