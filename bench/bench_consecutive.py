"""Consecutive-frame benchmark on a held-out synthetic preset (``bench-consecutive``, or
``bench-studio``: the same settings drawn in the studio style with the new content).

Protocol: for every clip and every frame t >= 1, the engine colors line t from the
ground-truth colored frame t - 1 (pairwise, no error accumulation), and the result is
scored on the ground-truth segments of frame t with the paper's metrics (SPEC 4).

Run: ``python bench/bench_consecutive.py [--engine flow] [--engine inclusion]
[--weights LABEL=FILE[:BETA[:FLOOR[:LOCK[:CONSISTENCY]]]] ...] [--no-flip] [--flow-lock X]
[--consistency-lock X]
[--preset bench-consecutive|bench-studio] [--data DIR] [--seg METHOD] [--plot PNG]``.
The data are generated into ``DIR`` (default ``data/PRESET``) on first use. The reference
frame t - 1 takes each of its segments' majority gt color (``ColoredFrame.from_keyframe`` with
no flatness check): on studio drawings our segmentation gives some color-line pixels to the
other region than the gt's convention does, which the keyframe check would refuse.
``--plot`` draws accuracy by segment size (the paper's Fig. 21) for every engine (needs
matplotlib). The ``ceiling`` row (``--no-ceiling`` skips it) colors each segment of our
segmentation with the majority true color of its pixels: what a perfect matcher would
score, since a segment takes one color while the metrics score the ground truth's
segments (slivers our segmentation turns into line, or merges, are lost to every engine).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm

from paintbucket.choices import SEG_METHODS
from paintbucket.consecutive import make_engine
from paintbucket.core import ColoredFrame, Frame
from paintbucket.io import read_rgba, read_segments
from paintbucket.metrics import evaluate_frame, summarize

from _common import WEIGHTS_HELP, WEIGHTS_METAVAR, weight_engines

ROOT = Path(__file__).resolve().parents[1]
LABELS = ("acc", "acc_thres", "pix_acc", "pix_f_acc", "pix_b_miou")
#: Name of the segmentation-ceiling row.
CEILING = "ceiling"


def ensure_data(data_dir: Path, overrides: dict, preset: str = "bench-consecutive") -> Path:
    from paintbucket.synth.dataset import PRESETS, SynthConfig, generate

    if (data_dir / "dataset.json").is_file() and not overrides:
        return data_dir
    config = replace(SynthConfig(), **PRESETS[preset], **overrides)
    generate(data_dir, config, progress=True)
    return data_dir


def frame_steps(data_dir: Path) -> list[tuple[Path, int]]:
    """Every (clip, t) with t >= 1: frame t is colored from frame t - 1."""
    clips = sorted(p.parent for p in data_dir.glob("*/line"))
    return [(clip, t) for clip in clips for t in range(1, len(list((clip / "line").glob("*.png"))))]


def painted_frame(clip: Path, name: str, seg_method: str = "default") -> ColoredFrame:
    """Frame ``name`` of ``clip`` painted with its ground truth: each segment of our
    segmentation takes its majority gt color (no flatness check, see above)."""
    return ColoredFrame.from_keyframe(
        Frame.from_line_art(read_rgba(clip / "line" / name), seg_method),
        read_rgba(clip / "gt" / name),
        min_flatness=0,
    )


def run_engine(data_dir: Path, engine, name: str, seg_method: str = "default") -> dict:
    scores = []
    seconds = 0.0
    steps = frame_steps(data_dir)
    for clip, t in tqdm(steps, desc=name, unit="pair"):
        prev, cur = f"{t - 1:04d}.png", f"{t:04d}.png"
        start = time.perf_counter()
        reference = painted_frame(clip, prev, seg_method)
        target = Frame.from_line_art(read_rgba(clip / "line" / cur), seg_method)
        coloring = engine(reference, target)
        predicted = coloring.render()
        seconds += time.perf_counter() - start
        scores.append(
            evaluate_frame(
                predicted, read_rgba(clip / "gt" / cur), read_segments(clip / "seg" / cur)
            )
        )
    summary = summarize(scores)
    summary["seconds_per_frame"] = seconds / max(len(steps), 1)
    return summary


def segmentation_ceiling(data_dir: Path, seg_method: str = "default") -> dict:
    """The scores if every segment of our segmentation took the majority true color of
    its pixels: the most any engine can reach on these drawings, since a segment has one
    color and the metrics score the ground truth's segments."""
    scores = []
    for clip, t in tqdm(frame_steps(data_dir), desc=CEILING, unit="frame"):
        name = f"{t:04d}.png"
        best = painted_frame(clip, name, seg_method).as_coloring().render()
        truth = read_rgba(clip / "gt" / name)
        scores.append(evaluate_frame(best, truth, read_segments(clip / "seg" / name)))
    summary = summarize(scores)
    summary["seconds_per_frame"] = None  # not timed
    return summary


