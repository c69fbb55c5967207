"""Keyframe colorization from design sheets on held-out synthetic characters.

Generates (once) ``data/bench-keyframe`` with ``pbc synth``'s generator (test split),
colorizes every frame from its character's design sheet, and prints the paper's
keyframe metrics (Acc-Thres, Pix-Acc, Pix-F-Acc, Pix-B-MIoU) for:

* ``baseline``: the non-learned aligned-reference vote, best silhouette reference,
  with shading annotations (and ``baseline, no anno`` without them);
* ``model 1-shot``: the keyframe matcher with the front long shot only, annotations;
* ``model + selection``: the matcher with the learned reference selection (paper Eq. 8);
* ``model, strokes``: as above, but semantic strokes instead of annotations. The strokes
  are simulated: a dot of the stroke color in a random half of the character's
  segments (ground-truth group). Shade then comes from color lines, which the synthetic
  line art does not have, so every segment gets its normal color;
* ``model, no anno``: as above, with neither annotations nor strokes.

Usage::

    python bench/bench_keyframe.py [--characters 3] [--clips 2] [--frames 3] [--size 512]
                                   [--line-width 2] [--as-drawn] [--weights FILE]
                                   [--selector-weights FILE] [--out DIR]
                                   [--baseline-weight W] [--no-flip]
"""

from __future__ import annotations

import argparse
import json
import time
import zlib
from dataclasses import asdict
from pathlib import Path

import cv2
import numpy as np

from _common import add_keyframe_options

ROOT = Path(__file__).resolve().parents[1]
METRICS = ("acc_thres", "pix_acc", "pix_f_acc", "pix_b_miou")


