"""Line-enclosed segments of a line drawing.

The segment map is the central array of the package::

    segment_ids : (H, W) int32, 0 = line, 1..N = segment

Segments are the 4-connected components of paper pixels, numbered like
``cv2.connectedComponents`` (this reproduces the ``seg/`` files of
PaintBucket-Character exactly). Color-line pixels are then handed to the region they
belong to, so filling a segment also fills its color lines, and black-line pixels stay 0.
"""

from __future__ import annotations

import cv2
import numpy as np

from paintbucket.segment.lines import (
    DEFAULT_COLOR_THRESHOLD,
    DEFAULT_LINE_THRESHOLD,
    PAPER,
    RED_LINE,
    classify_lines,
    is_binary,
)
from paintbucket.segment.stats import segment_areas

#: Speck size merged into the lines of anti-aliased drawings when ``speck_area="auto"``.
AUTO_SPECK_AREA = 3

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


def assign_color_lines(
    segment_ids: np.ndarray, kinds: np.ndarray, min_contact_fraction: float = 0.25
) -> np.ndarray:
    """Give every color-line stroke to the region it belongs to.

    Production rule: a color line (shadow/highlight boundary) is painted like the
    *smaller* of the regions it separates. Each 8-connected stroke of one color
    considers the segments it touches along at least ``min_contact_fraction`` of its
    strongest contact (so a stroke brushing a tiny pocket at its tip is not swallowed by
    it) and joins the smallest of them. A stroke touching no segment becomes its own.

    Parameters
    ----------
    segment_ids : (H, W) int32
        Segments of the paper pixels, 0 on every line pixel.
    kinds : (H, W) uint8
        Line kinds from :func:`~paintbucket.segment.lines.classify_lines`.
    min_contact_fraction : float
        Contacts weaker than this fraction of the stroke's strongest are ignored.

    Returns
    -------
    segment_ids : (H, W) int32
        Same ids, with color-line pixels set to their region's id.
    """
    is_color = kinds >= RED_LINE
    if not is_color.any():
        return segment_ids
    strokes = np.zeros(segment_ids.shape, dtype=np.int32)
    num_strokes = 0
    for kind in np.unique(kinds[is_color]):
        count, labels = cv2.connectedComponents(
            (kinds == kind).view(np.uint8), connectivity=8, ltype=cv2.CV_32S
        )
        strokes[labels > 0] = labels[labels > 0] + num_strokes
        num_strokes += count - 1

    choice = np.zeros(num_strokes + 1, dtype=np.int64)
    pairs, contacts = np.unique(neighbor_pairs(strokes, segment_ids), axis=0, return_counts=True)
    if len(pairs):
        strongest = np.zeros(num_strokes + 1, dtype=np.int64)
        np.maximum.at(strongest, pairs[:, 0], contacts)
        eligible = contacts >= min_contact_fraction * strongest[pairs[:, 0]]
        pairs = pairs[eligible]
        areas = segment_areas(segment_ids)[pairs[:, 1]]
        order = np.lexsort((pairs[:, 1], areas, pairs[:, 0]))
        pairs = pairs[order]
        first = np.ones(len(pairs), dtype=bool)
        first[1:] = pairs[1:, 0] != pairs[:-1, 0]
        choice[pairs[first, 0]] = pairs[first, 1]
    orphans = np.flatnonzero(choice[1:] == 0) + 1
    choice[orphans] = segment_ids.max(initial=0) + np.arange(1, len(orphans) + 1)
    result = segment_ids.copy()
    result[is_color] = choice[strokes[is_color]].astype(np.int32)
    return result


def segment_line_art(
    line_art: np.ndarray,
    method: str = "default",
    line_threshold: float = DEFAULT_LINE_THRESHOLD,
    color_threshold: int = DEFAULT_COLOR_THRESHOLD,
    speck_area: int | str = "auto",
    ball_radii: tuple[int, ...] | None = None,
) -> np.ndarray:
    """Split a line drawing into paint-bucket segments.

    Parameters
    ----------
    line_art : (H, W, 4) uint8 RGBA
        The drawing; see :func:`~paintbucket.segment.lines.classify_lines` for how
        lines are told from paper.
    method : {"default", "trappedball"}
        ``default``: connected components of paper (closed line art).
        ``trappedball``: also close gaps in unclosed strokes with trapped-ball filling.
    line_threshold, color_threshold
        Passed to :func:`~paintbucket.segment.lines.classify_lines`.
    speck_area : int or "auto"
        Segments of at most this many pixels become line. ``"auto"``: 0 for binary
        (aliased) drawings, where even 1-pixel segments are real, and
        :data:`AUTO_SPECK_AREA` for anti-aliased ones.
    ball_radii : tuple of int, optional
        Ball radii for ``trappedball``, largest first.

    Returns
    -------
    segment_ids : (H, W) int32
        0 = black line, 1..N = segments; color-line pixels carry their region's id.
    """
    kinds = classify_lines(line_art, line_threshold, color_threshold)
    if speck_area == "auto":
        speck_area = 0 if is_binary(line_art) else AUTO_SPECK_AREA
    if not isinstance(speck_area, int) or speck_area < 0:
        raise ValueError(f"speck_area must be a non-negative int or 'auto', got {speck_area!r}")
    paper = kinds == PAPER
    if method == "default":
        segment_ids = label_paper(paper)
    elif method == "trappedball":
        from paintbucket.segment.trapped_ball import trapped_ball_fill

        segment_ids = trapped_ball_fill(paper, radii=ball_radii)
    else:
        raise ValueError(f"unknown segmentation method {method!r}; use 'default' or 'trappedball'")
    segment_ids = merge_specks(segment_ids, speck_area)
    segment_ids = assign_color_lines(segment_ids, kinds)
    return segment_ids
