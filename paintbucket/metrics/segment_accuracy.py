"""Acc, Acc-Thres, Pix-Acc, Pix-F-Acc, Pix-B-MIoU and accuracy by segment size.

All metrics are computed on the ground truth's segments (line pixels excluded). A
segment's color is the majority color of its pixels (fully transparent pixels count as
one background color); it is correct when the prediction's color equals the ground
truth's exactly. Frame scores are averaged over frames by :func:`summarize`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from paintbucket.io.images import normalize_transparent
from paintbucket.segment.stats import majority_vote, pack_rgba, segment_areas

METRIC_NAMES = ("acc", "acc_thres", "pix_acc", "pix_f_acc", "pix_b_miou")
#: Segments must be larger than this many pixels to count in Acc-Thres.
THRESHOLD_AREA = 10
#: Upper bounds (inclusive) of the segment-size buckets, in pixels (the paper's Fig. 21).
SIZE_BUCKETS = (10, 50, 100, 500, 1000, 5000, 10000, np.inf)

_TRANSPARENT = 0  # pack_rgba((0, 0, 0, 0))


@dataclass
class FrameScores:
    """Metrics of one frame.

    Attributes
    ----------
    acc, acc_thres, pix_acc, pix_f_acc, pix_b_miou : float
        NaN where the frame has no segment the metric applies to.
    num_segments : int
    bucket_correct, bucket_total : (len(SIZE_BUCKETS),) int64
        Correct and total segments per size bucket.
    """

    acc: float
    acc_thres: float
    pix_acc: float
    pix_f_acc: float
    pix_b_miou: float
    num_segments: int
    bucket_correct: np.ndarray = field(repr=False)
    bucket_total: np.ndarray = field(repr=False)

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in METRIC_NAMES}


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator > 0 else float("nan")


def truth_segments(
    segment_ids: np.ndarray, ground_truth: np.ndarray, line_mask: np.ndarray
) -> np.ndarray:
    """Scoring segments for a drawing that has a painted truth but no segment map of its
    own (a real drawing, or one deformed for a benchmark).

    Scoring on the drawing's own segmentation alone hides a segmentation that leaks: a
    segment that runs from a region into the background through a gap takes one color,
    and its majority truth agrees with a prediction that paints the whole region wrong.
    Here every segment is split by the truth's colors, so each scoring segment has one
    true color (the pieces of one segment that share a color count as one, connected or
    not), and ink pixels are left out, as line pixels are in the ground truth's maps.
    Color-line pixels are ink too: which side of a shading line a painter's truth gives
    them varies between drawings, so they are not scored, and a stroke made only of ink
    (a blush tick, which our segmentation makes a segment of its own) is not scored
    either.

    Parameters
    ----------
    segment_ids : (H, W) int
        The drawing's segments, 0 = line.
    ground_truth : (H, W, 4) uint8
        The painted truth (fully transparent pixels are one background color).
    line_mask : (H, W) bool
        Ink pixels, black and color lines (e.g. ``Frame.line_mask``).

    Returns
    -------
    scoring_ids : (H, W) int32
        0 on ink and lines, 1..K on the pieces, numbered in order of (segment, color).
    """
    if not segment_ids.shape == ground_truth.shape[:2] == line_mask.shape:
        raise ValueError(
            f"shape mismatch: segments {segment_ids.shape}, ground truth "
            f"{ground_truth.shape}, line mask {line_mask.shape}"
        )
    scored = (segment_ids > 0) & ~line_mask
    colors = pack_rgba(normalize_transparent(ground_truth))[scored]
    pairs = np.stack([segment_ids[scored].astype(np.int64), colors], axis=1)
    _, piece = np.unique(pairs, axis=0, return_inverse=True)
    scoring_ids = np.zeros(segment_ids.shape, dtype=np.int32)
    scoring_ids[scored] = piece.reshape(-1) + 1
    return scoring_ids


def evaluate_frame(
    predicted: np.ndarray, ground_truth: np.ndarray, segment_ids: np.ndarray
) -> FrameScores:
    """Score one predicted frame.

    Parameters
    ----------
    predicted : (H, W, 4) uint8
        Colorized frame.
    ground_truth : (H, W, 4) uint8
        Ground-truth colored frame.
    segment_ids : (H, W) int
        Ground-truth segments, 0 = line (ignored).

    Returns
    -------
    FrameScores
    """
    areas, gt_colors, pred_colors = _segment_colors(predicted, ground_truth, segment_ids)
    correct = gt_colors == pred_colors
    gt_background = gt_colors == _TRANSPARENT
    pred_background = pred_colors == _TRANSPARENT
    large = areas > THRESHOLD_AREA
    foreground = ~gt_background
    either = gt_background | pred_background
    bucket = np.searchsorted(np.asarray(SIZE_BUCKETS, dtype=np.float64), areas, side="left")
    return FrameScores(
        acc=_ratio(correct.sum(), correct.size),
        acc_thres=_ratio(correct[large].sum(), large.sum()),
        pix_acc=_ratio(areas[correct].sum(), areas.sum()),
        pix_f_acc=_ratio(areas[correct & foreground].sum(), areas[foreground].sum()),
        # IoU of the background; a frame where neither side has background scores 1.
        pix_b_miou=_ratio(areas[gt_background & pred_background].sum(), areas[either].sum())
        if either.any()
        else 1.0,
        num_segments=int(areas.size),
        bucket_correct=np.bincount(bucket[correct], minlength=len(SIZE_BUCKETS)),
        bucket_total=np.bincount(bucket, minlength=len(SIZE_BUCKETS)),
    )


def segment_correctness(
    predicted: np.ndarray, ground_truth: np.ndarray, segment_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Which ground-truth segments a prediction colors right, as :func:`evaluate_frame`
    counts them (for scores it does not compute, e.g. the best of several predictions).

    Parameters
    ----------
    predicted, ground_truth, segment_ids
        As in :func:`evaluate_frame`.

    Returns
    -------
    areas : (K,) float64
        Pixels of every ground-truth segment that has any, ids ascending.
    correct : (K,) bool
        The prediction's majority color equals the truth's.

    >>> ids = np.array([[1, 1, 0, 2]])
    >>> truth = np.zeros((1, 4, 4), np.uint8); truth[0, :2] = (9, 9, 9, 255)
    >>> guess = truth.copy(); guess[0, 3] = (5, 5, 5, 255)
    >>> areas, correct = segment_correctness(guess, truth, ids)
    >>> areas.tolist(), correct.tolist()
    ([2.0, 1.0], [True, False])
    """
    areas, gt_colors, pred_colors = _segment_colors(predicted, ground_truth, segment_ids)
    return areas, gt_colors == pred_colors


