"""Engines read and aggregate raw rows; the analytic core does the rest.

``duckdb`` (default, embedded) and ``spark`` (local mode, ``spark://`` master or a
Spark Connect ``sc://`` URL) run the same Ibis expressions.  Selection: explicit
``engine=`` → ``CLUSTERATLAS_ENGINE`` → ``"duckdb"``.
"""

from clusteratlas.engines.ibis_engine import ENGINES, IbisEngine, get_engine

__all__ = ["ENGINES", "IbisEngine", "get_engine"]
