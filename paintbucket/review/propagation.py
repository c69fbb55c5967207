"""Re-colorizing the frames after a corrected one, each from its predecessor.

The corrected frame's result becomes a new reference (:func:`reference_from_result`);
the engine then colors the next frame from it, that frame the one after, and so on
(:func:`propagate_results`). Each new result is rendered by
:func:`~paintbucket.pipeline.result.render_result`, as ``pbc colorize`` renders it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from paintbucket.core.frames import ColoredFrame, Engine, Frame
from paintbucket.pipeline.result import render_result
from paintbucket.segment.stats import pack_rgba, unpack_rgba


def reference_from_result(frame: Frame, info: dict, palette: np.ndarray) -> ColoredFrame:
    """A frame's current result as a :class:`ColoredFrame` (a new keyframe).

    Parameters
    ----------
    frame : Frame
        The frame's drawing and its ``N`` segments.
    info : dict
        Its result JSON: ``num_segments`` (``N``) and ``colors`` (segment id as a
        string -> RGBA list).
    palette : (P, 4) uint8
        The keyframe palette.

    Returns
    -------
    reference : ColoredFrame
        Its palette is the union of ``palette`` and the result's colors, sorted as
        packed RGBA; every segment indexes its color in it (-1 for id 0, the line).
    """
    count = int(info["num_segments"])
    colors = np.zeros((count + 1, 4), np.uint8)
    keys = np.array([int(k) for k in info["colors"]], dtype=np.int64)
    colors[keys] = np.array(list(info["colors"].values()), dtype=np.uint8).reshape(-1, 4)
    packed = pack_rgba(colors[1:])
    palette_packed = np.union1d(pack_rgba(palette), packed)
    index = np.full(count + 1, -1, np.int32)
    index[1:] = np.searchsorted(palette_packed, packed).astype(np.int32)
    return ColoredFrame(
        frame.line_art, frame.segment_ids, frame.line_mask, unpack_rgba(palette_packed), index
    )


def propagate_results(
    source: str,
    reference: ColoredFrame,
    targets: list[str],
    read_frame: Callable[[str], Frame],
    engine: Engine,
    keep_line: bool = False,
    advance: Callable[[], None] | None = None,
) -> list[tuple[str, np.ndarray, dict]]:
    """Colorize ``targets`` in order, the first from ``reference``, each next from the
    one before it.

    Parameters
    ----------
    source : str
        Name of the corrected frame ``reference`` was made from.
    reference : ColoredFrame
        The corrected frame (:func:`reference_from_result`).
    targets : list of str
        Frames to re-colorize, in clip order.
    read_frame : callable
        ``read_frame(name) -> Frame``; called for each target just before it is
        colorized.
    engine : callable
        ``engine(reference, target) -> SegmentColoring``; its ``name`` attribute (else
        its type's name) is stored as ``engine`` in the JSON.
    keep_line : bool
        Draw the original ink over the fills.
    advance : callable, optional
        Called with no argument after each target (progress).

    Returns
    -------
    results : list of (name, rgba, info)
        Per target: the (H, W, 4) uint8 result and its JSON, with ``reference`` the
        frame before it, ``keyframe: false``, ``propagated_from: source`` and
        ``reviewed: []``. Nothing is written.
    """
    engine_name = getattr(engine, "name", type(engine).__name__)
    results = []
    previous = source
    for name in targets:
        frame = read_frame(name)
        coloring = engine(reference, frame)
        rgba, info = render_result(
            frame,
            coloring,
            name,
            reference=previous,
            keyframe=False,
            engine=engine_name,
            keep_line=keep_line,
            propagated_from=source,
        )
        info["reviewed"] = []
        results.append((name, rgba, info))
        reference = ColoredFrame.from_coloring(frame, coloring)
        previous = name
        if advance is not None:
            advance()
    return results
