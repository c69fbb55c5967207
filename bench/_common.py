"""Helpers shared by the benchmark scripts."""

from __future__ import annotations

import argparse
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


def add_keyframe_options(parser: argparse.ArgumentParser) -> None:
    """``--baseline-weight W`` and ``--no-flip`` (``args.baseline_weight``,
    ``args.flip_average``): the learned keyframe matcher's settings, as
    ``pbc keyframe`` takes them."""
    from paintbucket.choices import KEYFRAME_BASELINE_WEIGHT
    from paintbucket.cli.options import finite_float

    parser.add_argument(
        "--baseline-weight", type=finite_float(0), default=KEYFRAME_BASELINE_WEIGHT,
        metavar="W", help="the learned matcher: weight of the baseline's aligned votes "
        f"(default {KEYFRAME_BASELINE_WEIGHT}; 0 = the matcher alone)",
    )  # fmt: skip
    parser.add_argument(
        "--no-flip", dest="flip_average", action="store_false",
        help="the learned matcher: no mirrored pass (flip averaging off)",
    )  # fmt: skip


WEIGHTS_METAVAR = "LABEL=FILE[:BETA[:FLOOR[:LOCK[:CONSISTENCY]]]]"
WEIGHTS_HELP = (
    "also run the inclusion engine with these weights: network only, or fused with the flow "
    "vote given BETA (flow_prior), FLOOR (flow_floor), LOCK (flow_lock) and CONSISTENCY "
    "(consistency_lock); the locks default to off"
)


def weight_engines(specs: list[str], **options) -> dict:
    """Inclusion engines named by ``LABEL=FILE[:BETA[:FLOOR[:LOCK[:CONSISTENCY]]]]`` specs
    (network only unless BETA is given); ``options`` go to every engine."""
    from paintbucket.consecutive import make_engine

    engines = {}
    for item in specs:
        label, _, spec = item.partition("=")
        path, *fusion = spec.split(":")
        fused = {"flow_prior": 0.0, "flow_lock": 2.0, "consistency_lock": 2.0}
        keys = ("flow_prior", "flow_floor", "flow_lock", "consistency_lock")
        for key, value in zip(keys, fusion):
            fused[key] = float(value)
        engines[label] = make_engine("inclusion", weights=path, **fused, **options)
    return engines
