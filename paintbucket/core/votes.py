"""Per-segment votes: turning pixels that carry a palette index into color probabilities."""

from __future__ import annotations

import numpy as np

from paintbucket.core.frames import ColoredFrame, Frame
from paintbucket.flow.dis import warp_nearest
from paintbucket.segment.stats import nearest_fill, overlap_counts, segment_areas

#: Confidence ceiling for segments that no warped reference pixel lands in.
GUESS_CEILING = 0.5
#: How far :func:`stroke_votes` looks for a warped reference stroke, as a fraction of the
#: frame's longer side (16 px at 1600).
STROKE_SEARCH_FRACTION = 0.01


def vote_probabilities(
    segment_ids: np.ndarray,
    palette_index: np.ndarray,
    num_colors: int,
    areas: np.ndarray | None = None,
) -> np.ndarray:
    """Per-segment share of pixels voting for each palette color.

    Parameters
    ----------
    segment_ids : (H, W) int32
        Target segments, 0 = line.
    palette_index : (H, W) int32
        Palette index voted by each pixel, -1 = no vote.
    num_colors : int
        Palette size P.
    areas : (N + 1,) int, optional
        The segments' pixel counts (:meth:`~paintbucket.core.Frame.areas`), if known;
        counted here otherwise.

    Returns
    -------
    probabilities : (N + 1, P) float32
        Votes for each color divided by the segment's area.
    """
    num_segments = int(segment_ids.max(initial=0))
    voting = (segment_ids > 0) & (palette_index >= 0)
    flat = segment_ids[voting].astype(np.int64) * num_colors + palette_index[voting]
    counts = np.bincount(flat, minlength=(num_segments + 1) * num_colors)
    counts = counts.reshape(num_segments + 1, num_colors).astype(np.float32)
    areas = segment_areas(segment_ids, num_segments, known=areas)
    return counts / np.maximum(areas, 1).astype(np.float32)[:, None]


def mutual_overlap(
    segment_ids: np.ndarray, warped_ids: np.ndarray, areas: np.ndarray | None = None
) -> np.ndarray:
    """How one-to-one the flow maps reference segments onto each target segment.

    For a target segment ``i`` and a reference segment ``r``, let ``c`` be the number of
    pixels of ``i`` whose warped reference id is ``r``. The overlap of the pair is
    ``min(c / area(i), c / landed(r))``, where ``landed(r)`` counts every target pixel
    (lines included) that samples ``r``; a segment's score is its best pair. 1 means the
    flow carries exactly one reference segment onto exactly this target segment.

    Parameters
    ----------
    segment_ids : (H, W) int32
        Target segments, 0 = line.
    warped_ids : (H, W) int32
        Reference segment id sampled by every target pixel, 0 = line or outside.
    areas : (N + 1,) int, optional
        The target segments' pixel counts, if known (as in :func:`vote_probabilities`).

    Returns
    -------
    overlap : (N + 1,) float64
        Score in [0, 1] per target segment id; row 0 is 0.
    """
    num_target = int(segment_ids.max(initial=0))
    overlap = np.zeros(num_target + 1)
    target, reference, counts = overlap_counts(segment_ids, warped_ids)
    if counts.size == 0:
        return overlap
    landed = np.bincount(warped_ids.ravel(), minlength=int(reference.max()) + 1)
    areas = segment_areas(segment_ids, num_target, known=areas)
    score = np.minimum(counts / areas[target], counts / landed[reference])
    np.maximum.at(overlap, target, score)
    return overlap


def stroke_votes(
    reference: ColoredFrame,
    target: Frame,
    flow: np.ndarray,
    max_distance: float | None = None,
) -> np.ndarray:
    """Colors of the target's floating color strokes, carried from the reference's strokes.

    A stroke that separates nothing (a blush tick; see
    :meth:`~paintbucket.core.frames.Frame.stroke_segments`) is one or two pixels wide,
    narrower than the error of an optical flow computed at a working size, so a plain
    vote lets the region around it outvote its own color. Here only warped reference
    pixels that lie on reference strokes vote, and each target stroke pixel takes the
    nearest of them within ``max_distance``.

    Measured on laughing_girl (1600 px, flow at 640 px, each frame from the previous
    colorized one): only 10-22 of the 101-115 blush pixels of line/0001-0003 land on a
    warped blush pixel, so the plain flow vote paints all four ticks skin; the nearest
    warped stroke pixel lies at most 5.1 px away (median 1), so with the default search
    radius (16 px) every tick keeps the keyframe's red.

    Parameters
    ----------
    reference : ColoredFrame
    target : Frame
        Same size as the reference.
    flow : (H, W, 2) float32
        Flow from the target to the reference
        (:func:`~paintbucket.flow.estimate_flow`).
    max_distance : float, optional
        Search radius in pixels; :data:`STROKE_SEARCH_FRACTION` of the longer side by
        default.

    Returns
    -------
    probabilities : (N + 1, P) float32
        For each target stroke, the share of its pixels whose nearest warped reference
        stroke pixel has each palette color; rows of other segments, and of strokes with
        no reference stroke within reach, are zero.
    """
    is_stroke = target.stroke_segments()
    reference_strokes = reference.stroke_segments()
    num_colors = len(reference.palette)
    if not is_stroke.any() or not reference_strokes.any():
        return np.zeros((is_stroke.size, num_colors), np.float32)
    if max_distance is None:
        max_distance = STROKE_SEARCH_FRACTION * max(target.shape)
    stroke_colors = np.where(
        reference_strokes[reference.segment_ids], reference.palette_index_map(), -1
    )
    warped = warp_nearest(stroke_colors, flow, fill=-1)
    nearest = nearest_fill(warped, warped >= 0, max_distance=max_distance, fill=-1)
    votes = np.where(is_stroke[target.segment_ids], nearest, -1)
    return vote_probabilities(target.segment_ids, votes, num_colors, target.areas())
