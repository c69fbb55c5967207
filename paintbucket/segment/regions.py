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

from paintbucket.choices import SEG_METHODS
from paintbucket.segment.gaps import label_paper_closing_gaps
from paintbucket.segment.labels import label_paper, merge_specks, neighbor_pairs
from paintbucket.segment.lines import (
    BLACK_LINE,
    DEFAULT_COLOR_THRESHOLD,
    PAPER,
    RED_LINE,
    classify_lines,
    is_binary,
)
from paintbucket.segment.stats import segment_areas
from paintbucket.segment.trapped_ball import trapped_ball_fill

#: Speck size merged into the lines of anti-aliased drawings when ``speck_area="auto"``.
#: Also right for soft drawings cut at a lowered threshold (measured, see
#: :func:`~paintbucket.segment.lines.auto_line_threshold` for the validation frames):
#: on linefiller_sketch the auto threshold (0.386) takes the 1-3 px specks from 63 to 76,
#: all merged, and the 4-10 px pockets from 5 to 11 (wedges where strokes converge); on
#: the validation frames 3 removes every false segment at blur sigma 0.6 (73 -> 0) with
#: all true segments over 10 px kept, while 5 also loses half of the true 4-10 px
#: segments (82 -> 42 of 213 with 1-px lines) and only helps at sigma 0.9 (false
#: segments 251 -> 194), where those are lost anyway.
AUTO_SPECK_AREA = 3


