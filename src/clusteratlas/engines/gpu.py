"""Pair histograms on an NVIDIA GPU with CuPy (extra ``[gpu]``).

One CUDA thread block takes a tile of first sites; each thread walks the later sites
in the same x-sorted window as the CPU kernel and adds hits to a block-local
shared-memory histogram (atomics in shared memory are cheap), which is added to the
global histogram once per block.  Distances are computed in float32 exactly as on the
CPU, so results agree to the same bin-edge tolerance; CI has no GPU and skips the
comparison test, which runs wherever CuPy finds a device.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clusteratlas._optional import import_optional
from clusteratlas.core._pairs import EARTH_RADIUS_KM

__all__ = ["gpu_pair_histogram"]

_SOURCE = r"""
extern "C" __global__
void pair_hist(const float* a, const float* b, const float* c, const float* w,
               const long long* ends, int n, int n_bins, float limit, float inv,
               int spherical, int weighted, int use_shared, double* out) {
    extern __shared__ float local[];
    if (use_shared) for (int k = threadIdx.x; k < n_bins; k += blockDim.x) local[k] = 0.0f;
    __syncthreads();
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        float ai = a[i], bi = b[i], ci = spherical ? c[i] : 0.0f;
        float wi = weighted ? w[i] : 1.0f;
        const float two_r = 2.0f * 6371.0088f;
        for (long long j = i + 1; j < ends[i]; ++j) {
            float dx = a[j] - ai, dy = b[j] - bi;
            float d2 = dx * dx + dy * dy;
            if (spherical) { float dz = c[j] - ci; d2 += dz * dz; }
            if (d2 < limit) {
                float d = sqrtf(d2);
                if (spherical) d = two_r * asinf(fminf(d / two_r, 1.0f));
                int k = min((int)(d * inv), n_bins - 1);
                float add = weighted ? wi * w[j] : 1.0f;
                if (use_shared) atomicAdd(&local[k], add); else atomicAdd(&out[k], (double)add);
            }
        }
    }
    __syncthreads();
    if (use_shared)
        for (int k = threadIdx.x; k < n_bins; k += blockDim.x)
            if (local[k] != 0.0f) atomicAdd(&out[k], (double)local[k]);
}
"""
_KERNEL: list[Any] = []


def gpu_pair_histogram(coords: np.ndarray, weights: np.ndarray | None, *, cutoff: float,
                       bin_width: float, spherical: bool) -> np.ndarray:
    """Same contract as :func:`clusteratlas.core._pairs.pair_histogram`."""
    cp = import_optional("cupy", extra="gpu", purpose="The GPU back end")
    if not _KERNEL:
        _KERNEL.append(cp.RawKernel(_SOURCE, "pair_hist"))
    n_bins = int(np.ceil(cutoff / bin_width))
    if spherical:
        lon, lat = np.radians(coords[:, 0]), np.radians(coords[:, 1])
        xyz = EARTH_RADIUS_KM * np.column_stack(
            [np.sin(lat), np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon)])
        xyz -= xyz.mean(axis=0)
        chord = 2.0 * EARTH_RADIUS_KM * np.sin(min(cutoff / (2.0 * EARTH_RADIUS_KM), np.pi / 2))
        order = np.argsort(xyz[:, 0], kind="stable")
        cols = [xyz[order, k] for k in range(3)]
    else:
        chord = float(cutoff)
        order = np.argsort(coords[:, 0], kind="stable")
        cols = [coords[order, 0], coords[order, 1], np.zeros(1)]
    a, b, c = (cp.asarray(np.ascontiguousarray(v, dtype=np.float32)) for v in cols)
    a_host = np.ascontiguousarray(cols[0], dtype=np.float32)
    ends = cp.asarray(np.searchsorted(a_host, a_host + np.float32(chord), side="right")
                      .astype(np.int64))
    w = cp.asarray(np.asarray(weights, dtype=np.float32)[order]) if weights is not None \
        else cp.zeros(1, dtype=cp.float32)
    out = cp.zeros(n_bins, dtype=cp.float64)
    n = len(order)
    threads = 256
    blocks = (n + threads - 1) // threads
    # block-local histograms fit the 48 KiB of shared memory up to 12,288 bins;
    # finer histograms add straight to global memory
    use_shared = 4 * n_bins <= 48 * 1024
    _KERNEL[0]((blocks,), (threads,),
               (a, b, c, w, ends, np.int32(n), np.int32(n_bins), np.float32(chord * chord),
                np.float32(1.0 / bin_width), np.int32(spherical), np.int32(weights is not None),
                np.int32(use_shared), out), shared_mem=4 * n_bins if use_shared else 0)
    result: np.ndarray = cp.asnumpy(out)
    return result
