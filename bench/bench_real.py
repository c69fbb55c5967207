"""Real line art: deform a colored frame and its drawing, then colorize it back.

For each real colored frame in ../shared/data/real (laughing_girl 0000, smoke_explosion
00026, pbc_char_0242), a smooth random deformation (rotation, scale, shift and a gentle
elastic warp) is applied to the line art and, with nearest sampling, to the colors. The
deformed drawing is colorized from the original with every engine and scored on its own
segments split by the deformed truth's colors (:func:`paintbucket.metrics.truth_segments`:
a segment that leaks into its neighbour is scored as the pieces of each true color).
Several seeds per frame. Run: ``python bench/bench_real.py``.

``--weights LABEL=FILE[:BETA[:FLOOR[:LOCK[:CONSISTENCY]]]]`` adds inclusion engines with
other weights (network only unless BETA is given). ``--lines`` first prints, per frame,
how many closed regions the drawing keeps at the network's 512-px working size for a few
ink thresholds (the engine uses
:data:`~paintbucket.models.inputs.WORK_LINE_THRESHOLD`), against the number of
full-resolution segments: where few survive, the network sees broken outlines.
``--errors`` lists every segment above the Acc-Thres size that an engine gets wrong
(seed, engine, id, area, centre, ground-truth and predicted color, confidence, and the
flow engine's color for comparison).
"""

from __future__ import annotations

import argparse

import numpy as np

from paintbucket.choices import SEG_METHODS
from paintbucket.consecutive import make_engine
from paintbucket.consecutive.learned import LearnedEngine
from paintbucket.core import ColoredFrame, Frame
from paintbucket.io import normalize_transparent, read_rgba
from paintbucket.keyframe.inputs import segment_majority
from paintbucket.metrics import evaluate_frame, summarize, truth_segments
from paintbucket.metrics.segment_accuracy import THRESHOLD_AREA
from paintbucket.models.inputs import WORK_LINE_THRESHOLD, work_line, work_shape
from paintbucket.segment import label_paper
from paintbucket.segment.stats import pack_rgba, segment_areas

from _common import REAL_DATA, WEIGHTS_HELP, WEIGHTS_METAVAR, weight_engines
from _warp import apply_warp, random_warp

FRAMES = (
    ("laughing_girl", "0000"),
    ("smoke_explosion", "00026"),
    ("pbc_char_0242", "0242"),
)


def deform(line: np.ndarray, color: np.ndarray, rng: np.random.Generator, strength: float):
    """Warp a drawing and its colors with the same smooth random map."""
    return apply_warp(line, color, random_warp(rng, line.shape[:2], strength))


def print_working_regions(
    frame: Frame, name: str, work_size: int = LearnedEngine.work_size
) -> None:
    """Closed regions at the working size for a few ink thresholds."""
    height, width = frame.shape
    shape = work_shape(height, width, work_size)
    scale = max(shape) / max(height, width)
    counts = []
    for threshold in (WORK_LINE_THRESHOLD, 0.2, 0.15):
        line = work_line(frame.line_art, shape, threshold)
        counts.append(f"{int(label_paper(line < 0.5).max()):>5} at {threshold:.3f}")
    segments = int(frame.segment_ids.max())
    print(f"{name:>16} | {width}x{height} at scale {scale:.3f} | {segments:>5} segments | "
          f"working-size regions: {' | '.join(counts)}")  # fmt: skip


def packed_segment_colors(segment_ids: np.ndarray, image: np.ndarray) -> np.ndarray:
    """(N + 1,) int64 packed majority RGBA color per segment id (-1 where none)."""
    return segment_majority(segment_ids, pack_rgba(normalize_transparent(image)))


