"""``pbc keyframe`` on real design sheets: Morevna views colored from one another.

Sheets are made from the raw files of ``../shared/data/real/morevna`` (CC0) exactly as a
new user would make them: ``pbc sheet init`` on the view's ``NAME_fill.png`` (its
``NAME_lineart.png`` found beside it), colorbook descriptions and categories left as
proposed. Each target is another view's ``NAME_lineart.png``, segmented as ``pbc
keyframe`` segments it; the truth is that view's own fills (``NAME_fill.png``), scored on
the target's segments (a segment's true color is its majority fill color). With
``--split-by-truth`` the target's segments are first split by the fills' colors
(:func:`paintbucket.metrics.truth_segments`): Morevna's line art is open, so the paper's
segment runs into the jacket, face and hands, and scored whole it passes as correct
while they stay unpainted; split, every true color in it is scored (the unlined cel
shadows, which no line-based method can separate, among them).

Pairs: saha front -> side and side -> front (the two views of one character), and, as
upper bounds, each view colored from itself (saha front, saha side, sita front: sita has
one view only, and a saha sheet has none of sita's colors). ``front (full)`` uses
``saha_front_full.png`` alone as the sheet: one colored image whose lines are found in it.

With ``--split-by-truth`` the first row of each pair, ``segmentation ceiling``, paints
every target segment its majority truth color: the best any matcher can score on that
segmentation (scored whole, it is 1 by definition).

Methods: the learned matcher with the learned reference selection (``SheetColorizer``,
method ``model``) and the non-learned baseline (method ``baseline``), each without
shading annotations (variants come from the matcher's or the vote's most likely tone)
and with them. The Morevna files have no shading annotations, so they are made as an
artist's ``line_anno/`` would be (:func:`annotation_from_fills`): each highlight and
shadow segment of the target's line art filled with the annotation color of its shade
and group, both read off its true color in the sheet's colorbook.

Usage::

    python bench/bench_sheet_real.py [--seg default|trappedball|closegaps] [--split-by-truth]
        [--weights FILE] [--baseline-weight W] [--no-flip] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from paintbucket.choices import SEG_METHODS

from _common import REAL_DATA, add_keyframe_options

METRICS = ("acc", "acc_thres", "pix_acc", "pix_f_acc", "pix_b_miou")
MOREVNA = REAL_DATA / "morevna"
#: (row label, sheet images, target view).
PAIRS = (
    ("saha front -> side", ["saha_front_fill.png"], "saha_side"),
    ("saha side -> front", ["saha_side_fill.png"], "saha_front"),
    ("saha front (full) -> side", ["saha_front_full.png"], "saha_side"),
    ("saha front -> front (same view)", ["saha_front_fill.png"], "saha_front"),
    ("saha side -> side (same view)", ["saha_side_fill.png"], "saha_side"),
    ("sita front -> front (same view)", ["sita_front_fill.png"], "sita_front"),
)
METHODS = ("model", "baseline")
#: Colorbook categories that shading annotations group as hair (SPEC: headwear counts
#: as hair); skin is skin, everything else other.
HAIR_CATEGORIES = ("hair", "hat")


def annotation_from_fills(segment_ids: np.ndarray, line_art: np.ndarray, truth: np.ndarray,
                          colorbook) -> np.ndarray:  # fmt: skip
    """A shading annotation of a target view made from its own fills.

    Parameters
    ----------
    segment_ids : (H, W) int32
        The target's segments, 0 = line.
    line_art : (H, W, 4) uint8
        Its drawing.
    truth : (H, W, 4) uint8
        Its fills; a segment's true color is the majority of its pixels.
    colorbook : Colorbook
        The sheet's: the first entry holding a segment's true color gives its shade
        (highlight variant: highlight; shadow1 or shadow2: shadow) and group (the entry's
        category). Segments of a normal color, or of none in the colorbook, stay
        unannotated (normal), as in an artist's ``line_anno/``.

    Returns
    -------
    anno : (H, W, 4) uint8
        ``line_art`` with every highlight and shadow segment filled with
        :data:`~paintbucket.keyframe.shading.ANNOTATION_COLORS`.
    """
    from paintbucket.keyframe.inputs import segment_majority
    from paintbucket.keyframe.shading import (
        ANNOTATION_COLORS,
        HAIR,
        HIGHLIGHT,
        OTHER,
        SHADOW,
        SKIN,
    )
    from paintbucket.segment.stats import pack_rgba

    shade_of_variant = {0: HIGHLIGHT, 2: SHADOW, 3: SHADOW}  # variant 1 (normal): none
    marker: dict[int, tuple[int, int, int] | None] = {}
    for entry in colorbook.entries:
        if entry.category in HAIR_CATEGORIES:
            group = HAIR
        else:
            group = SKIN if entry.category == "skin" else OTHER
        for variant, rgb in enumerate(entry.colors):
            if rgb is None:
                continue
            code = int(pack_rgba(np.array([*rgb, 255], np.uint8))[()])
            shade = shade_of_variant.get(variant)
            marker.setdefault(code, None if shade is None else ANNOTATION_COLORS[(group, shade)])
    true_color = segment_majority(segment_ids, pack_rgba(truth))
    fill = np.zeros((true_color.size, 4), np.uint8)
    for segment, code in enumerate(true_color):
        rgb = marker.get(int(code)) if segment else None
        if rgb is not None:
            fill[segment] = (*rgb, 255)
    anno = line_art.copy()
    painted = fill[segment_ids, 3] > 0
    anno[painted] = fill[segment_ids[painted]]
    return anno


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seg", default="default", choices=SEG_METHODS)
    parser.add_argument(
        "--split-by-truth", action="store_true",
        help="score on the target's segments split by its fills' colors",
    )  # fmt: skip
    parser.add_argument("--weights", help="keyframe matcher weights (default: shipped)")
    add_keyframe_options(parser)
    parser.add_argument("--out", type=Path, help="also write the colored targets and scores here")
    args = parser.parse_args()

    from paintbucket.core.frames import ColoredFrame, Frame
    from paintbucket.io.images import read_rgba, write_png
    from paintbucket.keyframe.colorize import SheetColorizer
    from paintbucket.keyframe.shading import shading_from_annotation
    from paintbucket.keyframe.sheet_init import init_sheet
    from paintbucket.metrics import evaluate_frame, truth_segments

    if not MOREVNA.is_dir():
        raise SystemExit(f"real data not found: {MOREVNA}")
    scores: dict[str, dict[str, dict[str, float]]] = {}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        for number, (label, images, target_name) in enumerate(PAIRS):
            sheet, entries = init_sheet(
                [MOREVNA / name for name in images], Path(scratch) / f"sheet{number}",
                seg_method=args.seg,
            )  # fmt: skip
            target = Frame.from_line_art(
                read_rgba(MOREVNA / f"{target_name}_lineart.png"), args.seg
            )
            truth = read_rgba(MOREVNA / f"{target_name}_fill.png")
            scoring_ids = target.segment_ids
            if args.split_by_truth:
                scoring_ids = truth_segments(target.segment_ids, truth, target.line_mask)
            anno = annotation_from_fills(target.segment_ids, target.line_art, truth,
                                         sheet.colorbook)  # fmt: skip
            shading = {"": (None, None), ", annotations": shading_from_annotation(
                target.segment_ids, anno)}  # fmt: skip
            scores[label] = {}
            if args.split_by_truth:
                # Every segment its majority truth color, as bench_consecutive's ceiling.
                ceiling = ColoredFrame.from_keyframe(target, truth, min_flatness=0)
                frame = evaluate_frame(ceiling.as_coloring().render(), truth, scoring_ids)
                scores[label]["segmentation ceiling"] = {
                    m: float(getattr(frame, m)) for m in METRICS
                }
            for method in METHODS:
                colorizer = SheetColorizer(
                    sheet, method=method, weights=args.weights,
                    baseline_weight=args.baseline_weight, flip_average=args.flip_average,
                )  # fmt: skip
                for suffix, (shade, group) in shading.items():
                    result = colorizer(target, shade, group)
                    rendered = result.coloring.render()
                    frame = evaluate_frame(rendered, truth, scoring_ids)
                    scores[label][method + suffix] = {m: float(getattr(frame, m)) for m in METRICS}
                    if args.out:
                        name = f"pair{number}_{target_name}_{method}{suffix.replace(', ', '_')}.png"
                        write_png(args.out / name, rendered)
            if args.out:
                write_png(args.out / f"pair{number}_{target_name}_anno.png", anno)
            print(f"{label}: {len(entries)} entries, {len(sheet.references[0].frame.palette)} "
                  f"colors, target {int(target.segment_ids.max())} segments")  # fmt: skip
    elapsed = time.perf_counter() - start
    header = "| sheet -> target | method | " + " | ".join(METRICS) + " |"
    print("\n" + header + "\n|" + "---|" * (len(METRICS) + 2))
    for label, by_method in scores.items():
        for method, values in by_method.items():
            name = method.replace("model", "model + selection")
            cells = " | ".join(f"{values[m]:.4f}" for m in METRICS)
            print(f"| {label} | {name} | {cells} |")
    scored = "segments split by the fills' colors" if args.split_by_truth else "segments"
    print(f"\nsegmentation {args.seg}; scored on the target's {scored}; annotations made from "
          f"the target's fills; {elapsed:.0f} s")  # fmt: skip
    if args.out:
        (args.out / "scores.json").write_text(json.dumps(scores, indent=1) + "\n")


if __name__ == "__main__":
    main()
