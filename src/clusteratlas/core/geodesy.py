"""The Earth as the distances of the atlas see it: a sphere of the mean radius."""

from __future__ import annotations

__all__ = ["EARTH_RADIUS_KM"]

#: mean radius of the Earth (IUGG, :math:`R_1 = (2a + b) / 3`) in km; every great-circle
#: distance of the atlas (regions, point patterns, the GPU kernel) uses it
EARTH_RADIUS_KM = 6371.0088
