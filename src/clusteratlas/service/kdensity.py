"""``clusteratlas kd``: K-densities for the industries of a site file, on local cores,
on Spark (one task per industry) or with the pair histograms on a GPU."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas._files import replacing
from clusteratlas.core.pointpattern import KDensity, k_density
from clusteratlas.errors import (
    ConfigError,
    DegenerateDataWarning,
    InputError,
    SchemaError,
)

__all__ = ["Sites", "read_sites", "run_kd", "write_kd"]


@dataclass(frozen=True)
class Sites:
    ids: np.ndarray
    industry: np.ndarray
    coords: np.ndarray
    employment: np.ndarray | None
    spherical: bool
    source: str


def read_sites(path: str | Path) -> Sites:
    """``id, industry[, employment]`` and ``lat, lon`` (great-circle distances) or
    ``x, y`` in km (Euclidean); validated by :func:`sources.firms.read_site_table`."""
    from clusteratlas.sources.firms import read_site_table

    p = Path(path)
    frame, spherical = read_site_table(p)
    employment = frame["employment"].to_numpy(dtype=float) if "employment" in frame else None
    if employment is not None and np.isnan(employment).any():
        i = int(np.flatnonzero(np.isnan(employment))[0])
        raise InputError(f"{p}, line {i + 2}: employment is missing; the weighted K-density "
                         "needs it for every site (or use --weights none)")
    names = ("lon", "lat") if spherical else ("x", "y")
    coords = frame[list(names)].to_numpy(dtype=float)
    return Sites(frame["id"].to_numpy(), frame["industry"].to_numpy(), coords, employment,
                 spherical, str(p))


def _one(sites: Sites, industry: str, options: dict[str, Any]) -> tuple[str, KDensity]:
    weights = sites.employment if options["weights"] == "employment" else None
    if options["weights"] == "employment" and weights is None:
        raise SchemaError(f"{sites.source}: --weights employment needs an employment column")
    mask = sites.industry == industry
    extra: dict[str, Any] = {}
    if options.get("device") == "gpu":
        from clusteratlas.engines.gpu import gpu_pair_histogram

        extra["histogram"] = gpu_pair_histogram
    return industry, k_density(sites.coords, mask, weights=weights, spherical=sites.spherical,
                               **_core_options(options), **extra)


def _core_options(options: dict[str, Any]) -> dict[str, Any]:
    return {k: options[k] for k in ("dmax", "n_grid", "simulations", "seed", "bandwidth")}


def run_kd(
    sites: Sites,
    industries: Sequence[str] | None = None,
    *,
    simulations: int = 999,
    seed: int = 1,
    weights: str = "employment",
    dmax: float = 100.0,
    n_grid: int = 101,
    bandwidth: float | None = None,
    engine: str = "local",
    engine_url: str | None = None,
    device: str = "cpu",
    progress: Callable[[str], None] | None = None,
    m_function: bool = False,
) -> dict[str, KDensity]:
    """K-densities of ``industries`` (all of them when None), each with its own seed
    ``seed + k`` so that results do not depend on the order or the engine."""
    if weights not in ("employment", "none"):
        raise ConfigError(f"--weights {weights!r}: expected employment or none")
    if engine not in ("local", "spark"):
        raise ConfigError(f"--engine {engine!r}: expected local or spark")
    if device not in ("cpu", "gpu"):
        raise ConfigError(f"--device {device!r}: expected cpu or gpu")
    available = sorted(set(sites.industry))
    chosen = list(industries) if industries else available
    unknown = [i for i in chosen if i not in available]
    if unknown:
        raise InputError(f"{sites.source}: industry {unknown[0]!r} has no sites "
                         f"(industries: {', '.join(available[:10])}…)")
    small = [i for i in chosen if int((sites.industry == i).sum()) < 2]
    chosen = [i for i in chosen if i not in small]
    if not chosen:
        raise InputError(f"{sites.source}: no industry has at least 2 sites")
    if small:
        warnings.warn(f"skipped {len(small)} industr{'y' if len(small) == 1 else 'ies'} with "
                      f"fewer than 2 sites (no pair distance): {', '.join(small[:10])}",
                      DegenerateDataWarning, stacklevel=2)
    base = {"simulations": simulations, "weights": weights, "dmax": dmax, "n_grid": n_grid,
            "bandwidth": bandwidth, "device": device}
    seeds = {ind: seed + k for k, ind in enumerate(chosen)}
    if engine == "spark":
        return _run_spark(sites, chosen, base, seeds, engine_url)
    out = {}
    for ind in chosen:
        out[ind] = _one(sites, ind, base | {"seed": seeds[ind]})[1]
        if progress is not None:
            progress(ind)
    if m_function:
        out = {ind: _with_m(sites, ind, r, weights) for ind, r in out.items()}
    return out


def _with_m(sites: Sites, industry: str, result: KDensity, weights: str) -> KDensity:
    from dataclasses import replace

    from clusteratlas.core.pointpattern import m_function

    radii = np.where(result.distance > 0, result.distance, 1e-9)
    m = m_function(sites.coords, sites.industry == industry, radii,
                   weights=sites.employment if weights == "employment" else None,
                   spherical=sites.spherical)
    return replace(result, m=m)


def _run_spark(sites: Sites, chosen: list[str], base: dict[str, Any], seeds: dict[str, int],
               url: str | None) -> dict[str, KDensity]:
    """One Spark task per industry; the sites travel once as a broadcast variable."""
    from clusteratlas.engines.ibis_engine import IbisEngine
    from clusteratlas.engines.spark import python_tasks, spark_context

    context = spark_context(IbisEngine("spark", url=url).con._session)
    shared = context.broadcast(sites)

    def task(industry: str) -> tuple[str, KDensity]:
        return _one(shared.value, industry, base | {"seed": seeds[industry]})

    with python_tasks(context):
        results = context.parallelize(chosen, numSlices=len(chosen)).map(task).collect()
    shared.unpersist()
    return dict(results)


def write_kd(results: dict[str, KDensity], out: str | Path) -> list[Path]:
    """Curves to ``out`` (one row per industry × distance) and the summary (Γ, Ψ,
    verdict) to ``NAME.summary.EXT``, both written atomically."""
    target = Path(out)
    ext = target.suffix.lower()
    if ext not in (".csv", ".parquet"):
        raise ConfigError(f"--out {target}: expected a .csv or .parquet file name")
    curves = pd.concat([
        pd.DataFrame({"industry": ind, "distance": r.distance, "kd": r.kd,
                      "local_lo": r.local_lo, "local_hi": r.local_hi,
                      "global_lo": r.global_lo, "global_hi": r.global_hi,
                      **({"m": r.m} if r.m is not None else {})})
        for ind, r in results.items()], ignore_index=True)
    summary = pd.DataFrame([{"industry": ind, "n_sites": r.n_sites, "bandwidth_km": r.bandwidth,
                             "simulations": r.n_simulations, "gamma": r.gamma, "psi": r.psi,
                             "verdict": r.verdict} for ind, r in results.items()])
    paths = [target, target.with_name(f"{target.stem}.summary{ext}")]
    with replacing(paths) as temps:
        for tmp, frame in zip(temps, (curves, summary), strict=True):
            if ext == ".parquet":
                frame.to_parquet(tmp, index=False)
            else:
                frame.to_csv(tmp, index=False)
    return paths
