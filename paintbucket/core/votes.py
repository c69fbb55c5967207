"""Per-segment votes: turning pixels that carry a palette index into color probabilities."""

from __future__ import annotations

import numpy as np

from paintbucket.segment.stats import overlap_counts, segment_areas

#: Confidence ceiling for segments that no warped reference pixel lands in.
GUESS_CEILING = 0.5


def vote_probabilities(
    segment_ids: np.ndarray, palette_index: np.ndarray, num_colors: int
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
    areas = np.maximum(segment_areas(segment_ids, num_segments), 1).astype(np.float32)
    return counts / areas[:, None]


def mutual_overlap(segment_ids: np.ndarray, warped_ids: np.ndarray) -> np.ndarray:
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
    areas = segment_areas(segment_ids, num_target)
    score = np.minimum(counts / areas[target], counts / landed[reference])
    np.maximum.at(overlap, target, score)
    return overlap
