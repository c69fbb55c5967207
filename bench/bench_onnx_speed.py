"""One frame end to end with the default learned engine, PyTorch against ONNX Runtime.

For 1024 and 1920 pixels square, a ``pbc synth`` pair is rendered once; then each
backend colors the second frame from the first (flip averaging on, as by default) in a
fresh process of its own, so its peak resident memory is its own. The backends alternate
(torch, onnx, torch, onnx) so that both see the same machine load, and the load average
is printed with every measurement. Each process times read + segment + colorize + render
+ write PNG and JSON three times after a warm-up and keeps the fastest, with the time of
every stage (the functions the engine calls, timed in place). On ONNX Runtime the two
flip passes run side by side (``LearnedEngine.threads``), so its stage times are summed
over both threads and add up to more than its wall time; its ``pooling`` and ``boxes``
(the NumPy work between the two graphs) are part of ``network``.

Run: ``python bench/bench_onnx_speed.py [--sizes 1024 1920] [--rounds 2]`` (needs torch,
the ``train`` extra, for the PyTorch side).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

#: (module, attribute) of every timed stage, by the name printed.
STAGES = {
    "read": ("paintbucket.io", "read_rgba"),
    "segment": ("paintbucket.core.Frame", "from_line_art"),
    "flow": ("paintbucket.consecutive.learned", "estimate_flow"),
    "warp": ("paintbucket.consecutive.learned", "warp_nearest"),
    "work_line": ("paintbucket.consecutive.learned", "work_line"),
    "network": ("paintbucket.consecutive.learned.LearnedEngine", "_log_probs"),
    # ONNX Runtime only, and inside "network": the NumPy pooling between the two graphs.
    "pooling": ("paintbucket.models.runtime", "segment_tokens"),
    "boxes": ("paintbucket.models.runtime", "segment_box_table"),
    "votes": ("paintbucket.consecutive.learned", "vote_probabilities"),
    "overlap": ("paintbucket.consecutive.learned", "mutual_overlap"),
    "consistency": ("paintbucket.consecutive.learned", "consistent_flow"),
    "strokes": ("paintbucket.consecutive.learned", "stroke_votes"),
    "render": ("paintbucket.core.SegmentColoring", "render"),
    "write_png": ("paintbucket.io", "write_png"),
    "write_json": ("paintbucket.io", "write_text"),
}


def _owner(dotted: str) -> object:
    """The module or class named by ``dotted``."""
    import importlib

    module, _, attribute = dotted.rpartition(".")
    try:
        return importlib.import_module(dotted)
    except ModuleNotFoundError:
        return getattr(importlib.import_module(module), attribute)


def _timed(totals: dict, name: str, function):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[name] += time.perf_counter() - start

    return wrapper


def _instrument(totals: dict) -> None:
    """Wrap every stage function so that its time adds to ``totals[stage]``."""
    for name, (dotted, attribute) in STAGES.items():
        owner = _owner(dotted)
        function = (
            owner.__dict__[attribute] if isinstance(owner, type) else getattr(owner, attribute)
        )
        if isinstance(function, classmethod):
            setattr(owner, attribute, classmethod(_timed(totals, name, function.__func__)))
        else:
            setattr(owner, attribute, _timed(totals, name, function))


def measure(clip: Path, backend: str) -> dict:
    """Fastest of three end-to-end runs of one backend on ``clip``, with its stages."""
    totals: dict[str, float] = defaultdict(float)
    _instrument(totals)
    from paintbucket import io
    from paintbucket.consecutive import make_engine
    from paintbucket.core import ColoredFrame, Frame

    engine = make_engine("inclusion", backend=backend)

    def painted_reference() -> ColoredFrame:
        # A new object every run: the engine reuses the encoding of a reference object
        # it has seen (anchored mode's keyframe), which one frame of a chain never does.
        return ColoredFrame.from_keyframe(
            Frame.from_line_art(io.read_rgba(clip / "line" / "0000.png")),
            io.read_rgba(clip / "gt" / "0000.png"),
        )

    engine(painted_reference(), Frame.from_line_art(io.read_rgba(clip / "line" / "0001.png")))
    runs = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(3):
            reference = painted_reference()
            totals.clear()
            start = time.perf_counter()
            target = Frame.from_line_art(io.read_rgba(clip / "line" / "0001.png"))
            coloring = engine(reference, target)
            io.write_png(Path(out) / "out.png", coloring.render())
            io.write_text(Path(out) / "out.json", json.dumps(coloring.to_json()))
            runs.append((time.perf_counter() - start, dict(totals)))
    seconds, stages = min(runs, key=lambda run: run[0])
    return {
        "backend": backend,
        "seconds": seconds,
        "stages": stages,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "segments": int(target.segment_ids.max()),
        "torch_loaded": "torch" in sys.modules,
    }


def make_pair(root: Path, size: int) -> Path:
    """Render a two-frame synthetic clip of ``size`` pixels square; its folder."""
    from paintbucket.synth.dataset import SynthConfig, generate

    config = SynthConfig(
        characters=1, clips_per_character=1, frames=2, size=size, seed=11, split="test"
    )
    generate(root / str(size), config, progress=False)
    return next((root / str(size)).glob("*/line")).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1024, 1920])
    parser.add_argument("--rounds", type=int, default=2, help="torch/onnx alternations")
    parser.add_argument("--child", nargs=2, metavar=("CLIP", "BACKEND"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(Path(args.child[0]), args.child[1])))
        return
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            clip = make_pair(Path(tmp), size)
            best: dict[str, dict] = {}
            for _ in range(args.rounds):
                for backend in ("torch", "onnx"):
                    load = os.getloadavg()[0]
                    out = subprocess.run(
                        [sys.executable, __file__, "--child", str(clip), backend],
                        capture_output=True, text=True, check=True,
                    )  # fmt: skip
                    result = json.loads(out.stdout.strip().splitlines()[-1])
                    print(f"{size}x{size} {backend:5s}: {result['seconds']:.2f} s, peak "
                          f"{result['peak_rss_mb']:.0f} MB, torch loaded: "
                          f"{result['torch_loaded']}, load average {load:.1f}")  # fmt: skip
                    if backend not in best or result["seconds"] < best[backend]["seconds"]:
                        best[backend] = result
            torch_s, onnx_s = best["torch"]["seconds"], best["onnx"]["seconds"]
            print(
                f"{size}x{size}: {best['onnx']['segments']} segments; best torch "
                f"{torch_s:.2f} s, best onnx {onnx_s:.2f} s, {torch_s / onnx_s:.2f}x"
            )
            names = sorted(STAGES, key=lambda name: -best["onnx"]["stages"].get(name, 0))
            for name in names:
                print(f"  {name:12s} torch {best['torch']['stages'].get(name, 0):6.3f} s"
                      f"   onnx {best['onnx']['stages'].get(name, 0):6.3f} s")  # fmt: skip


if __name__ == "__main__":
    main()
