"""Pure analytics: arrays and frames in, results out.  No files, SQL, HTTP or global state."""

from clusteratlas.core.concentration import location_quotient, share_of_category, share_of_region
from clusteratlas.core.tilemap import hex_tile_layout

__all__ = ["hex_tile_layout", "location_quotient", "share_of_category", "share_of_region"]
