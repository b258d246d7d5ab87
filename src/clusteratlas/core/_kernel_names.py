"""The mapping pipeline's numba kernels by name, and the input size up to which a kernel
with an empty cache runs as Python: standard library only, so that the console script
can tell whether a fresh install must compile, and start compiling, before it imports
numpy (:func:`clusteratlas.service.compile_ahead.start_early`)."""

from __future__ import annotations

__all__ = ["PIPELINE_KERNELS", "SMALL"]

#: up to this many elements in the largest input array, a kernel whose cache is empty
#: runs as Python (about the size where compiling costs more than interpreting)
SMALL = 200_000

#: the kernels :func:`clusteratlas.core.mapping.load_kernels` loads:
#: ``(module of clusteratlas.core, function)``
PIPELINE_KERNELS = (("_aggregate", "_aggregate_rows"), ("_columns", "_by_column"),
                    ("_columns", "_columns"), ("_cells", "_cells"), ("_cells", "_summaries"))