def print_errors(
    label: str,
    engine_name: str,
    coloring,
    rendered: np.ndarray,
    truth: np.ndarray,
    flow_colors: np.ndarray | None,
) -> None:
    """One line per segment above the Acc-Thres size whose predicted color (in
    ``rendered``, the coloring's image) is wrong."""
    segment_ids = coloring.segment_ids
    predicted = packed_segment_colors(segment_ids, rendered)
    areas = segment_areas(segment_ids)
    wrong = np.flatnonzero((predicted != truth) & (areas > THRESHOLD_AREA))
    wrong = wrong[wrong > 0]
    if wrong.size == 0:
        return
    rows, cols = np.indices(segment_ids.shape)
    count = np.maximum(areas, 1)
    center_x = np.bincount(segment_ids.ravel(), cols.ravel(), minlength=areas.size) / count
    center_y = np.bincount(segment_ids.ravel(), rows.ravel(), minlength=areas.size) / count
    confidence = coloring.confidence
    for sid in wrong:
        flow = f" | flow {flow_colors[sid]:08x}" if flow_colors is not None else ""
        print(f"{label} | {engine_name:>11} | segment {sid:>5} | {areas[sid]:>7} px "
              f"at ({center_x[sid]:.0f}, {center_y[sid]:.0f}) | truth {truth[sid]:08x} | "
              f"predicted {predicted[sid]:08x} @ {confidence[sid]:.2f}{flow}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--strength", type=float, default=1.0)
    parser.add_argument(
        "--flow-prior", type=float, action="append", help="inclusion engines with these priors"
    )
    parser.add_argument(
        "--flow-floor", type=float, action="append", help="inclusion engines with these floors"
    )
    parser.add_argument(
        "--flow-lock", type=float, action="append", help="inclusion engines with these locks"
    )
    parser.add_argument(
        "--consistency-lock",
        type=float,
        action="append",
        help="inclusion engines with these consistency locks",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip flow and inclusion")
    parser.add_argument(
        "--seg", default=SEG_METHODS[0], choices=SEG_METHODS, help="segmentation of both frames"
    )
    parser.add_argument(
        "--weights", action="append", default=[], metavar=WEIGHTS_METAVAR, help=WEIGHTS_HELP,
    )  # fmt: skip
    parser.add_argument("--lines", action="store_true", help="print working-size region counts")
    parser.add_argument(
        "--errors", action="store_true", help="list wrong segments above the Acc-Thres size"
    )
    args = parser.parse_args()
    engines = {}
    if not args.no_baseline:
        engines = {"flow": make_engine("flow"), "inclusion": make_engine("inclusion")}
    for beta in args.flow_prior or ():
        engines[f"incl b={beta:g}"] = make_engine("inclusion", flow_prior=beta)
    for floor in args.flow_floor or ():
        engines[f"incl f={floor:g}"] = make_engine("inclusion", flow_floor=floor)
    for lock in args.flow_lock or ():
        engines[f"incl l={lock:g}"] = make_engine("inclusion", flow_lock=lock)
    for lock in args.consistency_lock or ():
        engines[f"incl c={lock:g}"] = make_engine("inclusion", consistency_lock=lock)
    engines.update(weight_engines(args.weights))
    results: dict[str, dict[str, list]] = {name: {} for name in engines}
    for folder, name in FRAMES:
        root = REAL_DATA / folder
        if not root.is_dir():
            print(f"skipping {folder}: not found")
            continue
        line = read_rgba(root / "line" / f"{name}.png")
        color = read_rgba(root / "gt" / f"{name}.png")
        reference = ColoredFrame.from_keyframe(Frame.from_line_art(line, args.seg), color)
        if args.lines:
            print_working_regions(reference, folder)
        for seed in range(args.seeds):
            target_line, target_color = deform(
                line, color, np.random.default_rng(seed), args.strength
            )
            target = Frame.from_line_art(target_line, args.seg)
            colorings = {name: engine(reference, target) for name, engine in engines.items()}
            scoring_ids = truth_segments(target.segment_ids, target_color, target.line_mask)
            renders = {name: coloring.render() for name, coloring in colorings.items()}
            for engine_name, rendered in renders.items():
                score = evaluate_frame(rendered, target_color, scoring_ids)
                results[engine_name].setdefault(folder, []).append(score)
            if args.errors:
                truth = packed_segment_colors(target.segment_ids, target_color)
                flow_colors = None
                if "flow" in renders:
                    flow_colors = packed_segment_colors(target.segment_ids, renders["flow"])
                for engine_name, coloring in colorings.items():
                    print_errors(f"{folder} seed {seed}", engine_name, coloring,
                                 renders[engine_name], truth, flow_colors)  # fmt: skip
    labels = ("acc", "acc_thres", "pix_acc", "pix_f_acc", "pix_b_miou")
    print(f"{'frame':>16} | {'engine':>11} | " + " | ".join(f"{n:>10}" for n in labels))
    for folder, _ in FRAMES:
        for engine_name in engines:
            scores = results[engine_name].get(folder)
            if not scores:
                continue
            summary = summarize(scores)
            values = " | ".join(f"{summary[n]:>10.4f}" for n in labels)
            print(f"{folder:>16} | {engine_name:>11} | {values}")


if __name__ == "__main__":
    main()
