"""A non-learned keyframe colorizer: silhouette-aligned reference color voting.

1. Foreground of a drawing: every segment but the largest one touching the border
   (the background), plus the lines.
2. Each reference is aligned to the target by the similarity transform (no rotation)
   that matches foreground centroids and areas; its score is the mean of the IoU of
   the aligned foregrounds and the Dice overlap of the (dilated) aligned line masks.
3. The aligned reference's colorbook palette indices vote in every target segment
   (``vote_probabilities``), optionally after a DIS optical-flow refinement.
4. :func:`paintbucket.keyframe.colorize.colorize_keyframe` pools the votes per colorbook
   entry (all variants of an entry count for it) and picks the variant.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from paintbucket.core.frames import Frame
from paintbucket.core.votes import GUESS_CEILING, vote_probabilities
from paintbucket.flow.dis import estimate_flow, warp_nearest
from paintbucket.keyframe.sheet import DesignSheet, Reference
from paintbucket.segment.labels import foreground_mask
from paintbucket.segment.stats import nearest_fill


def _moments(mask: np.ndarray) -> tuple[float, float, float]:
    """Centroid (x, y) and area of a mask (area >= 1)."""
    ys, xs = np.nonzero(mask)
    if xs.size == 0:
        h, w = mask.shape
        return w / 2.0, h / 2.0, 1.0
    return float(xs.mean()), float(ys.mean()), float(xs.size)


@dataclass(frozen=True)
class Similarity:
    """Map target pixel ``(x, y)`` to reference pixel ``((x - tx) / s + rx, (y - ty) / s + ry)``."""

    scale: float
    target_center: tuple[float, float]
    reference_center: tuple[float, float]

    def sample(self, values: np.ndarray, shape: tuple[int, int], fill: int) -> np.ndarray:
        """Pull ``values`` (H', W') of the reference into a target-sized (H, W) array
        with nearest-neighbour sampling; outside the reference gets ``fill``."""
        height, width = shape
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        rx = np.rint((xs - self.target_center[0]) / self.scale + self.reference_center[0])
        ry = np.rint((ys - self.target_center[1]) / self.scale + self.reference_center[1])
        inside = (rx >= 0) & (ry >= 0) & (rx < values.shape[1]) & (ry < values.shape[0])
        out = np.full(shape, fill, dtype=values.dtype)
        out[inside] = values[ry[inside].astype(np.intp), rx[inside].astype(np.intp)]
        return out


def align(reference: Frame, target: Frame) -> Similarity:
    """Similarity transform matching the foreground centroids and areas."""
    rx, ry, r_area = _moments(foreground_mask(reference.segment_ids))
    tx, ty, t_area = _moments(foreground_mask(target.segment_ids))
    return Similarity(float(np.sqrt(t_area / r_area)), (tx, ty), (rx, ry))


def match_score(reference: Frame, target: Frame, transform: Similarity) -> float:
    """Mean of the foreground IoU and the dilated line-mask Dice after alignment, in [0, 1]."""
    ref_fg = transform.sample(foreground_mask(reference.segment_ids), target.shape, False)
    tgt_fg = foreground_mask(target.segment_ids)
    iou = (ref_fg & tgt_fg).sum() / max(int((ref_fg | tgt_fg).sum()), 1)
    radius = max(1, round(max(target.shape) / 100))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    ref_lines = transform.sample(reference.line_mask.view(np.uint8), target.shape, 0)
    ref_lines = cv2.dilate(ref_lines, kernel).astype(bool)
    tgt_lines = cv2.dilate(target.line_mask.view(np.uint8), kernel).astype(bool)
    dice = 2 * (ref_lines & tgt_lines).sum() / max(int(ref_lines.sum() + tgt_lines.sum()), 1)
    return float(0.5 * iou + 0.5 * dice)


def reference_scores(sheet: DesignSheet, target: Frame) -> tuple[np.ndarray, list[Similarity]]:
    """Match score and alignment of every sheet reference for ``target``.

    Returns
    -------
    scores : (R,) float64
    transforms : list of R Similarity
    """
    transforms = [align(ref.frame, target) for ref in sheet.references]
    scores = np.array(
        [match_score(ref.frame, target, t) for ref, t in zip(sheet.references, transforms)]
    )
    return scores, transforms


def vote_reference(
    sheet: DesignSheet,
    reference: Reference,
    target: Frame,
    transform: Similarity,
    refine_flow: bool = True,
) -> np.ndarray:
    """Per-segment share of target pixels voting for each sheet palette color.

    Returns
    -------
    probabilities : (N + 1, P) float32
        P = ``len(sheet.palette)``; segments no aligned pixel reaches take the nearest
        voting pixels' colors, scaled to at most ``GUESS_CEILING``.
    """
    index_map = sheet.reference_index_map(reference)
    aligned = transform.sample(index_map, target.shape, 0)  # outside = transparent
    if refine_flow:
        aligned_lines = transform.sample(reference.frame.line_mask, target.shape, False)
        flow = estimate_flow(target.line_mask, aligned_lines)
        aligned = warp_nearest(aligned, flow, fill=-1)
    num_colors = len(sheet.palette)
    probabilities = vote_probabilities(target.segment_ids, aligned, num_colors, target.areas())
    unvoted = probabilities.sum(axis=1) == 0
    unvoted[0] = False
    if unvoted.any() and (aligned >= 0).any():
        guess = vote_probabilities(
            target.segment_ids, nearest_fill(aligned, aligned >= 0), num_colors, target.areas()
        )
        probabilities[unvoted] = GUESS_CEILING * guess[unvoted]
    return probabilities
