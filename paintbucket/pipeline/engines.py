"""Colorizers: given a colored reference frame and a target frame, color the target.

Every engine is a callable ``engine(reference, target) -> SegmentColoring``; the clip
pipeline only knows this interface, so learned matchers plug in beside the flow one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from paintbucket.flow.dis import DEFAULT_MAX_SIDE, estimate_flow, warp_nearest
from paintbucket.pipeline.frames import ColoredFrame, Frame
from paintbucket.pipeline.result import SegmentColoring
from paintbucket.segment.stats import nearest_fill, overlap_counts, segment_areas

Engine = Callable[[ColoredFrame, Frame], SegmentColoring]

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


@dataclass
class FlowEngine:
    """Optical-flow color warping with a per-segment majority vote (the paper's RAFT row,
    with OpenCV DIS flow).

    Reference colors are pulled into the target along the flow with nearest-neighbour
    sampling; warped pixels that land on a reference line do not vote. A segment's
    probability for a color is the share of its pixels voting for it. Segments that get
    no vote at all take the colors of the nearest voting pixels, scaled down to at most
    :data:`GUESS_CEILING` confidence.
    """

    max_side: int = DEFAULT_MAX_SIDE
    name: str = "flow"

    def __call__(self, reference: ColoredFrame, target: Frame) -> SegmentColoring:
        if reference.shape != target.shape:
            raise ValueError(
                f"reference {reference.shape} and target {target.shape} differ in size"
            )
        flow = estimate_flow(target.line_mask, reference.line_mask, self.max_side)
        warped = warp_nearest(reference.palette_index_map(), flow, fill=-1)
        num_colors = len(reference.palette)
        probabilities = vote_probabilities(target.segment_ids, warped, num_colors)
        unvoted = probabilities.sum(axis=1) == 0
        unvoted[0] = False
        if unvoted.any() and (warped >= 0).any():
            guessed = nearest_fill(warped, warped >= 0)
            guess = vote_probabilities(target.segment_ids, guessed, num_colors)
            probabilities[unvoted] = GUESS_CEILING * guess[unvoted]
        return SegmentColoring(target.segment_ids, reference.palette, probabilities)


#: Engine names accepted by :func:`make_engine` (and ``pbc colorize --engine``).
ENGINE_NAMES = ("inclusion", "flow")


def make_engine(name: str = "inclusion", **options: object) -> Engine:
    """Build an engine by name: ``inclusion`` (the learned matcher, shipped weights) or
    ``flow`` (optical-flow warping baseline). ``options`` go to its constructor."""
    if name == "flow":
        return FlowEngine(**options)  # type: ignore[arg-type]
    if name == "inclusion":
        from paintbucket.pipeline.learned import LearnedEngine

        return LearnedEngine(**options)  # type: ignore[arg-type]
    raise ValueError(f"unknown engine {name!r}; use one of {ENGINE_NAMES}")