def simulate_strokes(
    segment_ids: np.ndarray, segment_group: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """(H, W, 4) stroke image: a dot (radius 3, clipped to the segment) of the group's
    stroke color at the innermost pixel of a random half of the segments with a known
    group (``segment_group`` per id, -1 = none)."""
    from paintbucket.keyframe.shading import STROKE_COLORS

    distance = cv2.distanceTransform((segment_ids > 0).astype(np.uint8), cv2.DIST_L2, 3)
    # Innermost pixel per segment: sort by (segment, -distance), keep each segment's first.
    ids = segment_ids.ravel()
    order = np.lexsort((-distance.ravel(), ids))
    first = np.ones(order.size, dtype=bool)
    first[1:] = ids[order][1:] != ids[order][:-1]
    inner = order[first]
    segments = ids[inner]
    marked = (segments > 0) & (segment_group[segments] >= 0)
    marked &= rng.random(segments.size) < 0.5
    dots = np.zeros(segment_ids.shape, np.int32)
    for pixel, segment in zip(inner[marked], segments[marked]):
        y, x = divmod(int(pixel), segment_ids.shape[1])
        cv2.circle(dots, (x, y), 3, int(segment), -1)
    inside = (dots > 0) & (dots == segment_ids)
    palette = np.zeros((len(STROKE_COLORS) + 1, 4), np.uint8)
    for group, color in STROKE_COLORS.items():
        palette[group] = (*color, 255)
    strokes = np.zeros((*segment_ids.shape, 4), np.uint8)
    strokes[inside] = palette[segment_group[segment_ids[inside]]]
    return strokes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--characters", type=int, default=3)
    parser.add_argument("--clips", type=int, default=2)
    parser.add_argument("--frames", type=int, default=3)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--seed", type=int, default=5252)
    parser.add_argument(
        "--line-width", type=int, choices=(1, 2), default=2, help="synthetic line width (px)"
    )
    parser.add_argument("--weights", help="keyframe matcher weights (default: shipped)")
    parser.add_argument("--selector-weights", help="reference selector weights")
    parser.add_argument("--only", action="append", help="run only these settings")
    add_keyframe_options(parser)
    parser.add_argument(
        "--as-drawn",
        action="store_true",
        help="no stroke widening: min_line_width=0 for the matcher and the selector",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="dataset folder (default data/bench-keyframe, or data/bench-keyframe-SIZE-wWIDTH "
        "for another --size or --line-width)",
    )
    parser.add_argument("--json", type=Path, help="write the summaries here")
    args = parser.parse_args()

    from tqdm import tqdm

    from paintbucket.core.frames import Frame
    from paintbucket.io.images import read_rgba
    from paintbucket.io.index_png import read_label
    from paintbucket.keyframe.colorize import colorize_keyframe
    from paintbucket.keyframe.inputs import segment_majority
    from paintbucket.keyframe.learned import KeyframeModel
    from paintbucket.keyframe.select import ReferenceSelector
    from paintbucket.keyframe.shading import (
        entry_group,
        groups_from_strokes,
        shade_from_color_lines,
        shading_from_annotation,
    )
    from paintbucket.keyframe.sheet import load_sheet
    from paintbucket.keyframe.text import entry_categories
    from paintbucket.metrics.segment_accuracy import evaluate_frame, summarize
    from paintbucket.synth.dataset import SynthConfig, generate

    config = SynthConfig(
        characters=args.characters,
        clips_per_character=args.clips,
        frames=args.frames,
        size=args.size,
        seed=args.seed,
        split="test",
        line_width=args.line_width,
    )
    if args.out is None:
        default = (args.size, args.line_width) == (512, 2)
        name = "bench-keyframe" if default else f"bench-keyframe-{args.size}-w{args.line_width}"
        args.out = ROOT / "data" / name
    listing = args.out / "dataset.json"
    if listing.is_file():
        stored = {**asdict(SynthConfig()), **json.loads(listing.read_text())["config"]}
        differ = [key for key, value in asdict(config).items() if stored[key] != value]
        if differ:
            parser.error(f"{args.out} holds data with other {', '.join(differ)}; pick --out")
    else:
        generate(args.out, config)
    widening = {"min_line_width": 0.0} if args.as_drawn else {}
    matcher = KeyframeModel(args.weights, flip_average=args.flip_average, **widening)
    selector = ReferenceSelector(args.selector_weights, **widening)
    settings = ("baseline", "baseline, no anno", "model 1-shot", "model + selection",
                "model, strokes", "model, no anno")  # fmt: skip
    settings = [s for s in settings if not args.only or s in args.only]
    scores: dict[str, list] = {name: [] for name in settings}
    chosen: list[list[str]] = []
    jobs = []
    for sheet_dir in sorted(args.out.glob("*_sheet")):
        character = sheet_dir.name.removesuffix("_sheet")
        for clip in sorted(args.out.glob(f"{character}_*")):
            if clip != sheet_dir:
                jobs += [(sheet_dir, p) for p in sorted((clip / "line").glob("*.png"))]
    sheets = {}
    start = time.perf_counter()
    for sheet_dir, line_path in tqdm(jobs, desc="keyframes", unit="frame"):
        if sheet_dir not in sheets:
            sheet = load_sheet(sheet_dir)
            sheets[sheet_dir] = (sheet, entry_categories(sheet.colorbook.entries))
        sheet, categories = sheets[sheet_dir]
        clip = line_path.parent.parent
        line_art = read_rgba(line_path)
        target = Frame.from_line_art(line_art)
        gt = read_rgba(clip / "gt" / line_path.name)
        shade, group = shading_from_annotation(
            target.segment_ids, read_rgba(clip / "line_anno" / line_path.name)
        )
        label = read_label(clip / "label" / line_path.name)
        entry = segment_majority(target.segment_ids, np.maximum(label, 0), label != 0)
        group_of_entry = np.array([-1] + [entry_group(c) for c in categories])
        true_group = np.where(entry >= 0, group_of_entry[entry.clip(0)], -1)
        # crc32, not hash(): str hashes change between runs (PYTHONHASHSEED)
        rng = np.random.default_rng(zlib.crc32(f"{clip.name}/{line_path.name}".encode()))
        strokes = simulate_strokes(target.segment_ids, true_group, rng)
        stroke_group = groups_from_strokes(target.segment_ids, strokes)
        stroke_shade = shade_from_color_lines(target.segment_ids, line_art)
        common = {"categories": categories, "baseline_weight": args.baseline_weight}
        runs = {
            "baseline": dict(shade=shade, group=group),
            "baseline, no anno": {},
            "model 1-shot": dict(shade=shade, group=group, matcher=matcher, refs=0),
            "model + selection": dict(shade=shade, group=group, matcher=matcher,
                                      selector=selector),
            "model, strokes": dict(shade=stroke_shade, group=stroke_group, matcher=matcher,
                                   selector=selector),
            "model, no anno": dict(matcher=matcher, selector=selector),
        }  # fmt: skip
        for name in settings:
            result = colorize_keyframe(sheet, target, **common, **runs[name])
            scores[name].append(evaluate_frame(result.coloring.render(), gt, target.segment_ids))
            if name == "model + selection":
                used = result.reference_weights > 0
                chosen.append([r.name for r, u in zip(sheet.references, used) if u])
    elapsed = time.perf_counter() - start
    print(f"data: {args.out}  ({len(jobs)} frames, {elapsed:.1f} s)")
    print(f"{'setting':20s} " + " ".join(f"{m:>10s}" for m in METRICS))
    summaries = {}
    for name, frames in scores.items():
        summaries[name] = summary = summarize(frames)
        print(f"{name:20s} " + " ".join(f"{summary[m]:10.4f}" for m in METRICS))
    if chosen:
        counts: dict[str, int] = {}
        for names in chosen:
            key = "+".join(names)
            counts[key] = counts.get(key, 0) + 1
        print("references chosen by the selector:", counts)
    if args.json:
        args.json.write_text(json.dumps(summaries, indent=1))


if __name__ == "__main__":
    main()
