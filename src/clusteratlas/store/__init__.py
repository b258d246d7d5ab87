"""The embedded store: one data directory with a DuckDB file for statistics and a
SQLite file for the initiative registry, created and migrated on first use."""

from clusteratlas.store.datadir import DataDir
from clusteratlas.store.stats import STATS_SCHEMA_VERSION, DatasetInfo, StatsStore

__all__ = ["STATS_SCHEMA_VERSION", "DataDir", "DatasetInfo", "StatsStore"]
