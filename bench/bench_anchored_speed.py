"""Seconds per frame of one cut in ``forward`` and ``anchored`` mode, the latter with and
without reusing encoded references (``LearnedEngine.reuse_references``), and with the
character's design sheet (``pbc colorize --sheet``) with and without reusing the sheet's
prepared views (``KeyframeModel.reuse_references``).

In ``anchored`` mode every frame is also matched against the cut's keyframe and against
its neighbour's own predecessor, which was the previous frame's chained reference: both
reference frames were encoded before. Reusing their encoding (features pooled into
tokens) skips the reference half of the feature network for those two passes. With a
sheet, every frame is also matched against one or two sheet views, the same for every
frame.

One held-out synthetic cut (``pbc synth --split test``) with only its first frame painted
is colored in-process by :func:`~paintbucket.pipeline.colorize_clip` with the default
learned engine on ONNX Runtime, the three ways alternating for ``--rounds`` rounds after
one warm-up run each (best round kept, load average printed with each). The outputs of
the two ``anchored`` ways are checked to be byte-identical.

Usage::

    PYTHONPATH=. python bench/bench_anchored_speed.py [--frames 8] [--size 1024] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path


def make_cut(root: Path, frames: int, size: int) -> Path:
    """A synthetic cut under ``root/cut`` with only ``gt/0000.png`` painted (its
    character's sheet in ``root/synth/char000_sheet``)."""
    from paintbucket.synth.dataset import SynthConfig, generate

    config = SynthConfig(characters=1, clips_per_character=1, frames=frames, size=size,
                         seed=11, split="test")  # fmt: skip
    generate(root / "synth", config, progress=False)
    clip = next((root / "synth").glob("*/line")).parent
    cut = root / "cut"
    shutil.copytree(clip / "line", cut / "line")
    (cut / "gt").mkdir()
    shutil.copy(clip / "gt" / "0000.png", cut / "gt" / "0000.png")
    return cut


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    from paintbucket.consecutive import make_engine
    from paintbucket.keyframe.colorize import SheetColorizer
    from paintbucket.keyframe.sheet import load_sheet
    from paintbucket.pipeline import colorize_clip

    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        cut = make_cut(Path(tmp), args.frames, args.size)
        sheet = load_sheet(Path(tmp) / "synth" / "char000_sheet")
        fresh_sheet = SheetColorizer(sheet)
        fresh_sheet.matcher.reuse_references = False
        ways = {
            "forward": ("forward", make_engine("inclusion"), None),
            "anchored, encoding every reference": (
                "anchored", make_engine("inclusion", reuse_references=False), None),
            "anchored (default)": ("anchored", make_engine("inclusion"), None),
            "anchored + sheet, preparing every view": ("anchored", make_engine("inclusion"),
                                                        fresh_sheet),
            "anchored + sheet (default)": ("anchored", make_engine("inclusion"),
                                           SheetColorizer(sheet)),
        }  # fmt: skip
        outputs = {name: Path(tmp) / f"out{number}" for number, name in enumerate(ways)}
        for round_number in range(args.rounds + 1):  # round 0 warms up
            for name, (mode, engine, colorizer) in ways.items():
                shutil.rmtree(outputs[name], ignore_errors=True)
                load = os.getloadavg()[0]
                start = time.perf_counter()
                colorize_clip(cut, outputs[name], mode=mode, engine=engine, progress=False,
                              sheet_opinion=colorizer.opinion if colorizer else None)  # fmt: skip
                per_frame = (time.perf_counter() - start) / (args.frames - 1)
                if round_number:
                    best[name] = min(best.get(name, float("inf")), per_frame)
                    print(f"round {round_number}: {name}: {per_frame:.3f} s/frame "
                          f"(load average {load:.1f})")  # fmt: skip
        names = list(ways)
        identical = all(
            (outputs[first] / path.name).read_bytes() == path.read_bytes()
            for first, second in ((names[1], names[2]), (names[3], names[4]))
            for path in sorted(outputs[second].iterdir())
        )
    print(f"\n{args.frames}-frame cut at {args.size}x{args.size}, first frame painted; "
          f"best of {args.rounds} rounds, seconds per colored frame:")  # fmt: skip
    for name, seconds in best.items():
        print(f"  {name:40s} {seconds:.3f}")
    reuse, without = best["anchored (default)"], best["anchored, encoding every reference"]
    with_sheet = best["anchored + sheet (default)"]
    sheet_without = best["anchored + sheet, preparing every view"]
    forward = best["forward"]
    print(f"reuse speed-up {without / reuse:.2f}x, with the sheet "
          f"{sheet_without / with_sheet:.2f}x; anchored / forward {reuse / forward:.2f}x "
          f"(without reuse {without / forward:.2f}x); outputs with and without reuse "
          f"identical: {identical}")  # fmt: skip


if __name__ == "__main__":
    main()
