"""Scoring a folder of predictions against a folder of ground truth."""

from __future__ import annotations

import json
from pathlib import Path

from paintbucket.core.frames import Frame
from paintbucket.errors import InputError
from paintbucket.io.images import DEFAULT_MAX_PIXELS, list_pngs, read_rgba
from paintbucket.io.index_png import read_segments
from paintbucket.metrics.segment_accuracy import (
    FrameScores,
    evaluate_frame,
    summarize,
    truth_segments,
)


def _is_keyframe(prediction_json: Path) -> bool:
    if not prediction_json.is_file():
        return False
    try:
        return bool(json.loads(prediction_json.read_text(encoding="utf-8")).get("keyframe"))
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        raise InputError(prediction_json, "invalid prediction JSON") from None


def evaluate_folder(
    pred_dir: str | Path,
    gt_dir: str | Path,
    include_keyframes: bool = False,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
) -> tuple[dict, dict[str, FrameScores]]:
    """Score every ``PRED_DIR/<name>.png`` that has a ``GT_DIR/gt/<name>.png``.

    Ground-truth segments come from ``GT_DIR/seg/<name>.png`` when present, else from
    segmenting ``GT_DIR/line/<name>.png`` and splitting its segments by the ground
    truth's colors (:func:`~paintbucket.metrics.segment_accuracy.truth_segments`), so
    that a segment leaking through a gap in the line art is not scored as one. Frames
    whose prediction JSON marks them as keyframes (copied, not predicted) are skipped
    unless ``include_keyframes``.
    Ground-truth frames are listed like clip frames
    (:func:`~paintbucket.io.images.list_pngs`: natural order, no dot-files); images
    larger than ``max_pixels`` are refused before decoding.

    Returns
    -------
    summary : dict
        See :func:`~paintbucket.metrics.segment_accuracy.summarize`.
    frames : dict
        ``{name: FrameScores}``.
    """
    pred_dir, gt_dir = Path(pred_dir), Path(gt_dir)
    for folder in (pred_dir, gt_dir / "gt"):
        if not folder.is_dir():
            raise InputError(folder, "folder not found")
    frames: dict[str, FrameScores] = {}
    for gt_path in list_pngs(gt_dir / "gt"):
        name = gt_path.stem
        pred_path = pred_dir / f"{name}.png"
        if not pred_path.is_file():
            continue
        if not include_keyframes and _is_keyframe(pred_dir / f"{name}.json"):
            continue
        seg_path, line_path = gt_dir / "seg" / f"{name}.png", gt_dir / "line" / f"{name}.png"
        if not seg_path.is_file() and not line_path.is_file():
            raise InputError(gt_path, f"no segments: neither {seg_path} nor {line_path} exists")
        predicted, ground_truth = read_rgba(pred_path, max_pixels), read_rgba(gt_path, max_pixels)
        if predicted.shape != ground_truth.shape:
            raise InputError(
                pred_path,
                f"size {predicted.shape[1]}x{predicted.shape[0]} differs from ground truth "
                f"{ground_truth.shape[1]}x{ground_truth.shape[0]}",
            )
        if seg_path.is_file():
            segment_ids = read_segments(seg_path, max_pixels)
            if segment_ids.shape != ground_truth.shape[:2]:
                raise InputError(seg_path, "size differs from gt")
        else:
            line_art = read_rgba(line_path, max_pixels)
            if line_art.shape[:2] != ground_truth.shape[:2]:
                raise InputError(line_path, "size differs from gt")
            frame = Frame.from_line_art(line_art)
            segment_ids = truth_segments(frame.segment_ids, ground_truth, frame.line_mask)
        frames[name] = evaluate_frame(predicted, ground_truth, segment_ids)
    if not frames:
        raise InputError(
            pred_dir, f"no predicted frame matches a ground-truth frame in {gt_dir}/gt"
        )
    return summarize(list(frames.values())), frames
