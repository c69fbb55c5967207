"""``pbc keyframe`` on real design sheets: Morevna views colored from one another.

Sheets are made from the raw files of ``../shared/data/real/morevna`` (CC0) exactly as a
new user would make them: ``pbc sheet init`` on the view's ``NAME_fill.png`` (its
``NAME_lineart.png`` found beside it), colorbook descriptions and categories left as
proposed. Each target is another view's ``NAME_lineart.png``, segmented as ``pbc
keyframe`` segments it; the truth is that view's own fills (``NAME_fill.png``), scored on
the target's segments (a segment's true color is its majority fill color).

Pairs: saha front -> side and side -> front (the two views of one character), and, as
upper bounds, each view colored from itself (saha front, saha side, sita front: sita has
one view only, and a saha sheet has none of sita's colors). ``front (full)`` uses
``saha_front_full.png`` alone as the sheet: one colored image whose lines are found in it.

Methods: the learned matcher with the learned reference selection (``SheetColorizer``,
method ``model``) and the non-learned baseline (method ``baseline``). The Morevna files
have no shading annotations, so every run is without them: variants come from the
matcher's or the vote's most likely tone.

Usage::

    python bench/bench_sheet_real.py [--seg default|trappedball] [--weights FILE] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from _common import REAL_DATA

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seg", default="default", choices=("default", "trappedball"))
    parser.add_argument("--weights", help="keyframe matcher weights (default: shipped)")
    parser.add_argument("--out", type=Path, help="also write the colored targets and scores here")
    args = parser.parse_args()

    from paintbucket.core.frames import Frame
    from paintbucket.io.images import read_rgba, write_png
    from paintbucket.keyframe.colorize import SheetColorizer
    from paintbucket.keyframe.sheet_init import init_sheet
    from paintbucket.metrics.segment_accuracy import evaluate_frame

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
            scores[label] = {}
            for method in METHODS:
                result = SheetColorizer(sheet, method=method, weights=args.weights)(target)
                rendered = result.coloring.render()
                frame = evaluate_frame(rendered, truth, target.segment_ids)
                scores[label][method] = {m: float(getattr(frame, m)) for m in METRICS}
                if args.out:
                    write_png(args.out / f"pair{number}_{target_name}_{method}.png", rendered)
            print(f"{label}: {len(entries)} entries, {len(sheet.references[0].frame.palette)} "
                  f"colors, target {int(target.segment_ids.max())} segments")  # fmt: skip
    elapsed = time.perf_counter() - start
    header = "| sheet -> target | method | " + " | ".join(METRICS) + " |"
    print("\n" + header + "\n|" + "---|" * (len(METRICS) + 2))
    for label, by_method in scores.items():
        for method, values in by_method.items():
            name = "model + selection" if method == "model" else "baseline"
            cells = " | ".join(f"{values[m]:.4f}" for m in METRICS)
            print(f"| {label} | {name} | {cells} |")
    print(f"\nsegmentation {args.seg}, no shading annotations; {elapsed:.0f} s")
    if args.out:
        (args.out / "scores.json").write_text(json.dumps(scores, indent=1) + "\n")


if __name__ == "__main__":
    main()