def assign_color_lines(
    segment_ids: np.ndarray,
    kinds: np.ndarray,
    min_contact_fraction: float = 0.25,
    max_outline_fraction: float = 0.25,
    max_dot_area: int = 3,
) -> np.ndarray:
    """Give every color-line stroke to the region it bounds, or make it a segment of its own.

    Production rule: a color line that bounds two regions (a shadow or highlight
    boundary) is painted like the *smaller* of them; a color line that separates nothing
    (blush, sweat marks, highlight ticks drawn inside one region) keeps its own color, so
    it is a segment of its own and takes its color from the keyframe.

    Each 8-connected stroke of one color considers the segments it touches along at
    least ``min_contact_fraction`` of its strongest contact (so a stroke brushing a tiny
    pocket at its tip is not swallowed by it). Then:

    - two or more such *eligible* segments: the stroke joins the smallest of them;
    - exactly one: the stroke joins it, unless it *floats* inside it, i.e. at most
      ``max_outline_fraction`` of its pixels have a black-line pixel among their 8
      neighbours and it is larger than a stray dot (``max_dot_area`` pixels); a
      floating stroke becomes a new segment;
    - none (the stroke is walled in by black lines): a new segment.

    New segments are numbered after the existing ones, in stroke order (red, green,
    blue, then ``cv2.connectedComponents`` order).

    Why the outline test: besides floating blush ticks, drawings hold color strokes that
    run along a black outline (or are the stubs of a boundary stroke cut by a black line)
    and touch one segment only; painters fill those like the region, and as 2-px
    segments of their own the next frames would color them by chance. Measured on the
    real drawings: the blush ticks on laughing_girl's cheeks (4 per frame in line/0000 to
    0003, 18-34 px) have no black neighbour at all (fraction 0.0), while every other
    one-segment stroke there (1-3 px stubs) and in smoke_explosion (red strokes hugging
    the outline, 2-33 px, frames 00005-00026) has a fraction of 0.55 or more. The one
    floating dot in smoke_explosion (a red pixel off a stroke's end in 00022) stays with
    its region.

    Parameters
    ----------
    segment_ids : (H, W) int32
        Segments of the paper pixels, 0 on every line pixel.
    kinds : (H, W) uint8
        Line kinds from :func:`~paintbucket.segment.lines.classify_lines`.
    min_contact_fraction : float
        Contacts weaker than this fraction of the stroke's strongest are ignored.
    max_outline_fraction : float
        Largest share of a stroke's pixels next to a black line for it to float.
    max_dot_area : int
        Strokes of at most this many pixels never float.

    Returns
    -------
    segment_ids : (H, W) int32
        Same ids on paper and black lines (0); color-line pixels carry the id of the
        region they join, or a new id ``segment_ids.max() + 1 ...`` for strokes that
        separate nothing.
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
        stroke, smallest = pairs[first, 0], pairs[first, 1]
        num_eligible = np.bincount(pairs[:, 0], minlength=num_strokes + 1)[stroke]

        near_black = cv2.dilate((kinds == BLACK_LINE).view(np.uint8), np.ones((3, 3), np.uint8))
        stroke_pixels = strokes[is_color]
        outline_pixels = np.bincount(
            stroke_pixels[near_black[is_color] > 0], minlength=num_strokes + 1
        )
        stroke_area = np.bincount(stroke_pixels, minlength=num_strokes + 1)
        floats = (outline_pixels[stroke] <= max_outline_fraction * stroke_area[stroke]) & (
            stroke_area[stroke] > max_dot_area
        )
        joins = (num_eligible >= 2) | ~floats
        choice[stroke[joins]] = smallest[joins]
    orphans = np.flatnonzero(choice[1:] == 0) + 1
    choice[orphans] = segment_ids.max(initial=0) + np.arange(1, len(orphans) + 1)
    result = segment_ids.copy()
    result[is_color] = choice[strokes[is_color]].astype(np.int32)
    return result


def segment_line_art(
    line_art: np.ndarray,
    seg_method: str = "default",
    line_threshold: float | str = "auto",
    color_threshold: int = DEFAULT_COLOR_THRESHOLD,
    speck_area: int | str = "auto",
    ball_radii: tuple[int, ...] | None = None,
    max_gap: int | str = "auto",
) -> np.ndarray:
    """Split a line drawing into paint-bucket segments.

    Parameters
    ----------
    line_art : (H, W, 4) uint8 RGBA
        The drawing; see :func:`~paintbucket.segment.lines.classify_lines` for how
        lines are told from paper.
    seg_method : {"default", "trappedball", "closegaps"}
        ``default``: connected components of paper (closed line art).
        ``trappedball``: also close gaps in unclosed strokes with trapped-ball filling.
        ``closegaps``: extend stroke ends across gaps of up to ``max_gap`` pixels
        (:func:`~paintbucket.segment.gaps.gap_lines`), then label the paper; the
        connecting lines' pixels join their nearest segment.
    line_threshold : float or "auto"
        Minimum ink of a line pixel; ``"auto"`` adapts it to the drawing
        (:func:`~paintbucket.segment.lines.auto_line_threshold`: 0.5 for crisp drawings,
        lower for soft pencil strokes). Pass one number for all frames of a clip.
    color_threshold : int
        Passed to :func:`~paintbucket.segment.lines.classify_lines`.
    speck_area : int or "auto"
        Segments of at most this many pixels become line. ``"auto"``: 0 for binary
        (aliased) drawings, where even 1-pixel segments are real, and
        :data:`AUTO_SPECK_AREA` for anti-aliased ones.
    ball_radii : tuple of int, optional
        Ball radii for ``trappedball``, largest first.
    max_gap : int or "auto"
        Longest gap, in pixels, that ``closegaps`` closes; ``"auto"`` scales it with
        the image (:func:`~paintbucket.segment.gaps.resolve_max_gap`).

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
    if seg_method == "default":
        segment_ids = label_paper(paper)
    elif seg_method == "trappedball":
        segment_ids = trapped_ball_fill(paper, radii=ball_radii)
    elif seg_method == "closegaps":
        segment_ids = label_paper_closing_gaps(paper, max_gap)
    else:
        raise ValueError(f"unknown segmentation method {seg_method!r}; use one of {SEG_METHODS}")
    segment_ids = merge_specks(segment_ids, speck_area)
    segment_ids = assign_color_lines(segment_ids, kinds)
    return segment_ids
