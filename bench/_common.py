"""Helpers shared by the benchmark scripts."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

REAL_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"


def timeit(function: Callable[[], object], repeats: int = 5) -> tuple[float, float]:
    """Median and minimum wall time of ``function()`` over ``repeats`` runs (after a warm-up)."""
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)
