"""The small public API: color one target drawing from one colored reference."""

from __future__ import annotations

import numpy as np

from paintbucket.consecutive import make_engine
from paintbucket.core.coloring import SegmentColoring
from paintbucket.core.frames import ColoredFrame, Engine, Frame


def colorize_pair(
    reference_line: np.ndarray,
    reference_color: np.ndarray,
    target_line: np.ndarray,
    engine: Engine | str | None = None,
    seg_method: str = "default",
) -> SegmentColoring:
    """Colorize ``target_line`` with the flat colors of a painted reference.

    Parameters
    ----------
    reference_line : (H, W, 4) uint8 RGBA
        Line art of the reference frame.
    reference_color : (H, W, 4) uint8 RGBA
        The reference painted with flat colors (transparent background).
    target_line : (H, W, 4) uint8 RGBA
        Line art to colorize.
    engine : callable or str, optional
        ``engine(reference, target) -> SegmentColoring`` or an engine name ("inclusion",
        the default, or "flow").
    seg_method : {"default", "trappedball", "closegaps"}
        Segmentation of both drawings.

    Returns
    -------
    SegmentColoring
        ``.render()`` gives the (H, W, 4) uint8 result; ``.confidence`` the per-segment
        confidence; ``.segment_ids`` the target segments.
    """
    if reference_line.shape != reference_color.shape:
        raise ValueError(
            f"reference line {reference_line.shape} and color {reference_color.shape} differ"
        )
    reference = ColoredFrame.from_keyframe(
        Frame.from_line_art(reference_line, seg_method), reference_color
    )
    target = Frame.from_line_art(target_line, seg_method)
    if engine is None or isinstance(engine, str):
        engine = make_engine(engine or "inclusion")
    return engine(reference, target)