def _segment_colors(
    predicted: np.ndarray, ground_truth: np.ndarray, segment_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Area, true majority color and predicted majority color (packed) of every
    ground-truth segment; raises ``ValueError`` on mismatched shapes."""
    if predicted.shape != ground_truth.shape or ground_truth.shape[:2] != segment_ids.shape:
        raise ValueError(
            f"shape mismatch: predicted {predicted.shape}, ground truth {ground_truth.shape}, "
            f"segments {segment_ids.shape}"
        )
    gt_ids, gt_colors, _, _ = majority_vote(
        segment_ids, pack_rgba(normalize_transparent(ground_truth))
    )
    _, pred_colors, _, _ = majority_vote(segment_ids, pack_rgba(normalize_transparent(predicted)))
    areas = segment_areas(segment_ids)[gt_ids].astype(np.float64)
    return areas, gt_colors, pred_colors


def summarize(frames: list[FrameScores]) -> dict:
    """Average frame metrics and pool the size buckets.

    Returns
    -------
    summary : dict
        ``{metric: mean over frames (NaN frames skipped)}`` for every name in
        :data:`METRIC_NAMES`, plus ``frames`` (count), ``segments`` (total) and
        ``by_size``: a list of ``{"max_area", "segments", "acc"}`` per bucket.
    """
    summary: dict = {}
    for name in METRIC_NAMES:
        values = np.array([getattr(f, name) for f in frames], dtype=np.float64)
        values = values[~np.isnan(values)]
        summary[name] = float(values.mean()) if values.size else float("nan")
    summary["frames"] = len(frames)
    summary["segments"] = int(sum(f.num_segments for f in frames))
    correct = np.sum([f.bucket_correct for f in frames], axis=0) if frames else None
    total = np.sum([f.bucket_total for f in frames], axis=0) if frames else None
    summary["by_size"] = [
        {
            "max_area": None if np.isinf(bound) else int(bound),
            "segments": int(total[i]) if total is not None else 0,
            "acc": _ratio(correct[i], total[i]) if total is not None else float("nan"),
        }
        for i, bound in enumerate(SIZE_BUCKETS)
    ]
    return summary
