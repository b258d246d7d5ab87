"""A hexagonal tile map: one equal-sized hexagon per region, placed near its location.

Equal tiles keep small city districts (Stadtkreise) as visible as large rural ones,
which is why news graphics use tile maps for choropleths; the layout is schematic
and is labelled as such wherever it is drawn.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linear_sum_assignment

from clusteratlas.errors import InputError

__all__ = ["hex_tile_layout"]


def hex_tile_layout(
    lon: ArrayLike, lat: ArrayLike, *, slack: float = 1.5
) -> tuple[NDArray[np.float64], list[list[tuple[float, float]]]]:
    r"""Assign each region to one cell of a hexagonal grid, keeping neighbours close.

    Points are projected equirectangularly (:math:`x = \lambda\cos\bar\varphi`,
    :math:`y = \varphi`), a pointy-top hexagonal grid with about ``slack × n``
    cells is laid over their bounding box, and regions are assigned to cells by
    minimising the total squared distance (Hungarian algorithm, Kuhn 1955), so
    the result is deterministic.

    Parameters
    ----------
    lon, lat
        (n,) representative points in WGS84 degrees.
    slack
        Candidate cells per region; more cells let the layout follow the
        geography more closely but leave more holes.

    Returns
    -------
    centres
        (n, 2) tile centres in layout units (one unit = hexagon circumradius,
        y pointing north).
    polygons
        For each region the six corners of its hexagon, as (x, y) tuples.

    References
    ----------
    Kuhn, H. W. (1955). The Hungarian method for the assignment problem.
    *Naval Research Logistics Quarterly* 2, 83–97. doi:10.1002/nav.3800020109
    """
    x0 = np.asarray(lon, dtype=float)
    y0 = np.asarray(lat, dtype=float)
    if x0.shape != y0.shape or x0.ndim != 1 or len(x0) == 0:
        raise InputError("lon and lat must be 1-d arrays of the same, non-zero length")
    if not (np.all(np.isfinite(x0)) and np.all(np.isfinite(y0))):
        raise InputError("lon and lat must be finite numbers")
    n = len(x0)
    x = x0 * math.cos(math.radians(float(np.mean(y0))))
    y = y0
    width = max(float(np.ptp(x)), 1e-9)
    height = max(float(np.ptp(y)), 1e-9)
    # Pointy-top hexagons of circumradius 1 are sqrt(3) wide and 1.5 apart vertically.
    cell_area = math.sqrt(3) * 1.5
    scale = math.sqrt(slack * n * cell_area / (width * height))
    px = (x - x.min()) * scale
    py = (y - y.min()) * scale
    cols = math.ceil(px.max() / math.sqrt(3)) + 2
    rows = math.ceil(py.max() / 1.5) + 2
    centres = np.array(
        [
            (c * math.sqrt(3) + (math.sqrt(3) / 2 if r % 2 else 0.0), r * 1.5)
            for r in range(-1, rows)
            for c in range(-1, cols)
        ]
    )
    cost = (px[:, None] - centres[None, :, 0]) ** 2 + (py[:, None] - centres[None, :, 1]) ** 2
    row_ind, col_ind = linear_sum_assignment(cost)
    chosen = np.empty((n, 2))
    chosen[row_ind] = centres[col_ind]
    chosen -= chosen.min(axis=0)
    polygons = [
        [
            (round(cx + math.cos(math.radians(30 + 60 * k)), 4),
             round(cy + math.sin(math.radians(30 + 60 * k)), 4))
            for k in range(6)
        ]
        for cx, cy in chosen
    ]
    return chosen, polygons
