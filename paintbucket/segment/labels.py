"""Operations on segment-id maps: numbering paper, renumbering, specks, contacts.

A segment-id map is ``(H, W) int32, 0 = line, 1..N = segment`` (see
:mod:`paintbucket.segment.regions`).
"""

from __future__ import annotations

import cv2
import numpy as np

from paintbucket.segment.stats import nearest_fill, segment_areas

_NEIGHBOR_SHIFTS = ((0, 1), (0, -1), (1, 0), (-1, 0))


def label_paper(paper: np.ndarray) -> np.ndarray:
    """Number the 4-connected components of paper pixels.

    Parameters
    ----------
    paper : (H, W) bool
        True where there is no line.

    Returns
    -------
    segment_ids : (H, W) int32
        0 on lines, 1..N on segments.
    """
    paper = np.asarray(paper, dtype=bool)
    if paper.size == 0:
        return np.zeros(paper.shape, dtype=np.int32)
    _, segment_ids = cv2.connectedComponents(paper.view(np.uint8), connectivity=4, ltype=cv2.CV_32S)
    return segment_ids


def relabel_sequential(segment_ids: np.ndarray) -> np.ndarray:
    """Renumber ids > 0 to 1..N keeping their order; 0 stays 0."""
    present = np.zeros(int(segment_ids.max(initial=0)) + 1, dtype=bool)
    present[segment_ids.ravel()] = True
    present[0] = False
    lookup = np.zeros(present.size, dtype=np.int32)
    lookup[present] = np.arange(1, int(present.sum()) + 1, dtype=np.int32)
    return lookup[segment_ids]


def merge_specks(segment_ids: np.ndarray, max_area: int) -> np.ndarray:
    """Turn segments of at most ``max_area`` pixels into line pixels and renumber.

    Thresholding anti-aliased lines leaves pinholes inside strokes; they are ink, not
    regions to paint.

    Parameters
    ----------
    segment_ids : (H, W) int32, 0 = line
    max_area : int
        Largest speck size in pixels; 0 leaves the map unchanged.

    Returns
    -------
    segment_ids : (H, W) int32, 0 = line, renumbered 1..N
    """
    if max_area <= 0 or segment_ids.size == 0:
        return segment_ids
    areas = segment_areas(segment_ids)
    speck = areas <= max_area
    speck[0] = True
    return relabel_sequential(np.where(speck[segment_ids], 0, segment_ids).astype(np.int32))


def fill_pinholes(segment_ids: np.ndarray, line_mask: np.ndarray) -> np.ndarray:
    """Give the unlined pixels of the line their nearest segment: the ids to paint with.

    :func:`merge_specks` turns the pinholes of anti-aliased strokes into line, so that
    they are not matched as regions, and a soft drawing's low threshold counts the faint
    fringe of its strokes as line; but a painted frame paints both with the region around
    them (only black line pixels stay black, SPEC section 2).

    Parameters
    ----------
    segment_ids : (H, W) int32, 0 = line
    line_mask : (H, W) bool
        True where the drawing is line (e.g.
        :meth:`~paintbucket.core.Frame.solid_line_mask`).

    Returns
    -------
    paint_ids : (H, W) int32
        ``segment_ids``, except that every pixel of id 0 outside ``line_mask`` takes the
        id of the nearest pixel of a segment (Euclidean); line stays 0. Unchanged where there is
        no such pixel or no segment.

    >>> ids = np.array([[1, 0, 0, 0, 0, 2]], np.int32)
    >>> fill_pinholes(ids, np.array([[0, 0, 1, 1, 0, 0]], bool)).tolist()
    [[1, 1, 0, 0, 2, 2]]
    """
    if segment_ids.shape != line_mask.shape:
        raise ValueError(
            f"line_mask {line_mask.shape} does not match segment_ids {segment_ids.shape}"
        )
    holes = (segment_ids == 0) & ~line_mask
    if not holes.any():
        return segment_ids
    nearest = nearest_fill(segment_ids, segment_ids > 0)
    return np.where(holes, nearest, segment_ids).astype(np.int32)


def neighbor_pairs(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """4-neighbor contacts between two labelings.

    Parameters
    ----------
    source, target : (H, W) int
        Two label maps; 0 means "none".

    Returns
    -------
    pairs : (M, 2) int64
        One row ``(source label, target label)`` per pair of 4-adjacent pixels with a
        nonzero source label on one and a nonzero target label on the other.
    """
    rows = []
    height, width = source.shape
    for dy, dx in _NEIGHBOR_SHIFTS:
        src = source[max(dy, 0) : height + min(dy, 0), max(dx, 0) : width + min(dx, 0)]
        dst = target[max(-dy, 0) : height + min(-dy, 0), max(-dx, 0) : width + min(-dx, 0)]
        hit = (src > 0) & (dst > 0)
        rows.append(np.stack([src[hit], dst[hit]], axis=1).astype(np.int64))
    return np.concatenate(rows) if rows else np.zeros((0, 2), np.int64)


def foreground_mask(segment_ids: np.ndarray) -> np.ndarray:
    """(H, W) bool: lines and every segment except the largest border-touching one (the
    paper around the character).

    >>> foreground_mask(np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]])).astype(int).tolist()
    [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
    """
    border = np.concatenate(
        [segment_ids[0], segment_ids[-1], segment_ids[:, 0], segment_ids[:, -1]]
    )
    border = np.unique(border[border > 0])
    if border.size == 0:
        return np.ones(segment_ids.shape, dtype=bool)
    areas = segment_areas(segment_ids)
    background = border[np.argmax(areas[border])]
    return segment_ids != background