def plot_by_size(results: dict, path: Path) -> None:
    """Accuracy per segment-size bucket, one line per engine (the paper's Fig. 21)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    first = next(iter(results.values()))
    labels = []
    lower = 1
    for bucket in first["by_size"]:
        upper = bucket["max_area"]
        labels.append(f"{lower}-{upper}" if upper else f">{lower - 1}")
        lower = (upper or 0) + 1
    figure, axis = plt.subplots(figsize=(7, 3.6), dpi=110)
    for name, summary in results.items():
        style = "--" if name == CEILING else "-"
        axis.plot(labels, [b["acc"] for b in summary["by_size"]], style, marker="o", label=name)
    axis.set_xlabel("segment area (pixels)")
    axis.set_ylabel("accuracy")
    axis.set_ylim(0, 1)
    axis.grid(alpha=0.3)
    axis.legend()
    axis.set_title("Consecutive frames: accuracy by segment size")
    figure.tight_layout()
    figure.savefig(path)
    print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--engine",
        action="append",
        choices=("flow", "inclusion"),
        help="engines to run (repeatable; default: flow and inclusion)",
    )
    parser.add_argument(
        "--weights",
        action="append",
        default=[],
        metavar=WEIGHTS_METAVAR,
        help=WEIGHTS_HELP,
    )
    parser.add_argument(
        "--no-flip",
        dest="flip_average",
        action="store_false",
        help="inclusion engines without flip averaging",
    )
    parser.add_argument(
        "--flow-prior", type=float, help="flow prior of the default inclusion engine"
    )
    parser.add_argument(
        "--flow-lock", type=float, help="flow lock of the default inclusion engine (>1: off)"
    )
    parser.add_argument(
        "--consistency-lock",
        type=float,
        help="consistency lock of the default inclusion engine (>1: off)",
    )
    parser.add_argument(
        "--work-size",
        type=int,
        help="network input size (longer side) of the default inclusion engine",
    )
    parser.add_argument("--plot", type=Path, help="write the accuracy-by-size plot here")
    parser.add_argument(
        "--preset",
        choices=("bench-consecutive", "bench-studio"),
        default="bench-consecutive",
        help="which held-out data to generate",
    )
    parser.add_argument("--data", type=Path, help="data folder (default data/PRESET)")
    parser.add_argument(
        "--seg", default="default", choices=SEG_METHODS,
        help="segmentation of every frame (scores stay on the ground truth's segments)",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, help="write the summaries here")
    parser.add_argument(
        "--no-ceiling",
        dest="ceiling",
        action="store_false",
        help="skip the segmentation ceiling row (every segment its majority true color)",
    )
    parser.add_argument("--motion-scale", type=float, help="override the preset (calibration)")
    parser.add_argument("--camera-motion", type=float, help="override the preset (calibration)")
    args = parser.parse_args()
    overrides = {
        key: value
        for key, value in (
            ("motion_scale", args.motion_scale),
            ("camera_motion", args.camera_motion),
        )
        if value is not None
    }
    data_dir = ensure_data(args.data or ROOT / "data" / args.preset, overrides, args.preset)
    engines = {}
    for name in args.engine or ("flow", "inclusion"):
        options = {}
        if name == "inclusion":
            options = {"flip_average": args.flip_average, "flow_prior": args.flow_prior,
                       "flow_lock": args.flow_lock, "work_size": args.work_size,
                       "consistency_lock": args.consistency_lock}  # fmt: skip
        engines[name] = make_engine(name, **{k: v for k, v in options.items() if v is not None})
    engines.update(weight_engines(args.weights, flip_average=args.flip_average))
    results = {
        name: run_engine(data_dir, engine, name, args.seg) for name, engine in engines.items()
    }
    if args.ceiling:
        results[CEILING] = segmentation_ceiling(data_dir, args.seg)
    width = max(8, *(len(name) for name in results))
    print(f"{'engine':>{width}} | " + " | ".join(f"{n:>10}" for n in LABELS) + " | s/frame")
    for name, summary in results.items():
        values = " | ".join(f"{summary[n]:>10.4f}" for n in LABELS)
        seconds = summary["seconds_per_frame"]
        print(f"{name:>{width}} | {values} | " + ("-" if seconds is None else f"{seconds:.3f}"))
    if args.ceiling:
        print(f"{CEILING}: each of our segments takes its majority true color (no engine "
              "can do better on these segments)")  # fmt: skip
    first = next(iter(results.values()))
    print(f"data: {data_dir} ({first['frames']} frames, {first['segments']} segments), "
          f"segmentation {args.seg}")  # fmt: skip
    print("accuracy by segment area (pixels):")
    heads = [f"<={b['max_area']}" if b["max_area"] else "larger" for b in first["by_size"]]
    print(f"{'engine':>{width}} | " + " | ".join(f"{h:>7}" for h in heads))
    for name, summary in results.items():
        print(f"{name:>{width}} | " + " | ".join(f"{b['acc']:>7.3f}" for b in summary["by_size"]))
    if args.plot:
        plot_by_size(results, args.plot)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
