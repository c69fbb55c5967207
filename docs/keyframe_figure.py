"""Draw docs/images/keyframe.png: design sheet, target, pbc keyframe result, errors.

Run from the repository root after ``python bench/bench_keyframe.py`` (which generates the
held-out ``data/bench-keyframe``)::

    python docs/keyframe_figure.py [--clip char000_wave_long] [--frame 0001]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from _panels import labelled, on_white

from paintbucket.core.frames import Frame
from paintbucket.io import read_rgba, write_png
from paintbucket.keyframe.colorize import SheetColorizer
from paintbucket.keyframe.shading import shading_from_annotation
from paintbucket.keyframe.sheet import load_sheet
from paintbucket.segment.stats import majority_vote, pack_rgba

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images" / "keyframe.png"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "bench-keyframe")
    parser.add_argument("--clip", default="char000_wave_long")
    parser.add_argument("--frame", default="0001")
    args = parser.parse_args()
    clip = args.data / args.clip
    sheet_dir = args.data / f"{args.clip.split('_')[0]}_sheet"
    sheet = load_sheet(sheet_dir)
    line_art = read_rgba(clip / "line" / f"{args.frame}.png")
    anno = read_rgba(clip / "line_anno" / f"{args.frame}.png")
    gt = read_rgba(clip / "gt" / f"{args.frame}.png")
    target = Frame.from_line_art(line_art)
    shade, group = shading_from_annotation(target.segment_ids, anno)
    result = SheetColorizer(sheet)(target, shade, group)
    predicted = result.coloring.render()
    # A segment is wrong when its color differs from the ground truth's majority color.
    ids, truth, _, _ = majority_vote(target.segment_ids, pack_rgba(gt))
    wrong_ids = ids[pack_rgba(result.coloring.segment_rgba())[ids] != truth]
    wrong = np.isin(target.segment_ids, wrong_ids)
    errors = (0.35 * on_white(predicted) + 0.65 * 255).astype(np.uint8)
    errors[wrong] = (230, 30, 30)
    used = [r for r, w in zip(sheet.references, result.reference_weights) if w > 0]
    height = 360
    panels = [labelled(on_white(ref.color), f"sheet: {ref.name}", height) for ref in used[:2]]
    panels += [
        labelled(on_white(anno), "target + shading anno", height),
        labelled(on_white(predicted), "pbc keyframe", height),
        labelled(errors, f"errors ({len(wrong_ids)} of {len(ids)} segments)", height),
    ]
    write_png(OUT, np.concatenate(panels, axis=1))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
