"""Keyframe colorization baseline on a held-out synthetic test set.

Generates (once) ``data/bench-keyframe`` with ``pbc synth``'s generator (test split),
colorizes every frame from its character's design sheet with the non-learned baseline,
with shading annotations (``line_anno/``) and without, and prints the paper's keyframe
metrics (Acc-Thres, Pix-Acc, Pix-F-Acc, Pix-B-MIoU).

Usage::

    python bench/bench_keyframe.py [--characters 3] [--clips 2] [--frames 3] [--size 512]
                                   [--refs auto|all] [--no-flow] [--out data/bench-keyframe]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
METRICS = ("acc_thres", "pix_acc", "pix_f_acc", "pix_b_miou")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--characters", type=int, default=3)
    parser.add_argument("--clips", type=int, default=2)
    parser.add_argument("--frames", type=int, default=3)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--seed", type=int, default=5252)
    parser.add_argument("--refs", default="auto")
    parser.add_argument("--no-flow", dest="flow", action="store_false")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "bench-keyframe")
    args = parser.parse_args()

    from paintbucket.io.images import read_rgba
    from paintbucket.keyframe.baseline import colorize_keyframe
    from paintbucket.keyframe.shading import shading_from_annotation
    from paintbucket.keyframe.sheet import load_sheet
    from paintbucket.metrics.segment_accuracy import evaluate_frame, summarize
    from paintbucket.pipeline.frames import Frame
    from paintbucket.synth.dataset import SynthConfig, generate

    refs = args.refs if args.refs in ("auto", "all") else int(args.refs)
    if not (args.out / "dataset.json").is_file():
        config = SynthConfig(
            characters=args.characters,
            clips_per_character=args.clips,
            frames=args.frames,
            size=args.size,
            seed=args.seed,
            split="test",
        )
        generate(args.out, config)
    scores: dict[str, list] = {"with annotations": [], "without annotations": []}
    start = time.perf_counter()
    for sheet_dir in sorted(args.out.glob("*_sheet")):
        sheet = load_sheet(sheet_dir)
        character = sheet_dir.name.removesuffix("_sheet")
        for clip in sorted(args.out.glob(f"{character}_*")):
            if clip == sheet_dir:
                continue
            for line_path in sorted((clip / "line").glob("*.png")):
                target = Frame.from_line_art(read_rgba(line_path))
                gt = read_rgba(clip / "gt" / line_path.name)
                anno = read_rgba(clip / "line_anno" / line_path.name)
                shade, _ = shading_from_annotation(target.segment_ids, anno)
                for name, given in (("with annotations", shade), ("without annotations", None)):
                    result = colorize_keyframe(
                        sheet, target, shade=given, refs=refs, refine_flow=args.flow
                    )
                    scores[name].append(
                        evaluate_frame(result.coloring.render(), gt, target.segment_ids)
                    )
    elapsed = time.perf_counter() - start
    print(f"data: {args.out}  refs={args.refs}  flow={args.flow}  ({elapsed:.1f} s)")
    print(f"{'setting':22s} " + " ".join(f"{m:>10s}" for m in METRICS) + "   frames")
    for name, frames in scores.items():
        summary = summarize(frames)
        row = " ".join(f"{summary[m]:10.4f}" for m in METRICS)
        print(f"{name:22s} {row}   {summary['frames']}")


if __name__ == "__main__":
    main()
