"""Pair histograms on an NVIDIA GPU with CuPy (extra ``[gpu]``).

The same contract as :func:`clusteratlas.core._pairs.pair_histogram`, computed the
same way: sites sorted along one axis, each pair tested once in float32, hits added to
a fine histogram.  How it is fast on the device:

- all sites go to the device once and are sorted there once; a simulation sends only
  its n indices, which a prefix sum turns into the drawn sites in sorted order, and
  one histogram comes back;
- a block of threads takes consecutive first sites; their windows of later sites
  nearly coincide, so the block loads each tile of later sites into shared memory
  once and every thread tests its site against the whole tile, lanes staggered so
  that neighbouring threads rarely add to the same bin at the same time; the common
  window is cut into pieces so that there are several units of work per block;
- blocks are persistent (as many as the device holds at once): each adds its hits to
  its own histogram in shared memory (opting in to the large shared memory of recent
  GPUs for fine bins) and flushes it once;
- :meth:`GpuPairHistogram.submit_subset` launches on one of two streams and returns at once,
  so :func:`~clusteratlas.core.pointpattern.k_density` draws and smooths one
  simulation on the CPU while the GPU bins the next.

CI has no GPU: the comparison tests skip there and run wherever CuPy finds a device.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from clusteratlas._optional import import_optional
from clusteratlas.core.geodesy import EARTH_RADIUS_KM

__all__ = ["GpuPairHistogram", "gpu_pair_histogram"]

# the radius enters the kernel as a float literal (6371.0088f)
_SOURCE = f"#define EARTH_RADIUS_KM {EARTH_RADIUS_KM!r}f\n" + r"""
extern "C" __global__
void pair_hist(const float* __restrict__ a, const float* __restrict__ b,
               const float* __restrict__ c, const float* __restrict__ w,
               const long long* __restrict__ ends, int n, int n_bins, float limit,
               float inv, int spherical, int weighted, int use_shared, int chunks,
               double* out) {
    extern __shared__ float smem[];
    const int T = blockDim.x;
    float* ta = smem;
    float* tb = ta + T;
    float* tc = tb + T;
    float* tw = tc + T;
    float* hist = tw + T;
    if (use_shared)
        for (int k = threadIdx.x; k < n_bins; k += T) hist[k] = 0.0f;
    const float two_r = 2.0f * EARTH_RADIUS_KM;
    const long long groups = ((long long)n + T - 1) / T;
    // a unit of work: a group of T consecutive first sites and one of `chunks`
    // pieces of their common window of later sites
    for (long long u = blockIdx.x; u < groups * chunks; u += gridDim.x) {
        const long long first = (u / chunks) * T;
        const int piece = (int)(u % chunks);
        const long long i = first + threadIdx.x;
        const bool active = i < n;
        float ai = 0.0f, bi = 0.0f, ci = 0.0f, wi = 1.0f;
        if (active) {
            ai = a[i]; bi = b[i];
            if (spherical) ci = c[i];
            if (weighted) wi = w[i];
        }
        // window ends grow with i: the group's last site has the farthest one
        const long long last = (first + T < n ? first + T : n) - 1;
        const long long stop = ends[last];
        const long long span = stop - (first + 1);
        const long long len = (span + chunks - 1) / chunks;
        const long long lo = first + 1 + piece * len;
        const long long hi = (lo + len < stop ? lo + len : stop);
        for (long long base = lo; base < hi; base += T) {
            __syncthreads();
            const long long j = base + threadIdx.x;
            if (j < hi) {
                ta[threadIdx.x] = a[j]; tb[threadIdx.x] = b[j];
                if (spherical) tc[threadIdx.x] = c[j];
                if (weighted) tw[threadIdx.x] = w[j];
            }
            __syncthreads();
            const int m = (int)(hi - base < T ? hi - base : T);
            if (!active) continue;
            // lanes start at different sites of the tile, so that neighbouring
            // threads rarely add to the same bin at the same moment
            int k = threadIdx.x % m;
            for (int t = 0; t < m; ++t, k = (k + 1 == m ? 0 : k + 1)) {
                if (base + k <= i) continue;  // each unordered pair once
                const float dx = ta[k] - ai, dy = tb[k] - bi;
                float d2 = dx * dx + dy * dy;
                if (spherical) { const float dz = tc[k] - ci; d2 += dz * dz; }
                if (d2 < limit) {
                    float d = sqrtf(d2);
                    if (spherical) d = two_r * asinf(fminf(d / two_r, 1.0f));
                    const int bin = (int)(d * inv);
                    if (bin < n_bins) {
                        const float add = weighted ? wi * tw[k] : 1.0f;
                        if (use_shared) atomicAdd(&hist[bin], add);
                        else atomicAdd(&out[bin], (double)add);
                    }
                }
            }
        }
    }
    __syncthreads();
    if (use_shared)
        for (int k = threadIdx.x; k < n_bins; k += T)
            if (hist[k] != 0.0f) atomicAdd(&out[k], (double)hist[k]);
}
"""

#: threads per block (the benchmark on an H200 chose it, see docs/benchmarks.md)
THREADS = 1024


class GpuPairHistogram:
    """Callable with the signature of :func:`~clusteratlas.core._pairs.pair_histogram`,
    plus :meth:`submit` for overlapping the CPU's work with the GPU's.

    The device, its kernel and two streams are set up on first use, so an instance
    can be created (and pickled to Spark executors) without CuPy.
    """

    def __init__(self, threads: int = THREADS) -> None:
        self.threads = threads
        self._state: dict[str, Any] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"threads": self.threads, "_state": {}}

    def _setup(self) -> dict[str, Any]:
        if not self._state:
            cp = import_optional("cupy", extra="gpu", purpose="The GPU back end")
            dev = cp.cuda.Device()
            self._state.update(
                cp=cp,
                kernel=cp.RawKernel(_SOURCE, "pair_hist"),
                compact=cp.ElementwiseKernel("int32 m, int32 c", "raw int64 pos",
                                             "if (m) pos[c - 1] = i;", "clusteratlas_compact"),
                streams=[cp.cuda.Stream(non_blocking=True) for _ in range(2)],
                turn=0,
                sms=int(dev.attributes["MultiProcessorCount"]),
                shared_max=int(dev.attributes["MaxSharedMemoryPerBlockOptin"]),
                shared_sm=int(dev.attributes["MaxSharedMemoryPerMultiprocessor"]),
            )
        return self._state

    def __call__(self, coords: np.ndarray, weights: np.ndarray | None, *, cutoff: float,
                 bin_width: float, spherical: bool) -> np.ndarray:
        return self.submit(coords, weights, cutoff=cutoff, bin_width=bin_width,
                           spherical=spherical)()

    def _stream(self) -> Any:
        st = self._setup()
        stream = st["streams"][st["turn"]]
        st["turn"] = 1 - st["turn"]
        return stream

    def _columns(self, coords: np.ndarray, spherical: bool) -> Any:
        """(k, n) float64 device columns whose first row is the sort key: x, y, or the
        points on the sphere centred on their mean (as on the CPU, for float32)."""
        cp = self._state["cp"]
        xy = cp.asarray(np.ascontiguousarray(coords, dtype=np.float64))
        if not spherical:
            return cp.ascontiguousarray(xy.T)
        lon, lat = cp.radians(xy[:, 0]), cp.radians(xy[:, 1])
        cols = cp.stack([cp.sin(lat), cp.cos(lat) * cp.cos(lon),
                         cp.cos(lat) * cp.sin(lon)]) * EARTH_RADIUS_KM
        cols -= cols.mean(axis=1, keepdims=True)
        return cols

    def submit(self, coords: np.ndarray, weights: np.ndarray | None, *, cutoff: float,
               bin_width: float, spherical: bool) -> Callable[[], np.ndarray]:
        """Start the histogram on the GPU; the returned function waits for it."""
        stream = self._stream()
        cp = self._state["cp"]
        with stream:
            cols = self._columns(coords, spherical)
            order = cp.argsort(cols[0])
            w = None if weights is None else cp.asarray(
                np.asarray(weights, dtype=np.float32))[order]
            return self._launch(stream, cols[:, order], w, cutoff, bin_width, spherical)

    def submit_subset(self, coords: np.ndarray, weights: np.ndarray | None,
                      idx: np.ndarray, *, cutoff: float, bin_width: float,
                      spherical: bool) -> Callable[[], np.ndarray]:
        """The histogram of the sites ``coords[idx]``: all sites go to the device and
        are sorted once, after which a simulation sends only its indices, and the
        device picks them out in sorted order without sorting again."""
        stream = self._stream()
        st, cp = self._state, self._state["cp"]
        if len(idx) == 0:
            raise ValueError("no sites drawn")
        cached = st.get("sites")
        if cached is None or cached[0] is not coords or cached[1] is not weights \
                or cached[2] != spherical:
            with stream:
                cols = self._columns(coords, spherical)
                order = cp.argsort(cols[0])
                rank = cp.empty(len(coords), dtype=cp.int64)
                rank[order] = cp.arange(len(coords), dtype=cp.int64)
                w = None if weights is None else cp.asarray(
                    np.asarray(weights, dtype=np.float32))[order]
                st["sites"] = cached = (coords, weights, spherical,
                                        cp.ascontiguousarray(cols[:, order]), w, rank)
            # the other stream reads these too: they must be complete before it does
            stream.synchronize()
        sorted_cols, w_sorted, rank = cached[3], cached[4], cached[5]
        with stream:
            picked = cp.zeros(len(coords), dtype=cp.int32)
            picked[rank[cp.asarray(idx)]] = 1
            # the positions of the picked sites in sorted order, by a prefix sum
            # (cupy.flatnonzero would wait for the device to learn the count)
            pos = cp.empty(len(idx), dtype=cp.int64)
            st["compact"](picked, cp.cumsum(picked, dtype=cp.int32), pos)
            w = None if w_sorted is None else w_sorted[pos]
            return self._launch(stream, sorted_cols[:, pos], w, cutoff, bin_width, spherical)

    def _launch(self, stream: Any, cols: Any, w: Any, cutoff: float, bin_width: float,
                spherical: bool) -> Callable[[], np.ndarray]:
        """Bin the pairs of the sorted (k, n) columns ``cols`` (in ``stream``)."""
        st, cp = self._state, self._state["cp"]
        n = int(cols.shape[1])
        n_bins = int(np.ceil(cutoff / bin_width))
        if spherical:
            chord = 2.0 * EARTH_RADIUS_KM * np.sin(
                min(cutoff / (2.0 * EARTH_RADIUS_KM), np.pi / 2))
        else:
            chord = float(cutoff)
        a, b = (cp.ascontiguousarray(cols[k], dtype=cp.float32) for k in (0, 1))
        c = (cp.ascontiguousarray(cols[2], dtype=cp.float32) if spherical
             else cp.zeros(1, dtype=cp.float32))
        ends = cp.searchsorted(a, a + cp.float32(chord), side="right").astype(cp.int64)
        weighted = w is not None
        if not weighted:
            w = cp.zeros(1, dtype=cp.float32)
        out = cp.zeros(n_bins, dtype=cp.float64)
        tiles = 4 * 4 * self.threads
        use_shared = tiles + 4 * n_bins <= st["shared_max"]
        shared = tiles + (4 * n_bins if use_shared else 0)
        kernel = st["kernel"]
        if shared > 48 * 1024 and kernel.max_dynamic_shared_size_bytes < shared:
            kernel.max_dynamic_shared_size_bytes = shared
        # persistent blocks, as many as fit on the device at once, each flushing
        # its histogram once; about eight units of work per block for balance
        resident = st["sms"] * max(1, st["shared_sm"] // (shared + 1024))
        groups = (n + self.threads - 1) // self.threads
        chunks = int(min(64, max(1, -(-8 * resident // groups))))
        blocks = int(min(resident, groups * chunks))
        kernel((blocks,), (self.threads,),
               (a, b, c, w, ends, np.int32(n), np.int32(n_bins),
                np.float32(chord * chord), np.float32(1.0 / bin_width),
                np.int32(spherical), np.int32(weighted), np.int32(use_shared),
                np.int32(chunks), out),
               shared_mem=shared)

        def result() -> np.ndarray:
            # keep the inputs alive until the kernel that reads them has finished
            _ = (a, b, c, w, ends)
            host: np.ndarray = cp.asnumpy(out, stream=stream)
            stream.synchronize()
            return host

        return result


#: the default instance used by ``clusteratlas kd --device gpu``
gpu_pair_histogram = GpuPairHistogram()
