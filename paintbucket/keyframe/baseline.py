"""A non-learned keyframe colorizer: silhouette-aligned reference color voting.

1. Foreground of a drawing: every segment but the largest one touching the border
   (the background), plus the lines.
2. Each reference is aligned to the target by the similarity transform (no rotation)
   that matches foreground centroids and areas; its score is the mean of the IoU of
   the aligned foregrounds and the Dice overlap of the (dilated) aligned line masks.
3. The aligned reference's colorbook palette indices vote in every target segment
   (``vote_probabilities``), optionally after a DIS optical-flow refinement.
4. Votes are pooled per colorbook entry (all variants of an entry count for it); the
   variant comes from the shading annotation when given, else the most-voted variant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np

from paintbucket.flow.dis import estimate_flow, warp_nearest
from paintbucket.keyframe.shading import SHADE_VARIANT, UNKNOWN, entry_group
from paintbucket.keyframe.sheet import DesignSheet, Reference
from paintbucket.pipeline.engines import GUESS_CEILING, vote_probabilities
from paintbucket.pipeline.frames import Frame
from paintbucket.pipeline.result import SegmentColoring
from paintbucket.segment.stats import nearest_fill, segment_areas

if TYPE_CHECKING:
    from paintbucket.keyframe.learned import KeyframeModel
    from paintbucket.keyframe.select import ReferenceSelector

#: Variant columns tried in this order when votes tie (normal first).
_VARIANT_PREFERENCE = np.array([1, 0, 2, 3])


def foreground_mask(segment_ids: np.ndarray) -> np.ndarray:
    """(H, W) bool: lines and every segment except the largest border-touching one."""
    border = np.concatenate(
        [segment_ids[0], segment_ids[-1], segment_ids[:, 0], segment_ids[:, -1]]
    )
    border = np.unique(border[border > 0])
    if border.size == 0:
        return np.ones(segment_ids.shape, dtype=bool)
    areas = segment_areas(segment_ids)
    background = border[np.argmax(areas[border])]
    return segment_ids != background


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
    probabilities = vote_probabilities(target.segment_ids, aligned, num_colors)
    unvoted = probabilities.sum(axis=1) == 0
    unvoted[0] = False
    if unvoted.any() and (aligned >= 0).any():
        guess = vote_probabilities(
            target.segment_ids, nearest_fill(aligned, aligned >= 0), num_colors
        )
        probabilities[unvoted] = GUESS_CEILING * guess[unvoted]
    return probabilities


@dataclass
class KeyframeResult:
    """Output of :func:`colorize_keyframe`.

    Attributes
    ----------
    coloring : SegmentColoring
        Over the sheet palette (transparent first).
    entry : (N + 1,) int64
        Row of ``sheet.entry_table()`` chosen per segment (0 = background, -1 for id 0).
    variant : (N + 1,) int64
        Column (highlight, normal, shadow1, shadow2) of the chosen color.
    confidence : (N + 1,) float32
        Pooled vote share of the chosen entry.
    reference_scores : (R,) float64
        Silhouette match score of every reference, or the learned selector's
        probability when it chose.
    reference_weights : (R,) float64
        Weight each reference's votes got (sums to 1).
    """

    coloring: SegmentColoring
    entry: np.ndarray
    variant: np.ndarray
    confidence: np.ndarray
    reference_scores: np.ndarray
    reference_weights: np.ndarray


def reference_weights(scores: np.ndarray, refs: str | int) -> np.ndarray:
    """Weights of the references for ``refs`` = ``"auto"`` (best score, ties to the
    first), ``"all"`` (proportional to score) or an index."""
    weights = np.zeros(len(scores))
    if refs == "auto":
        weights[int(np.argmax(scores))] = 1.0
    elif refs == "all":
        weights = np.maximum(scores, 0.0)
        weights = weights / weights.sum() if weights.sum() > 0 else np.full(len(scores), 1.0)
        weights /= weights.sum()
    else:
        index = int(refs)
        if not 0 <= index < len(scores):
            raise ValueError(f"reference index {index} out of range 0..{len(scores) - 1}")
        weights[index] = 1.0
    return weights


def colorize_keyframe(
    sheet: DesignSheet,
    target: Frame,
    shade: np.ndarray | None = None,
    group: np.ndarray | None = None,
    categories: list[str] | None = None,
    refs: str | int = "auto",
    refine_flow: bool = True,
    matcher: KeyframeModel | None = None,
    selector: ReferenceSelector | None = None,
) -> KeyframeResult:
    """Colorize one target drawing from a design sheet.

    Parameters
    ----------
    sheet : DesignSheet
    target : Frame
    shade : (N + 1,) int, optional
        Shade code per segment (see :mod:`paintbucket.keyframe.shading`); without it
        each segment keeps the variant most voted for its entry.
    group : (N + 1,) int, optional
        Parsing group per segment (-1 unknown); with ``categories``, entries of another
        group are dropped wherever a compatible entry got votes.
    categories : list of str, optional
        Category of every colorbook entry (``sheet.colorbook.entries`` order).
    refs : "auto", "all" or int
    refine_flow : bool
        Refine the global alignment with DIS optical flow (baseline only).
    matcher : KeyframeModel, optional
        The learned matcher; without it, the non-learned baseline votes. The matcher
        needs ``categories``.
    selector : ReferenceSelector, optional
        With ``refs="auto"``, the learned selector picks and weights the references
        (its probabilities become ``reference_scores``) instead of the best silhouette.

    Returns
    -------
    KeyframeResult
    """
    if matcher is not None and categories is None:
        raise ValueError("the learned matcher needs the entries' categories")
    if selector is not None and refs == "auto":
        # The selector decides; silhouette scores are not needed, alignments only to vote.
        scores, weights = selector(sheet, target)
        transforms = [align(ref.frame, target) if matcher is None else None
                      for ref in sheet.references]  # fmt: skip
    else:
        scores, transforms = reference_scores(sheet, target)
        weights = reference_weights(scores, refs)
    palette = sheet.palette
    table = sheet.entry_table()  # (E + 1, 4), -1 = null
    color_probs = np.zeros((target.segment_ids.max(initial=0) + 1, len(palette)), np.float32)
    # The matcher predicts entries, not variants: its votes go to each entry's normal color.
    normal = np.where(table[:, 1] >= 0, table[:, 1], table.max(axis=1))
    for ref, transform, weight in zip(sheet.references, transforms, weights):
        if weight <= 0:
            continue
        if matcher is None:
            color_probs += weight * vote_reference(sheet, ref, target, transform, refine_flow)
        else:
            entry_probs = matcher.entry_probabilities(sheet, ref, target, categories, group)
            np.add.at(color_probs.T, normal, weight * entry_probs.T)

    safe = np.where(table >= 0, table, 0)
    variant_votes = np.where(table[None] >= 0, color_probs[:, safe], 0.0)  # (N+1, E+1, 4)
    variant_votes[:, 0, 1:] = 0.0  # the background row repeats index 0 four times
    entry_probs = variant_votes.sum(axis=2)
    if group is not None and categories is not None:
        entry_groups = np.array([-2] + [entry_group(c) for c in categories])
        known = np.asarray(group) != UNKNOWN
        compatible = entry_groups[None, :] == np.asarray(group)[:, None]
        usable = known & ((entry_probs * compatible).sum(axis=1) > 0)
        entry_probs[usable] *= compatible[usable]

    rows = np.arange(len(entry_probs))
    entry = entry_probs.argmax(axis=1)
    confidence = np.clip(entry_probs[rows, entry], 0.0, 1.0).astype(np.float32)
    if shade is None:
        ordered = variant_votes[:, :, _VARIANT_PREFERENCE]
        variant_per_entry = _VARIANT_PREFERENCE[ordered.argmax(axis=2)]  # (N+1, E+1)
        variant_per_entry[:, 0] = 1
    else:
        wanted = np.vectorize(SHADE_VARIANT.get)(np.asarray(shade))
        variant_per_entry = np.repeat(wanted[:, None], len(table), axis=1)
    # Null variants fall back to normal, then to the first non-null one.
    first_valid = np.argmax(table >= 0, axis=1)
    fallback = np.where(table[:, 1] >= 0, 1, first_valid)
    null = table[np.arange(len(table))[None, :], variant_per_entry] < 0
    variant_per_entry = np.where(null, fallback[None, :], variant_per_entry)
    color_per_entry = table[np.arange(len(table))[None, :], variant_per_entry]  # (N+1, E+1)

    probabilities = np.zeros_like(color_probs)
    np.put_along_axis(probabilities, color_per_entry, entry_probs.astype(np.float32), axis=1)
    variant = variant_per_entry[rows, entry]
    entry[0], variant[0], confidence[0] = -1, -1, 0.0
    coloring = SegmentColoring(target.segment_ids, palette, probabilities)
    return KeyframeResult(coloring, entry, variant, confidence, scores, weights)
