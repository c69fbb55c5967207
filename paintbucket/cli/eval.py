"""``pbc eval PRED_DIR GT_DIR``: the paper's metrics for a folder of predictions."""

from __future__ import annotations

import argparse
import json

from paintbucket.cli.options import add_max_pixels_option

_LABELS = {
    "acc": "Acc",
    "acc_thres": "Acc-Thres",
    "pix_acc": "Pix-Acc",
    "pix_f_acc": "Pix-F-Acc",
    "pix_b_miou": "Pix-B-MIoU",
}


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "eval",
        help="score predictions against ground truth",
        description="Score PRED_DIR/<name>.png against GT_DIR/gt/<name>.png on the segments of "
        "GT_DIR/seg/<name>.png (or of GT_DIR/line/<name>.png). Prints a table, then the "
        "summary as one JSON line.",
    )
    parser.add_argument("pred_dir", metavar="PRED_DIR")
    parser.add_argument("gt_dir", metavar="GT_DIR")
    parser.add_argument("--json", dest="json_path", metavar="FILE", help="also write JSON here")
    parser.add_argument(
        "--include-keyframes",
        dest="include_keyframes",
        action="store_true",
        help="also score frames that were given as keyframes",
    )
    add_max_pixels_option(parser)
    return parser


def format_table(summary: dict) -> str:
    """Metrics and the accuracy-by-size buckets as a plain-text table."""
    names = list(_LABELS)
    lines = [
        " | ".join(f"{_LABELS[n]:>10}" for n in names),
        " | ".join(f"{summary[n]:>10.4f}" for n in names),
        f"{summary['frames']} frames, {summary['segments']} segments",
        "",
        f"{'segment area':>14} | {'segments':>8} | {'acc':>6}",
    ]
    lower = 1
    for bucket in summary["by_size"]:
        upper = bucket["max_area"]
        span = f"{lower}-{upper}" if upper is not None else f">{lower - 1}"
        lines.append(f"{span:>14} | {bucket['segments']:>8} | {bucket['acc']:>6.3f}")
        lower = (upper or 0) + 1
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from paintbucket.io.images import write_text
    from paintbucket.io.outputs import check_output_file
    from paintbucket.metrics.evaluate import evaluate_folder

    if args.json_path:
        pred_dir, gt_dir = Path(args.pred_dir), Path(args.gt_dir)
        inputs = [gt_dir / folder for folder in ("gt", "seg", "line")]
        predictions = [*pred_dir.glob("*.png"), *pred_dir.glob("*.json")]
        check_output_file(args.json_path, not_inside=inputs, not_at=predictions)
    summary, frames = evaluate_folder(
        args.pred_dir, args.gt_dir, args.include_keyframes, args.max_pixels
    )
    print(format_table(summary))
    report = {**summary, "per_frame": {name: s.as_dict() for name, s in frames.items()}}
    text = json.dumps(report)
    print(json.dumps(summary))
    if args.json_path:
        write_text(args.json_path, text)
    return 0
