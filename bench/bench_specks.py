"""Tiny segments: does a rule for specks beat the engine's own choice?

A binary drawing keeps every 1-pixel pocket between strokes as a segment of its own
(``speck_area="auto"`` merges them into the line only in anti-aliased drawings). Issue
#15 asks for such specks to be handled by a rule chosen on validation data. This bench
colors every frame from the painted previous one (the pairwise protocol of
``bench_consecutive.py``) and scores the engine's coloring as it is and with each rule
applied to the target segments of at most ``A`` pixels:

- ``flow``: the speck takes the flow engine's color (the reference's color warped onto
  its pixels);
- ``neighbour``: the speck takes the color of the nearest segment larger than ``A``
  (majority over its pixels).

Acc-Thres only counts segments above 10 pixels, so for ``A`` <= 10 only Acc can move.

Run: ``python bench/bench_specks.py [--data DIR ...] [--real] [--engine inclusion]
[--max-areas 1 2 4 10]``. ``--data`` folders are synthetic datasets (``pbc synth``);
``--real`` adds the warped sequences of the real drawings of ``bench_cut.py``.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from tqdm import tqdm

from paintbucket.consecutive import make_engine
from paintbucket.core import ColoredFrame, Frame, SegmentColoring
from paintbucket.io import read_rgba, read_segments
from paintbucket.metrics import evaluate_frame, summarize
from paintbucket.segment.labels import fill_pinholes
from paintbucket.segment.stats import majority_vote, nearest_fill, segment_areas

from bench_consecutive import frame_steps, painted_frame
from bench_cut import real_cuts

RULES = ("flow", "neighbour")


def neighbour_ids(segment_ids: np.ndarray, specks: np.ndarray) -> np.ndarray:
    """(N + 1,) int64: for every speck id, the nearest non-speck segment (majority over
    the speck's pixels); other rows 0."""
    nearest_of = np.zeros(specks.size, np.int64)
    inside = specks[segment_ids]
    if not inside.any():
        return nearest_of
    others = (segment_ids > 0) & ~inside
    nearest = nearest_fill(segment_ids, others).astype(np.int64)
    ids, winners, _, _ = majority_vote(np.where(inside, segment_ids, 0), nearest)
    nearest_of[ids] = winners
    return nearest_of


def rule_renders(
    coloring: SegmentColoring, flow_coloring: SegmentColoring, max_area: int
) -> dict[str, np.ndarray]:
    """``coloring`` rendered with each of :data:`RULES` applied to its segments of at most
    ``max_area`` pixels."""
    ids = coloring.segment_ids
    specks = segment_areas(ids, coloring.num_segments) <= max_area
    specks[0] = False
    colors = coloring.segment_rgba()
    flow_colors = flow_coloring.segment_rgba()
    paint_ids = ids if coloring.line_mask is None else fill_pinholes(ids, coloring.line_mask)
    renders = {}
    for rule in RULES:
        ruled = colors.copy()
        if rule == "flow":
            ruled[specks] = flow_colors[specks]
        else:
            ruled[specks] = colors[neighbour_ids(ids, specks)[specks]]
        renders[rule] = ruled[paint_ids]
    return renders


def synthetic_pairs(data_dir: Path):
    """(set name, reference, target, truth, scoring segments) for every pair of a
    dataset."""
    for clip, t in frame_steps(data_dir):
        name = f"{t:04d}.png"
        yield (
            data_dir.name,
            painted_frame(clip, f"{t - 1:04d}.png"),
            Frame.from_line_art(read_rgba(clip / "line" / name)),
            read_rgba(clip / "gt" / name),
            read_segments(clip / "seg" / name),
        )


def real_pairs():
    """The same for the warped real sequences of ``bench_cut.py`` (its defaults)."""
    for cut in real_cuts(frames=8, seed=0, strength=1.5):
        for index in range(1, len(cut)):
            target = cut.frame(index)
            reference: ColoredFrame = cut.keyframe(index - 1)
            yield (
                f"real/{cut.name}",
                reference,
                target,
                cut.truths[index],
                cut.scoring_ids(index, target),
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="*", default=[Path("data/cuts-val")])
    parser.add_argument("--real", action="store_true", help="also the real warped sequences")
    parser.add_argument("--engine", default="inclusion")
    parser.add_argument("--max-areas", type=int, nargs="+", default=[1, 2, 4, 10])
    args = parser.parse_args()
    engine, flow = make_engine(args.engine), make_engine("flow")
    start = time.perf_counter()
    scores: dict = defaultdict(list)  # (set, rule) -> [frame scores]
    sources = [synthetic_pairs(d) for d in args.data] + ([real_pairs()] if args.real else [])
    for source in sources:
        for set_name, reference, target, truth, scoring in tqdm(source, unit="pair"):
            coloring, flow_coloring = engine(reference, target), flow(reference, target)
            renders = {args.engine: coloring.render(), "flow engine": flow_coloring.render()}
            for max_area in args.max_areas:
                for rule, image in rule_renders(coloring, flow_coloring, max_area).items():
                    renders[f"{args.engine} + {rule} <= {max_area}"] = image
            for label, image in renders.items():
                scores[set_name, label].append(evaluate_frame(image, truth, scoring))
    print("\nAcc / Acc-Thres, pairwise (each frame from the painted previous one)")
    for (set_name, label), frames in scores.items():
        summary = summarize(frames)
        print(f"{set_name:>22} | {label:>28} | {summary['acc']:.4f} / {summary['acc_thres']:.4f}")
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{time.perf_counter() - start:.0f} s on this machine, load average {load}")


if __name__ == "__main__":
    main()
