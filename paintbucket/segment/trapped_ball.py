"""Trapped-ball filling: segments for line art whose strokes do not close.

A ball of radius ``r`` rolling over the paper cannot pass through a gap narrower than
its diameter, so the places its centre can reach (paper eroded by the ball) split into
separate regions at every such gap. Growing those centres back by the ball (an
opening) gives the region's body. Large balls fill the big regions first; smaller
balls then fill what is left, which can no longer leak into the regions already
filled. A region found by a smaller ball that touches an earlier region along an open
border at least as wide as that ball is the same region narrowing (a strand's tip, a
margin), not a room behind a gap, and is merged into it. Pixels no ball reaches (thin
slivers, corners) join the nearest region.
"""

from __future__ import annotations

import cv2
import numpy as np

from paintbucket.segment.labels import label_paper, neighbor_pairs, relabel_sequential
from paintbucket.segment.stats import nearest_fill

DEFAULT_RADII = (6, 3, 1)


def _disk(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def _merge_wide_contacts(new_ids: np.ndarray, old_ids: np.ndarray, min_contact: int) -> np.ndarray:
    """Relabel new regions that border an old one along ``min_contact`` or more pixels."""
    pairs, contacts = np.unique(neighbor_pairs(new_ids, old_ids), axis=0, return_counts=True)
    wide = contacts >= min_contact
    if not wide.any():
        return new_ids
    pairs, contacts = pairs[wide], contacts[wide]
    # Strongest contact first, so each new region takes the old region it borders most.
    order = np.lexsort((-contacts, pairs[:, 0]))
    pairs = pairs[order]
    first = np.ones(len(pairs), dtype=bool)
    first[1:] = pairs[1:, 0] != pairs[:-1, 0]
    lookup = np.arange(int(new_ids.max()) + 1, dtype=np.int32)
    lookup[pairs[first, 0]] = pairs[first, 1]
    return lookup[new_ids]


def trapped_ball_fill(
    paper: np.ndarray, radii: tuple[int, ...] | None = None, min_area_factor: float = 1.0
) -> np.ndarray:
    """Segment unclosed line art.

    Parameters
    ----------
    paper : (H, W) bool
        True where there is no line.
    radii : tuple of int, optional
        Ball radii in pixels, largest first (default :data:`DEFAULT_RADII`). Gaps
        narrower than ``2 * radii[0] + 1`` are closed for the largest regions.
    min_area_factor : float
        A ball's region is kept only if its centre area is at least this many ball
        areas, which stops slivers of a region from becoming segments of their own.

    Returns
    -------
    segment_ids : (H, W) int32
        0 on lines, 1..N on segments (every paper pixel belongs to one).
    """
    radii = DEFAULT_RADII if radii is None else tuple(int(r) for r in radii)
    if any(r < 1 for r in radii) or list(radii) != sorted(radii, reverse=True):
        raise ValueError(f"ball radii must be positive and decreasing, got {radii}")
    paper = np.asarray(paper, dtype=bool)
    segment_ids = np.zeros(paper.shape, dtype=np.int32)
    next_id = 1
    for radius in radii:
        disk = _disk(radius)
        unfilled = (paper & (segment_ids == 0)).view(np.uint8)
        centres = cv2.erode(unfilled, disk, borderType=cv2.BORDER_CONSTANT, borderValue=0)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(centres, connectivity=8)
        keep = stats[:, cv2.CC_STAT_AREA] >= min_area_factor * np.pi * radius * radius
        keep[0] = False
        if not keep[1:].any():
            continue
        lookup = np.zeros(count, dtype=np.float32)
        lookup[keep] = np.arange(next_id, next_id + int(keep.sum()), dtype=np.float32)
        next_id += int(keep.sum())
        # Float labels dilate exactly below 2**24; overlapping balls keep the larger id.
        grown = cv2.dilate(lookup[labels], disk).astype(np.int32)
        grown[unfilled == 0] = 0
        grown = _merge_wide_contacts(grown, segment_ids, min_contact=2 * radius + 1)
        segment_ids[grown > 0] = grown[grown > 0]
    leftover = paper & (segment_ids == 0)
    if not segment_ids.any():
        return label_paper(paper)
    segment_ids = np.where(leftover, nearest_fill(segment_ids, segment_ids > 0), segment_ids)
    return relabel_sequential(np.where(paper, segment_ids, 0).astype(np.int32))
