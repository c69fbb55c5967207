"""The optical-flow consecutive colorizer (baseline engine)."""

from __future__ import annotations

from dataclasses import dataclass

from paintbucket.core.coloring import SegmentColoring
from paintbucket.core.frames import ColoredFrame, Frame
from paintbucket.core.votes import GUESS_CEILING, stroke_votes, vote_probabilities
from paintbucket.flow.dis import DEFAULT_MAX_SIDE, estimate_flow, warp_nearest
from paintbucket.segment.stats import nearest_fill


@dataclass
class FlowEngine:
    """Optical-flow color warping with a per-segment majority vote (the paper's RAFT row,
    with OpenCV DIS flow).

    Reference colors are pulled into the target along the flow with nearest-neighbour
    sampling; warped pixels that land on a reference line do not vote. A segment's
    probability for a color is the share of its pixels voting for it. Segments that get
    no vote at all take the colors of the nearest voting pixels, scaled down to at most
    :data:`GUESS_CEILING` confidence. Color strokes that separate nothing (blush ticks)
    take the colors of the nearest warped reference strokes instead
    (:func:`~paintbucket.core.votes.stroke_votes`).
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
        carried = stroke_votes(reference, target, flow)
        reached = carried.sum(axis=1) > 0
        probabilities[reached] = carried[reached]
        return SegmentColoring(
            target.segment_ids, reference.palette, probabilities, target.solid_line_mask()
        )
