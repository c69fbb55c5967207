"""The design sheet alone on the frames of synthetic cuts: the keyframe matcher's
validation.

Every ``--every``-th frame of every cut in ``--data`` (a ``pbc synth`` folder of cuts with
design sheets, as ``bench_cut.py`` reads them) is colored from its character's sheet
alone, as ``pbc keyframe`` colors it: once from the drawing only (no annotation: each
segment takes the tone its entry got most votes for) and once with the frame's shading
annotation (``line_anno/``, which decides the tone).
Scores are the paper's Acc / Acc-Thres on the frame's ``seg/``.

Usage::

    python bench/bench_sheet_cuts.py --data data/cuts-val [--weights FILE] [--every 3]
        [--baseline-weight W] [--no-flip]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from _common import add_keyframe_options
from bench_cut import synthetic_cuts

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "cuts-val")
    parser.add_argument("--weights", help="keyframe matcher weights (default: shipped)")
    parser.add_argument("--every", type=int, default=3, help="score every N-th frame")
    add_keyframe_options(parser)
    args = parser.parse_args()

    from paintbucket.keyframe.colorize import SheetColorizer
    from paintbucket.keyframe.sheet import load_sheet

    cuts = synthetic_cuts(args.data)
    scores: dict[str, list] = {"drawing only": [], "annotations": []}
    start = time.perf_counter()
    for cut in tqdm(cuts, desc="cuts", unit="cut"):
        colorizer = SheetColorizer(
            load_sheet(cut.sheet_dir), weights=args.weights, baseline_weight=args.baseline_weight,
            flip_average=args.flip_average,
        )  # fmt: skip
        for index in range(1, len(cut), args.every):
            frame = cut.frame(index)
            drawing = colorizer(frame).coloring.render()
            annotated = colorizer.first_keyframe(frame, cut.annotations[index]).render()
            scores["drawing only"].append(cut.score(index, frame, drawing))
            scores["annotations"].append(cut.score(index, frame, annotated))
    elapsed = time.perf_counter() - start
    print(f"\n{args.data.name}, weights {args.weights or 'shipped'}, baseline weight "
          f"{args.baseline_weight}, flip averaging {args.flip_average}: "
          "Acc / Acc-Thres")  # fmt: skip
    for name, frames in scores.items():
        acc = np.mean([f.acc for f in frames])
        acc_thres = np.nanmean([f.acc_thres for f in frames])
        print(f"{name:>13} | {acc:.4f} / {acc_thres:.4f} | {len(frames)} frames")
    print(f"{elapsed:.0f} s on {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")  # fmt: skip


if __name__ == "__main__":
    main()
